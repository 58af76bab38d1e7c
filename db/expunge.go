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
