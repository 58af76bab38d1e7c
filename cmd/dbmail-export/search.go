package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/imap4"
)

// selectMessages evaluates -s (IMAP SEARCH keys, RFC 3501 §6.4.4, with
// sequence numbers relative to the mailbox) over the listed messages with
// the IMAP server's own evaluator (imap4.EvalSearch).
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
	kws, err := e.db.Keywords(ctx, mailboxID)
	if err != nil {
		return nil, err
	}
	metas := make([]imap4.MsgMeta, len(msgs))
	for i, mi := range msgs {
		metas[i] = imap4.MsgMeta{
			Seq: uint32(i + 1), UID: uint32(mi.UID), PhysID: mi.PhysID,
			Flags: flagNames(mi.Flags, kws[mi.UID]), ModSeq: uint64(max(mi.ModSeq, 1)),
			InternalDate: mi.InternalDate, RFCSize: mi.RFCSize,
		}
	}
	seqs, err := imap4.EvalSearch(ctx, args.Key, metas, imap4.DBSource{DB: e.db}, imap4.SearchOptions{Now: time.Now(), Charset: args.Charset})
	if err != nil {
		return nil, fmt.Errorf("-s %q: %w", e.o.search, err)
	}
	out := make([]db.MessageInfo, 0, len(seqs))
	for _, s := range seqs {
		out = append(out, msgs[s-1])
	}
	return out, nil
}

// flagNames spells a message's flags as IMAP does (spec 2.12).
func flagNames(f db.Flags, keywords []string) []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.Seen, `\Seen`}, {f.Answered, `\Answered`}, {f.Deleted, `\Deleted`}, {f.Flagged, `\Flagged`}, {f.Draft, `\Draft`}, {f.Recent, `\Recent`}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return append(out, keywords...)
}
