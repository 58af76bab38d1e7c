package db

import (
	"context"
	"database/sql"
	"fmt"
)

// EmptyMailbox deletes every dbmail_messages row of a mailbox (the mailbox
// itself stays) and lowers its owner's curmail_size by the size of the
// visible messages among them, in one transaction with one MODSEQ bump:
// `dbmail-users -e -y` (spec 7.1). Physmessages left without instances
// become orphans for `dbmail-util -t`. It returns how many rows went.
func (db *DB) EmptyMailbox(ctx context.Context, m *Mailbox) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *Tx) error {
		// The owner's row before the mailbox's, as deliveries lock them.
		if err := tx.lockQuotaUser(ctx, m.OwnerID); err != nil {
			return err
		}
		if _, err := tx.bumpMailboxSeq(ctx, m.ID); err != nil {
			return err
		}
		var size sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT SUM(p.messagesize) FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.mailbox_idnr = ? AND m.status < 2`, m.ID).Scan(&size); err != nil {
			return fmt.Errorf("size of mailbox %q: %w", m.Name, err)
		}
		res, err := tx.Exec(ctx, `DELETE FROM {messages} WHERE mailbox_idnr = ?`, m.ID)
		if err != nil {
			return fmt.Errorf("empty mailbox %q: %w", m.Name, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("empty mailbox %q: %w", m.Name, err)
		}
		if size.Int64 > 0 {
			return tx.addQuotaUsage(ctx, m.OwnerID, -size.Int64)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteUserOnly deletes a user as `dbmail-users -d` does (spec 7.1), with
// the spec 9.6 item 30 bug fixed: the user's alias rows go, and the external
// forwards of one of those alias names go only when no other user still
// receives mail through that name — DBMail dropped them even then, taking
// forwards that belonged to the other users with it. The dbmail_users row
// is deleted last; mailboxes, messages, ACLs, subscriptions and Sieve
// scripts cascade away.
func (db *DB) DeleteUserOnly(ctx context.Context, id int64) error {
	uid := fmt.Sprint(id)
	return db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT alias FROM {aliases} WHERE deliver_to = ?`, uid)
		if err != nil {
			return fmt.Errorf("delete user %d: aliases: %w", id, err)
		}
		var names []string
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return fmt.Errorf("delete user %d: aliases: %w", id, err)
			}
			names = append(names, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("delete user %d: aliases: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM {aliases} WHERE deliver_to = ?`, uid); err != nil {
			return fmt.Errorf("delete user %d: aliases: %w", id, err)
		}
		for _, a := range names {
			targets, err := db.aliasTargets(ctx, tx.tx, a)
			if err != nil {
				return err
			}
			shared := false
			for _, t := range targets {
				shared = shared || isDecimal(t)
			}
			if shared {
				continue
			}
			for _, t := range targets {
				if _, err := tx.Exec(ctx, `DELETE FROM {aliases} WHERE lower(alias) = lower(?) AND deliver_to = ?`, a, t); err != nil {
					return fmt.Errorf("delete user %d: forwards of %q: %w", id, a, err)
				}
			}
		}
		res, err := tx.Exec(ctx, `DELETE FROM {users} WHERE user_idnr = ?`, id)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user id %d: %w", id, ErrNotFound)
		}
		return nil
	})
}
