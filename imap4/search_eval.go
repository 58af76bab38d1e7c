package imap4

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SearchOptions are the session state a search depends on.
type SearchOptions struct {
	// SavedSeqs is the saved result "$" (RFC 5182 §2) as sequence numbers.
	SavedSeqs []uint32
	// Now is the time OLDER/YOUNGER count from (RFC 5032 §3); zero means
	// time.Now().
	Now time.Time
	// Charset is the CHARSET of the command (RFC 3501 §6.4.4), upper
	// case; "" means US-ASCII. Search strings are converted from it to
	// UTF-8; an unknown one gives *BadCharsetError.
	Charset string
}

// BadCharsetError is a CHARSET the server cannot convert from; the
// session answers "NO [BADCHARSET (UTF-8 US-ASCII)]" (RFC 3501 §6.4.4).
type BadCharsetError struct{ Charset string }

func (e *BadCharsetError) Error() string { return "imap4: unsupported search charset " + e.Charset }

// Key evaluation cost classes: what a key needs from the message.
const (
	costMeta   = iota // flags, numbers, sizes, internal date: MsgMeta only
	costHeader        // the top-level header
	costBody          // the whole message
)

// searchNode is a SearchKey prepared for evaluation: texts converted to
// folded UTF-8, sets resolved, cheap children first.
type searchNode struct {
	key      *SearchKey
	children []*searchNode
	needle   foldedText
	cost     int
}

// EvalSearch returns the sequence numbers of the messages of msgs that
// match key (RFC 3501 §6.4.4), ascending. msgs is the whole mailbox view
// in sequence order ("*" is its last message). Messages are examined one
// at a time and only as far as the keys need: flags and sizes from
// MsgMeta, header keys from the top-level header alone (streamed and cut
// at the blank line), BODY and TEXT from the whole message with transfer
// and charset decoding.
func EvalSearch(ctx context.Context, key *SearchKey, msgs []MsgMeta, src MsgSource, opt SearchOptions) ([]uint32, error) {
	root, err := prepareSearch(key, opt.Charset)
	if err != nil {
		return nil, err
	}
	ev := newSearchEval(msgs, opt)
	var out []uint32
	for i := range msgs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := &msgData{ctx: ctx, src: src, m: &msgs[i]}
		ok, err := ev.match(root, d)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, msgs[i].Seq)
		}
	}
	slices.Sort(out)
	return out, nil
}

// searchEval holds the per-search constants.
type searchEval struct {
	maxSeq, maxUID uint32
	saved          []uint32 // sorted
	now            time.Time
}

func newSearchEval(msgs []MsgMeta, opt SearchOptions) *searchEval {
	ev := &searchEval{now: opt.Now, saved: slices.Clone(opt.SavedSeqs)}
	if ev.now.IsZero() {
		ev.now = time.Now()
	}
	slices.Sort(ev.saved)
	for i := range msgs {
		ev.maxSeq = max(ev.maxSeq, msgs[i].Seq)
		ev.maxUID = max(ev.maxUID, msgs[i].UID)
	}
	return ev
}

// prepareSearch converts the key tree; strings are decoded from charset.
func prepareSearch(k *SearchKey, charset string) (*searchNode, error) {
	if k == nil {
		return nil, fmt.Errorf("imap4: empty search key")
	}
	n := &searchNode{key: k}
	switch k.Kind {
	case SearchAnd, SearchOr, SearchNot:
		for _, c := range k.Children {
			cn, err := prepareSearch(c, charset)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, cn)
			n.cost = max(n.cost, cn.cost)
		}
		// cheap keys first: an AND fails, an OR succeeds, before the
		// message is read whenever they can
		slices.SortStableFunc(n.children, func(a, b *searchNode) int { return a.cost - b.cost })
	case SearchHeader, SearchSentBefore, SearchSentOn, SearchSentSince:
		n.cost = costHeader
	case SearchBody, SearchText:
		n.cost = costBody
	}
	switch k.Kind {
	case SearchHeader, SearchBody, SearchText:
		text, err := searchTextUTF8(k.Text, charset)
		if err != nil {
			return nil, err
		}
		n.needle = foldText(text)
	}
	return n, nil
}

// match evaluates one node for one message.
func (ev *searchEval) match(n *searchNode, d *msgData) (bool, error) {
	k, m := n.key, d.m
	switch k.Kind {
	case SearchAll:
		return true, nil
	case SearchAnd:
		for _, c := range n.children {
			ok, err := ev.match(c, d)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case SearchOr:
		for _, c := range n.children {
			ok, err := ev.match(c, d)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case SearchNot:
		ok, err := ev.match(n.children[0], d)
		return !ok && err == nil, err
	case SearchSeqSet:
		if k.Set.Saved {
			return ev.inSaved(m.Seq), nil
		}
		return k.Set.Contains(m.Seq, ev.maxSeq), nil
	case SearchUID:
		if k.Set.Saved {
			return ev.inSaved(m.Seq), nil
		}
		return k.Set.Contains(m.UID, ev.maxUID), nil
	case SearchFlag:
		return searchHasFlag(m.Flags, k.Flag), nil
	case SearchNotFlag:
		return !searchHasFlag(m.Flags, k.Flag), nil
	case SearchLarger:
		return m.RFCSize > int64(min(k.Number, 1<<63-1)), nil
	case SearchSmaller:
		return m.RFCSize < int64(min(k.Number, 1<<63-1)), nil
	case SearchBefore:
		return searchDay(m.InternalDate.UTC()) < searchDay(k.Date), nil
	case SearchOn:
		return searchDay(m.InternalDate.UTC()) == searchDay(k.Date), nil
	case SearchSince:
		return searchDay(m.InternalDate.UTC()) >= searchDay(k.Date), nil
	case SearchOlder, SearchYounger:
		// RFC 5032 §3: OLDER n is older than n seconds, YOUNGER n within them
		young := ev.now.Sub(m.InternalDate) <= time.Duration(k.Number)*time.Second
		return young == (k.Kind == SearchYounger), nil
	case SearchModSeq:
		return m.ModSeq >= k.Number, nil // RFC 7162 §3.1.5
	case SearchSentBefore, SearchSentOn, SearchSentSince:
		day, err := d.sentDay()
		if err != nil {
			return false, err
		}
		want := searchDay(k.Date)
		switch k.Kind {
		case SearchSentBefore:
			return day < want, nil
		case SearchSentOn:
			return day == want, nil
		}
		return day >= want, nil
	case SearchHeader:
		return d.headerContains(k.Field, n.needle)
	case SearchBody:
		return d.bodyContains(n.needle)
	case SearchText:
		// most messages need the body anyway: load it first and take the
		// header from it rather than streaming the message twice
		if _, err := d.content(); err != nil {
			return false, err
		}
		ok, err := d.headerTextContains(n.needle)
		if err != nil || ok {
			return ok, err
		}
		return d.bodyContains(n.needle)
	}
	return false, fmt.Errorf("imap4: unknown search key kind %d", k.Kind)
}

func (ev *searchEval) inSaved(seq uint32) bool {
	_, ok := slices.BinarySearch(ev.saved, seq)
	return ok
}

// searchHasFlag compares flags case-insensitively (RFC 3501 §2.3.2: flag names
// are not case-sensitive).
func searchHasFlag(flags []string, want string) bool {
	for _, f := range flags {
		if strings.EqualFold(f, want) {
			return true
		}
	}
	return false
}

// searchDay is a calendar day as an ordered number: the date keys disregard
// time and timezone (RFC 3501 §6.4.4).
func searchDay(t time.Time) int {
	return t.Year()*512 + int(t.Month())*32 + t.Day()
}

// sentDay is the day of the Date: field in its own offset (RFC 3501
// §6.4.4 SENT*), the internal date's when there is no usable Date:.
func (d *msgData) sentDay() (int, error) {
	h, err := d.header()
	if err != nil {
		return 0, err
	}
	if t, ok := h.sentDate(); ok {
		return searchDay(t), nil
	}
	return searchDay(d.m.InternalDate.UTC()), nil
}

// headerContains: HEADER field-name string (RFC 3501 §6.4.4) — some field
// of that name whose decoded value contains the string; an empty string
// matches every message that has the field.
func (d *msgData) headerContains(field string, needle foldedText) (bool, error) {
	h, err := d.header()
	if err != nil {
		return false, err
	}
	for _, f := range h.fields {
		if !strings.EqualFold(f.Name, field) {
			continue
		}
		if needle.empty() || needle.in(decodeValue(f.Value, h.charset)) {
			return true, nil
		}
	}
	return false, nil
}

// headerTextContains is the header half of TEXT: any "Name: value" line
// of the top-level header, values decoded.
func (d *msgData) headerTextContains(needle foldedText) (bool, error) {
	h, err := d.header()
	if err != nil {
		return false, err
	}
	if needle.empty() {
		return true, nil
	}
	if d.hdrText == nil {
		d.hdrText = make([]string, 0, len(h.fields))
		for _, f := range h.fields {
			d.hdrText = append(d.hdrText, f.Name+": "+decodeValue(f.Value, h.charset))
		}
	}
	for _, line := range d.hdrText {
		if needle.in(line) {
			return true, nil
		}
	}
	return false, nil
}
