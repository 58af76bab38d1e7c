package db

import (
	"context"
	"fmt"
	"strings"
)

// inList renders `(?, ?, …)` for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// chunk bounds the ids of one IN (...) list.
const chunk = 500

// SetStatus gives the listed message instances of a mailbox a new status,
// bumping the mailbox MODSEQ once, in one transaction (`dbmail-export -D`
// sets 2: spec 7.4; quota is adjusted later by `dbmail-util -d`).
func (db *DB) SetStatus(ctx context.Context, mailboxID int64, uids []int64, status int) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
			return err
		}
		for len(uids) > 0 {
			n := min(len(uids), chunk)
			args := append([]any{status, mailboxID}, int64Args(uids[:n])...)
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = ? WHERE mailbox_idnr = ? AND message_idnr IN `+inList(n), args...); err != nil {
				return fmt.Errorf("set status %d: %w", status, err)
			}
			uids = uids[n:]
		}
		return nil
	})
}

// FlagChange is a STORE: flags to set and to clear.
type FlagChange struct {
	Set, Clear Flags
}

// ChangeFlags applies a flag change to the listed message instances of a
// mailbox; every changed message gets the mailbox's new MODSEQ (one bump per
// command, spec 2.15). It returns that MODSEQ.
func (db *DB) ChangeFlags(ctx context.Context, mailboxID int64, uids []int64, ch FlagChange) (int64, error) {
	var sets []string
	add := func(col string, set, clear bool) {
		if set {
			sets = append(sets, col+" = 1")
		} else if clear {
			sets = append(sets, col+" = 0")
		}
	}
	add("seen_flag", ch.Set.Seen, ch.Clear.Seen)
	add("answered_flag", ch.Set.Answered, ch.Clear.Answered)
	add("deleted_flag", ch.Set.Deleted, ch.Clear.Deleted)
	add("flagged_flag", ch.Set.Flagged, ch.Clear.Flagged)
	add("draft_flag", ch.Set.Draft, ch.Clear.Draft)
	add("recent_flag", ch.Set.Recent, ch.Clear.Recent)
	if len(sets) == 0 || len(uids) == 0 {
		return 0, nil
	}
	var modseq int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if modseq, err = tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
			return err
		}
		rest := uids
		for len(rest) > 0 {
			n := min(len(rest), chunk)
			args := append([]any{modseq, mailboxID}, int64Args(rest[:n])...)
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET `+strings.Join(sets, ", ")+`, seq = ? WHERE mailbox_idnr = ? AND status < 2 AND message_idnr IN `+inList(n), args...); err != nil {
				return fmt.Errorf("change flags: %w", err)
			}
			rest = rest[n:]
		}
		return nil
	})
	return modseq, err
}

// Expunge sets status 2 on the visible \Deleted messages of a mailbox (all
// of them, or only those in uids when uids is non-nil: UID EXPUNGE), in one
// transaction with one MODSEQ bump, and lowers the charged user's
// curmail_size by the size of exactly the expunged messages (spec 2.16,
// without DBMail's UID EXPUNGE quirk). It returns the expunged UIDs in
// ascending order.
func (db *DB) Expunge(ctx context.Context, mailboxID, quotaUser int64, uids []int64) ([]int64, error) {
	var gone []int64
	err := db.InTx(ctx, func(tx *Tx) error {
		gone = gone[:0]
		if _, err := tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT m.message_idnr, p.messagesize FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id
			WHERE m.mailbox_idnr = ? AND m.status < 2 AND m.deleted_flag = 1 ORDER BY m.message_idnr`, mailboxID)
		if err != nil {
			return fmt.Errorf("expunge: %w", err)
		}
		var want map[int64]bool
		if uids != nil {
			want = make(map[int64]bool, len(uids))
			for _, u := range uids {
				want[u] = true
			}
		}
		var size int64
		for rows.Next() {
			var uid, sz int64
			if err := rows.Scan(&uid, &sz); err != nil {
				rows.Close()
				return err
			}
			if want != nil && !want[uid] {
				continue
			}
			gone = append(gone, uid)
			size += sz
		}
		rows.Close()
		rest := gone
		for len(rest) > 0 {
			n := min(len(rest), chunk)
			args := append([]any{mailboxID}, int64Args(rest[:n])...)
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = 2 WHERE mailbox_idnr = ? AND message_idnr IN `+inList(n), args...); err != nil {
				return fmt.Errorf("expunge: %w", err)
			}
			rest = rest[n:]
		}
		if quotaUser != 0 && size > 0 {
			return tx.addQuotaUsage(ctx, quotaUser, -size)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}
