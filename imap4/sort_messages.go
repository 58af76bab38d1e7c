package imap4

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// sortKeys are the values one message is sorted by; only the small keys
// are kept, never the message.
type sortKeys struct {
	seq     uint32
	arrival time.Time
	size    int64
	sent    time.Time
	str     [6]string // by stringKeyIndex: FROM, TO, CC, SUBJECT, DISPLAYFROM, DISPLAYTO
}

// stringKeyIndex places a string criterion in sortKeys.str.
func stringKeyIndex(key string) int {
	switch key {
	case "FROM":
		return 0
	case "TO":
		return 1
	case "CC":
		return 2
	case "SUBJECT":
		return 3
	case "DISPLAYFROM":
		return 4
	}
	return 5
}

// SortMessages orders msgs by criteria (RFC 5256 §3; DISPLAYFROM and
// DISPLAYTO RFC 5957 §3) and returns their sequence numbers; messages equal
// under every criterion keep sequence order. Strings compare with
// i;ascii-casemap (RFC 5256 §3, RFC 4790 §9.2). Only the top-level header
// of each message is read, one message at a time, and only when a
// criterion needs it.
func SortMessages(ctx context.Context, criteria []SortCriterion, msgs []MsgMeta, src MsgSource) ([]uint32, error) {
	needHeader := false
	for _, c := range criteria {
		switch c.Key {
		case "ARRIVAL", "SIZE":
		case "DATE", "FROM", "TO", "CC", "SUBJECT", "DISPLAYFROM", "DISPLAYTO":
			needHeader = true
		default:
			return nil, fmt.Errorf("imap4: unknown sort key %s", c.Key)
		}
	}
	keys := make([]sortKeys, len(msgs))
	for i := range msgs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m := &msgs[i]
		k := sortKeys{seq: m.Seq, arrival: m.InternalDate, size: m.RFCSize, sent: m.InternalDate}
		if needHeader {
			h, err := readHeader(ctx, src, m)
			if err != nil {
				return nil, err
			}
			for _, c := range criteria {
				switch c.Key {
				case "DATE":
					k.sent = sentTime(&h, m)
				case "ARRIVAL", "SIZE":
				default:
					k.str[stringKeyIndex(c.Key)] = sortString(&h, c.Key)
				}
			}
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(a, b sortKeys) int {
		for _, c := range criteria {
			r := compareSortKey(&a, &b, c.Key)
			if c.Reverse {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]uint32, len(keys))
	for i := range keys {
		out[i] = keys[i].seq
	}
	return out, nil
}

func compareSortKey(a, b *sortKeys, key string) int {
	switch key {
	case "ARRIVAL":
		return a.arrival.Compare(b.arrival)
	case "SIZE":
		return cmp.Compare(a.size, b.size)
	case "DATE":
		return a.sent.Compare(b.sent)
	}
	i := stringKeyIndex(key)
	return strings.Compare(a.str[i], b.str[i])
}

// sentTime is the sent date of RFC 5256 §2.2: the Date: field, or the
// internal date when it is missing or unparsable.
func sentTime(h *msgHeader, m *MsgMeta) time.Time {
	if t, ok := h.sentDate(); ok {
		return t
	}
	return m.InternalDate
}

// sortString computes a string sort key, already case-mapped
// (i;ascii-casemap upper-cases; other characters are mapped with Unicode
// upper case so that the order is the same for every form of a letter).
func sortString(h *msgHeader, key string) string {
	var s string
	switch key {
	case "SUBJECT":
		v, _ := h.first("subject")
		s = message.BaseSubject(v) // RFC 5256 §2.1
	case "FROM", "TO", "CC":
		// RFC 5256 §3: the addr-mailbox of the first address; a group's
		// name is the mailbox of its first ENVELOPE entry
		if a, ok := firstAddress(h, strings.ToLower(key)); ok {
			s = a.Mailbox
			if a.IsGroup {
				s = a.Name
			}
		}
	case "DISPLAYFROM", "DISPLAYTO":
		// RFC 5957 §3: the decoded display-name of the first address, or
		// its addr-spec when it has none
		if a, ok := firstAddress(h, strings.ToLower(strings.TrimPrefix(key, "DISPLAY"))); ok {
			s = strings.TrimSpace(message.DecodeHeader(a.Name, h.charset))
			if s == "" && !a.IsGroup {
				s = a.Addr()
			}
		}
	}
	// a copy, so the key does not keep the message's header alive
	return strings.Clone(strings.ToUpper(s))
}

// firstAddress parses the first field called name as an address list and
// returns its first entry.
func firstAddress(h *msgHeader, name string) (message.Address, bool) {
	v, ok := h.raw(name)
	if !ok {
		return message.Address{}, false
	}
	list := message.ParseAddressList(v)
	if len(list) == 0 {
		return message.Address{}, false
	}
	return list[0], true
}
