package db

import (
	"context"
	"database/sql"
	"fmt"
)

// IMAPExpunge sets status 2 on the visible \Deleted messages of a mailbox
// (all of them, or those in uids when uids is non-nil: UID EXPUNGE,
// RFC 4315 §2.1) with one MODSEQ bump, gives the expunged rows that MODSEQ
// so QRESYNC's VANISHED (EARLIER) finds them (RFC 7162 §3.2.7, correcting
// the spec 6.2 quirk), and lowers quotaUser's curmail_size by exactly the
// expunged messages' sizes. It returns the expunged UIDs ascending and the
// new HIGHESTMODSEQ.
func (db *DB) IMAPExpunge(ctx context.Context, mailboxID, quotaUser int64, uids []int64) ([]int64, int64, error) {
	var gone []int64
	var modseq int64
	err := db.InTx(ctx, func(tx *Tx) error {
		gone = gone[:0]
		var err error
		if err := tx.lockQuotaUser(ctx, quotaUser); err != nil {
			return err
		}
		if modseq, err = tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
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
		if err := tx.imapSetGone(ctx, mailboxID, gone, modseq); err != nil {
			return err
		}
		if quotaUser != 0 && size > 0 {
			return tx.addQuotaUsage(ctx, quotaUser, -size)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return gone, modseq, nil
}

// lockQuotaUser locks the users row whose curmail_size an expunge will
// lower, before the mailbox row: delivery and APPEND charge the quota and
// then bump the mailbox's MODSEQ (users, then mailboxes), and an expunge
// taking the two locks the other way round deadlocked against them
// (PostgreSQL resolves that only after deadlock_timeout, 1 s). No-op for
// quotaUser 0.
func (tx *Tx) lockQuotaUser(ctx context.Context, quotaUser int64) error {
	if quotaUser == 0 {
		return nil
	}
	return tx.lockUser(ctx, quotaUser)
}

func (tx *Tx) imapSetGone(ctx context.Context, mailboxID int64, uids []int64, modseq int64) error {
	for rest := uids; len(rest) > 0; {
		n := min(len(rest), chunk)
		args := append([]any{modseq, mailboxID}, int64Args(rest[:n])...)
		if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = 2, seq = ? WHERE mailbox_idnr = ? AND message_idnr IN `+inList(n), args...); err != nil {
			return fmt.Errorf("expunge: %w", err)
		}
		rest = rest[n:]
	}
	return nil
}

// IMAPCopySource is one message to copy or move.
type IMAPCopySource struct {
	UID      int64
	PhysID   int64
	Size     int64 // physmessage.messagesize (quota)
	Flags    Flags
	Keywords []string
	Status   int
}

// IMAPCopy copies messages into another mailbox in one transaction
// (RFC 3501 §6.4.7, RFC 4315 COPYUID): each copy keeps flags, keywords and
// status and is \Recent (spec 2.12), quotaUser is charged (spec 2.16). With
// move set, the sources are expunged in the same transaction (RFC 6851
// §3.3), with their own MODSEQ bump. It returns the new UIDs in source
// order; ErrQuota when a copy does not fit (nothing is kept).
func (db *DB) IMAPCopy(ctx context.Context, fromMailbox int64, srcs []IMAPCopySource, toMailbox, quotaUser int64, move bool) ([]int64, error) {
	var out []int64
	err := db.InTx(ctx, func(tx *Tx) error {
		out = out[:0]
		// A move locks two mailboxes: in the lock order (the charged
		// user's row, then mailboxes by ascending id), so two opposite
		// moves between mailboxes of different users cannot deadlock.
		var modseq int64
		if move && len(srcs) > 0 {
			if err := tx.lockQuotaUser(ctx, quotaUser); err != nil {
				return err
			}
			if fromMailbox < toMailbox {
				var err error
				if modseq, err = tx.bumpMailboxSeq(ctx, fromMailbox); err != nil {
					return err
				}
			}
		}
		for _, s := range srcs {
			f := s.Flags
			f.Recent = true
			res := make([]Stored, 1)
			if _, err := tx.insertInstances(ctx, s.PhysID, s.Size, []Dest{{MailboxID: toMailbox, QuotaUser: quotaUser, Flags: f, Keywords: s.Keywords, Status: s.Status}}, res); err != nil {
				return err
			}
			if res[0].Err != nil {
				return res[0].Err
			}
			out = append(out, res[0].UID)
		}
		if !move || len(srcs) == 0 {
			return nil
		}
		if modseq == 0 {
			var err error
			if modseq, err = tx.bumpMailboxSeq(ctx, fromMailbox); err != nil {
				return err
			}
		}
		uids := make([]int64, len(srcs))
		var size int64
		for i, s := range srcs {
			uids[i] = s.UID
			size += s.Size
		}
		if err := tx.imapSetGone(ctx, fromMailbox, uids, modseq); err != nil {
			return err
		}
		if quotaUser != 0 && size > 0 {
			return tx.addQuotaUsage(ctx, quotaUser, -size)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copy messages: %w", err)
	}
	return out, nil
}

// IMAPDiscard expunges the listed messages whatever their flags, in one
// transaction with one MODSEQ bump, returning their size to quotaUser: it
// undoes the messages already stored by a MULTIAPPEND whose later message
// failed (RFC 3502 §6.3.11: all or none).
func (db *DB) IMAPDiscard(ctx context.Context, mailboxID, quotaUser int64, uids []int64) error {
	if len(uids) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockQuotaUser(ctx, quotaUser); err != nil {
			return err
		}
		modseq, err := tx.bumpMailboxSeq(ctx, mailboxID)
		if err != nil {
			return err
		}
		var size int64
		for rest := uids; len(rest) > 0; {
			n := min(len(rest), chunk)
			args := append([]any{mailboxID}, int64Args(rest[:n])...)
			var part sql.NullInt64
			if err := tx.QueryRow(ctx, `SELECT SUM(p.messagesize) FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.mailbox_idnr = ? AND m.status < 2 AND m.message_idnr IN `+inList(n), args...).Scan(&part); err != nil {
				return fmt.Errorf("discard: %w", err)
			}
			size += part.Int64
			rest = rest[n:]
		}
		if err := tx.imapSetGone(ctx, mailboxID, uids, modseq); err != nil {
			return err
		}
		if quotaUser != 0 && size > 0 {
			return tx.addQuotaUsage(ctx, quotaUser, -size)
		}
		return nil
	})
}
