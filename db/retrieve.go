package db

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// MessageInfo is one visible message instance with its physmessage's sizes.
type MessageInfo struct {
	UID          int64 // message_idnr
	MailboxID    int64
	PhysID       int64
	Flags        Flags
	Status       int
	UniqueID     string
	ModSeq       int64
	MessageSize  int64
	RFCSize      int64
	InternalDate time.Time
}

func (db *DB) dateText(col string) string {
	switch db.Dialect {
	case Postgres:
		return `TO_CHAR(` + col + `,'YYYY-MM-DD HH24:MI:SS')`
	case MySQL:
		return `DATE_FORMAT(` + col + `,'%Y-%m-%d %H:%i:%s')`
	}
	return col
}

const messageInfoColumns = `m.message_idnr, m.mailbox_idnr, m.physmessage_id, m.seen_flag, m.answered_flag, m.deleted_flag, m.flagged_flag, m.draft_flag, m.recent_flag, m.status, m.unique_id, m.seq, p.messagesize, p.rfcsize, `

// MailboxMessages lists the visible messages (status < 2) of a mailbox in
// UID order: message sequence numbers are positions in this list (spec 2.14).
func (db *DB) MailboxMessages(ctx context.Context, mailboxID int64) ([]MessageInfo, error) {
	rows, err := db.Query(ctx, `SELECT `+messageInfoColumns+db.dateText("p.internal_date")+`
		FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id
		WHERE m.mailbox_idnr = ? AND m.status < 2 ORDER BY m.message_idnr`, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("list messages of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	var out []MessageInfo
	for rows.Next() {
		var mi MessageInfo
		var seen, ans, del, flg, drf, rec int64
		var idate *string
		if err := rows.Scan(&mi.UID, &mi.MailboxID, &mi.PhysID, &seen, &ans, &del, &flg, &drf, &rec, &mi.Status, &mi.UniqueID, &mi.ModSeq, &mi.MessageSize, &mi.RFCSize, &idate); err != nil {
			return nil, fmt.Errorf("list messages of mailbox %d: %w", mailboxID, err)
		}
		mi.Flags = Flags{Seen: seen != 0, Answered: ans != 0, Deleted: del != 0, Flagged: flg != 0, Draft: drf != 0, Recent: rec != 0}
		if idate != nil {
			mi.InternalDate = ParseSQLTime(*idate)
		}
		out = append(out, mi)
	}
	return out, rows.Err()
}

// ParseSQLTime reads a `YYYY-MM-DD HH:MM:SS` column value as UTC (the
// convention of physmessage.internal_date, spec 2.8); an unparsable value
// gives DBMail's fallback 1979-11-03 (spec 2.8).
func ParseSQLTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05Z", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05-07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Date(1979, 11, 3, 0, 0, 0, 0, time.UTC)
}

// OriginalForm says which rebuild form reproduces the bytes as received:
// our writer keeps CRLF input as LF parts and LF or mixed input as is, so
// the CRLF form is the original exactly when the sizes agree
// (see package message).
func OriginalForm(messageSize, rfcSize int64) message.Form {
	if messageSize == rfcSize {
		return message.FormCRLF
	}
	return message.FormStored
}

func (db *DB) writeLegacy(ctx context.Context, physID int64, w io.Writer, form message.Form) (int64, error) {
	rows, err := db.Query(ctx, `SELECT messageblk FROM {messageblks} WHERE physmessage_id = ? ORDER BY messageblk_idnr`, physID)
	if err != nil {
		return 0, fmt.Errorf("message %d has no parts and no legacy blocks: %w", physID, err)
	}
	defer rows.Close()
	out := w
	var crlf io.WriteCloser
	if form == message.FormCRLF {
		crlf = message.NewCRLFWriter(w)
		out = crlf
	}
	cw := &countWriter{w: out}
	found := false
	for rows.Next() {
		var blk []byte
		if err := rows.Scan(&blk); err != nil {
			return cw.n, fmt.Errorf("read legacy message %d: %w", physID, err)
		}
		found = true
		if _, err := cw.Write(blk); err != nil {
			return cw.n, err
		}
	}
	if err := rows.Err(); err != nil {
		return cw.n, err
	}
	if !found {
		return 0, fmt.Errorf("message %d: %w", physID, ErrNotFound)
	}
	if crlf != nil {
		if err := crlf.Close(); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Keywords returns the keywords of the given message instances.
func (db *DB) Keywords(ctx context.Context, mailboxID int64) (map[int64][]string, error) {
	rows, err := db.Query(ctx, `SELECT k.message_idnr, k.keyword FROM {keywords} k JOIN {messages} m ON m.message_idnr = k.message_idnr WHERE m.mailbox_idnr = ? AND m.status < 2 ORDER BY k.message_idnr, k.keyword`, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("keywords of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, err
		}
		out[id] = append(out[id], k)
	}
	return out, rows.Err()
}

// ReturnPath returns the bare address of a physmessage's cached
// Return-Path header (spec 2.9), or "" when there is none: the sender of an
// mbox separator line.
func (db *DB) ReturnPath(ctx context.Context, physID int64) (string, error) {
	rows, err := db.Query(ctx, `SELECT v.headervalue FROM {header} h JOIN {headername} n ON n.id = h.headername_id
		JOIN {headervalue} v ON v.id = h.headervalue_id WHERE h.physmessage_id = ? AND n.headername = 'return-path'`, physID)
	if err != nil {
		return "", fmt.Errorf("return-path of message %d: %w", physID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v []byte
		if err := rows.Scan(&v); err != nil {
			return "", err
		}
		s := string(v)
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			s = s[i+1:]
			if j := strings.IndexByte(s, '>'); j >= 0 {
				s = s[:j]
			}
		}
		if s = strings.TrimSpace(s); s != "" && !strings.ContainsAny(s, " \t") {
			return s, nil
		}
	}
	return "", rows.Err()
}
