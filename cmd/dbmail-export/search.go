package main

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/imap4"
	"github.com/dbmail-go/dbmail/message"
)

// selectMessages evaluates -s (IMAP SEARCH keys, RFC 3501 §6.4.4, with
// sequence numbers relative to the mailbox) over the listed messages.
// Header keys compare RFC 2047-decoded values case-insensitively; BODY and
// TEXT search the message text as stored.
func (e *exporter) selectMessages(ctx context.Context, mailboxID int64, msgs []db.MessageInfo) ([]db.MessageInfo, error) {
	if strings.TrimSpace(e.o.search) == "" {
		return msgs, nil
	}
	cmd, err := imap4.ParseCommand("x SEARCH " + e.o.search)
	if err != nil {
		return nil, fmt.Errorf("-s %q: %w", e.o.search, err)
	}
	args, ok := cmd.Args.(*imap4.SearchArgs)
	if !ok {
		return nil, fmt.Errorf("-s %q: not a search program", e.o.search)
	}
	ev := &evaluator{ctx: ctx, db: e.db, max: uint32(len(msgs)), mailboxID: mailboxID}
	var out []db.MessageInfo
	for i := range msgs {
		ok, err := ev.match(args.Key, uint32(i+1), &msgs[i])
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, msgs[i])
		}
		ev.parsed, ev.text = nil, nil
	}
	return out, nil
}

type evaluator struct {
	ctx       context.Context
	db        *db.DB
	max       uint32
	mailboxID int64
	keywords  map[int64][]string
	parsed    *message.Message // of the message being evaluated
	text      []byte
}

func (ev *evaluator) load(mi *db.MessageInfo) error {
	if ev.parsed != nil {
		return nil
	}
	var buf bytes.Buffer
	if _, err := ev.db.WriteMessage(ev.ctx, mi.PhysID, &buf, message.FormCRLF); err != nil {
		return err
	}
	m, err := message.Parse(buf.Bytes(), message.Options{MaxDepth: 64})
	if err != nil {
		return err
	}
	ev.parsed, ev.text = m, buf.Bytes()
	return nil
}

func (ev *evaluator) flag(mi *db.MessageInfo, name string) (bool, error) {
	switch strings.ToLower(name) {
	case `\seen`:
		return mi.Flags.Seen, nil
	case `\answered`:
		return mi.Flags.Answered, nil
	case `\deleted`:
		return mi.Flags.Deleted, nil
	case `\flagged`:
		return mi.Flags.Flagged, nil
	case `\draft`:
		return mi.Flags.Draft, nil
	case `\recent`:
		return mi.Flags.Recent, nil
	}
	if ev.keywords == nil {
		kw, err := ev.db.Keywords(ev.ctx, ev.mailboxID)
		if err != nil {
			return false, err
		}
		ev.keywords = kw
	}
	for _, k := range ev.keywords[mi.UID] {
		if k == name { // SEARCH KEYWORD compares exactly (spec 2.12)
			return true, nil
		}
	}
	return false, nil
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func (ev *evaluator) match(k *imap4.SearchKey, seq uint32, mi *db.MessageInfo) (bool, error) {
	switch k.Kind {
	case imap4.SearchAll:
		return true, nil
	case imap4.SearchAnd:
		for _, c := range k.Children {
			ok, err := ev.match(c, seq, mi)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case imap4.SearchOr:
		for _, c := range k.Children {
			ok, err := ev.match(c, seq, mi)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case imap4.SearchNot:
		ok, err := ev.match(k.Children[0], seq, mi)
		return !ok, err
	case imap4.SearchSeqSet:
		return k.Set.Contains(seq, ev.max), nil
	case imap4.SearchUID:
		return k.Set.Contains(uint32(mi.UID), uint32(^uint32(0))), nil
	case imap4.SearchFlag:
		return ev.flag(mi, k.Flag)
	case imap4.SearchNotFlag:
		ok, err := ev.flag(mi, k.Flag)
		return !ok, err
	case imap4.SearchLarger:
		return uint64(mi.RFCSize) > k.Number, nil
	case imap4.SearchSmaller:
		return uint64(mi.RFCSize) < k.Number, nil
	case imap4.SearchBefore:
		return day(mi.InternalDate).Before(k.Date), nil
	case imap4.SearchOn:
		return day(mi.InternalDate).Equal(k.Date), nil
	case imap4.SearchSince:
		return !day(mi.InternalDate).Before(k.Date), nil
	case imap4.SearchOlder:
		return time.Since(mi.InternalDate) >= time.Duration(k.Number)*time.Second, nil
	case imap4.SearchYounger:
		return time.Since(mi.InternalDate) <= time.Duration(k.Number)*time.Second, nil
	case imap4.SearchModSeq:
		return uint64(mi.ModSeq) >= k.Number, nil
	case imap4.SearchHeader, imap4.SearchSentBefore, imap4.SearchSentOn, imap4.SearchSentSince:
		if err := ev.load(mi); err != nil {
			return false, err
		}
		if k.Kind == imap4.SearchHeader {
			for _, v := range ev.parsed.HeaderValues(k.Field) {
				if strings.Contains(strings.ToLower(v), strings.ToLower(k.Text)) {
					return true, nil
				}
			}
			return false, nil
		}
		dates := ev.parsed.HeaderValues("Date")
		if len(dates) == 0 {
			return false, nil
		}
		t, err := mail.ParseDate(dates[0])
		if err != nil {
			return false, nil
		}
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		switch k.Kind {
		case imap4.SearchSentBefore:
			return d.Before(k.Date), nil
		case imap4.SearchSentOn:
			return d.Equal(k.Date), nil
		}
		return !d.Before(k.Date), nil
	case imap4.SearchBody, imap4.SearchText:
		if err := ev.load(mi); err != nil {
			return false, err
		}
		hay := ev.text
		if k.Kind == imap4.SearchBody {
			if i := bytes.Index(hay, []byte("\r\n\r\n")); i >= 0 {
				hay = hay[i+4:]
			}
		}
		return bytes.Contains(bytes.ToLower(hay), bytes.ToLower([]byte(k.Text))), nil
	}
	return false, fmt.Errorf("search key %d is not supported by dbmail-export", k.Kind)
}
