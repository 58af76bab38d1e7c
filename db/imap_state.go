package db

import (
	"context"
	"database/sql"
	"fmt"
)

// IMAPMailboxSeqs returns mailboxes.seq (HIGHESTMODSEQ, spec 2.15) for the
// given mailbox ids in one query; ids that no longer exist are absent.
func (db *DB) IMAPMailboxSeqs(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		rows, err := db.Query(ctx, `SELECT mailbox_idnr, seq FROM {mailboxes} WHERE mailbox_idnr IN `+inList(n), int64Args(ids[:n])...)
		if err != nil {
			return nil, fmt.Errorf("mailbox seqs: %w", err)
		}
		for rows.Next() {
			var id, seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("mailbox seqs: %w", err)
			}
			out[id] = seq
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("mailbox seqs: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}

// IMAPStatus is what STATUS reports for a mailbox (RFC 3501 §6.3.10,
// RFC 7162 §3.1.1 HIGHESTMODSEQ, RFC 8438 SIZE).
type IMAPStatus struct {
	Messages      int64
	Recent        int64
	Unseen        int64
	UIDNext       int64
	HighestModSeq int64
	Size          int64 // sum of rfcsize of the visible messages
}

// IMAPMailboxStatus counts a mailbox's visible messages (status < 2) in one
// query. UIDNEXT is the database-wide MAX(message_idnr)+1: UIDs are one
// sequence for all mailboxes (spec 2.14), so that is the UID the next
// message will get, and it never goes down when messages are expunged
// (unlike DBMail's per-mailbox value, spec 2.14 quirk).
func (db *DB) IMAPMailboxStatus(ctx context.Context, mailboxID int64) (IMAPStatus, error) {
	var st IMAPStatus
	var msgs, recent, unseen, size, maxUID sql.NullInt64
	err := db.QueryRow(ctx, `SELECT
		SUM(CASE WHEN m.status < 2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN m.status < 2 AND m.recent_flag = 1 THEN 1 ELSE 0 END),
		SUM(CASE WHEN m.status < 2 AND m.seen_flag = 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN m.status < 2 THEN p.rfcsize ELSE 0 END),
		MAX(m.message_idnr)
		FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.mailbox_idnr = ?`, mailboxID).
		Scan(&msgs, &recent, &unseen, &size, &maxUID)
	if err != nil {
		return st, fmt.Errorf("status of mailbox %d: %w", mailboxID, err)
	}
	st.Messages, st.Recent, st.Unseen, st.Size = msgs.Int64, recent.Int64, unseen.Int64, size.Int64
	// UIDs come from one database-wide sequence (spec 2.14), so the next
	// UID this mailbox can get is above every id in use anywhere.
	var global sql.NullInt64
	if err := db.QueryRow(ctx, `SELECT MAX(message_idnr) FROM {messages}`).Scan(&global); err != nil {
		return st, fmt.Errorf("uidnext of mailbox %d: %w", mailboxID, err)
	}
	st.UIDNext = max(global.Int64, maxUID.Int64) + 1
	if err := db.QueryRow(ctx, `SELECT seq FROM {mailboxes} WHERE mailbox_idnr = ?`, mailboxID).Scan(&st.HighestModSeq); err != nil {
		return st, fmt.Errorf("modseq of mailbox %d: %w", mailboxID, err)
	}
	return st, nil
}

// IMAPFlushRecent clears recent_flag of the listed messages after a
// read-write SELECT has claimed them (spec 2.12), giving them a new MODSEQ
// with one mailbox bump, and returns that MODSEQ (0 when uids is empty).
// Other writers may have committed between the caller's read and this
// bump: the caller's view reflects the new MODSEQ only when it is its own
// plus one.
func (db *DB) IMAPFlushRecent(ctx context.Context, mailboxID int64, uids []int64) (int64, error) {
	if len(uids) == 0 {
		return 0, nil
	}
	var modseq int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if modseq, err = tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
			return err
		}
		for rest := uids; len(rest) > 0; {
			n := min(len(rest), chunk)
			args := append([]any{modseq, mailboxID}, int64Args(rest[:n])...)
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET recent_flag = 0, seq = ? WHERE mailbox_idnr = ? AND message_idnr IN `+inList(n), args...); err != nil {
				return fmt.Errorf("flush recent: %w", err)
			}
			rest = rest[n:]
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return modseq, nil
}

// IMAPVanished returns the UIDs of the mailbox's expunged rows (status 2
// or 3) whose MODSEQ is above since, ascending: the VANISHED (EARLIER)
// set of RFC 7162 §3.2.5.2 / §3.2.6. IMAPExpunge gives expunged rows the
// expunge's MODSEQ so this is exact for expunges made by dbmail-go.
func (db *DB) IMAPVanished(ctx context.Context, mailboxID int64, since uint64) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT message_idnr FROM {messages} WHERE mailbox_idnr = ? AND status >= 2 AND status <= 3 AND seq > ? ORDER BY message_idnr`, mailboxID, int64(since))
	if err != nil {
		return nil, fmt.Errorf("vanished of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var uid int64
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("vanished of mailbox %d: %w", mailboxID, err)
		}
		out = append(out, uid)
	}
	return out, rows.Err()
}
