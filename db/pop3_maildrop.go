package db

import (
	"context"
	"fmt"
	"time"
)

// POP3Message is one message of a POP3 maildrop (spec 6.3): the visible
// rows of the user's INBOX in UID order.
type POP3Message struct {
	UID         int64 // message_idnr
	PhysID      int64
	UniqueID    string // the UIDL value (spec 2.14; never changes)
	Status      int    // 0 NEW, 1 SEEN
	MessageSize int64  // physmessage.messagesize (what DBMail's LIST said)
	RFCSize     int64  // physmessage.rfcsize: the CRLF wire form's length, 0 when unknown
}

// POP3Maildrop lists the visible messages (status < 2) of mailboxID in UID
// order; message numbers are positions in this list, from 1.
func (db *DB) POP3Maildrop(ctx context.Context, mailboxID int64) ([]POP3Message, error) {
	rows, err := db.Query(ctx, `SELECT m.message_idnr, m.physmessage_id, m.unique_id, m.status, p.messagesize, p.rfcsize
		FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id
		WHERE m.mailbox_idnr = ? AND m.status < 2 ORDER BY m.message_idnr`, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("pop3 maildrop of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	var out []POP3Message
	for rows.Next() {
		var m POP3Message
		var uid *string
		if err := rows.Scan(&m.UID, &m.PhysID, &uid, &m.Status, &m.MessageSize, &m.RFCSize); err != nil {
			return nil, fmt.Errorf("pop3 maildrop of mailbox %d: %w", mailboxID, err)
		}
		if uid != nil {
			m.UniqueID = *uid
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pop3 maildrop of mailbox %d: %w", mailboxID, err)
	}
	return out, nil
}

// POP3Update is the POP3 UPDATE state (RFC 1939 §6, spec 6.3, 2.16): in one
// transaction, and only while the session still holds its maildrop lock
// (token), messages retrieved get status 1 and messages deleted status 2
// (rows still below 2 only), the mailbox MODSEQ is bumped when anything
// changed, the user's quota is rebuilt and the lock is released. It
// returns false, changing nothing, when the lock was lost.
func (db *DB) POP3Update(ctx context.Context, userID, mailboxID int64, token string, retrieved, deleted []int64) (bool, error) {
	held := true
	err := db.InTx(ctx, func(tx *Tx) error {
		// The session ends with this transaction: the lock goes with it,
		// and deleting it proves it was still held.
		res, err := tx.Exec(ctx, `DELETE FROM {pop3_locks} WHERE user_idnr = ? AND token = ?`, userID, token)
		if err != nil {
			return fmt.Errorf("release pop3 lock: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("release pop3 lock: %w", err)
		}
		if n == 0 {
			held = false
			return nil
		}
		if len(retrieved) == 0 && len(deleted) == 0 {
			return nil
		}
		if _, err := tx.bumpMailboxSeq(ctx, mailboxID); err != nil {
			return err
		}
		for _, set := range []struct {
			uids   []int64
			status int
			cond   string
		}{{deleted, 2, `status < 2`}, {retrieved, 1, `status = 0`}} {
			uids := set.uids
			for len(uids) > 0 {
				k := min(len(uids), chunk)
				args := append([]any{set.status, mailboxID}, int64Args(uids[:k])...)
				if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = ? WHERE mailbox_idnr = ? AND `+set.cond+` AND message_idnr IN `+inList(k), args...); err != nil {
					return fmt.Errorf("set status %d: %w", set.status, err)
				}
				uids = uids[k:]
			}
		}
		if len(deleted) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE {users} SET curmail_size = (SELECT COALESCE(SUM(p.messagesize), 0) FROM {messages} m
			JOIN {physmessage} p ON p.id = m.physmessage_id JOIN {mailboxes} b ON b.mailbox_idnr = m.mailbox_idnr
			WHERE b.owner_idnr = ? AND m.status < 2) WHERE user_idnr = ?`, userID, userID)
		if err != nil {
			return fmt.Errorf("recompute quota: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("pop3 update of user %d: %w", userID, err)
	}
	return held, nil
}

// RecordPOPBeforeSMTP upserts the client address into dbmail_pbsp with
// since = now (spec 8.3, POP_BEFORE_SMTP).
func (db *DB) RecordPOPBeforeSMTP(ctx context.Context, ip string) error {
	now := db.timestampLiteral()
	var q string
	switch db.Dialect {
	case Postgres:
		q = `INSERT INTO {pbsp} (since, ipnumber) VALUES (` + now + `, CAST(? AS INET)) ON CONFLICT (ipnumber) DO UPDATE SET since = EXCLUDED.since`
	case MySQL:
		q = `INSERT INTO {pbsp} (since, ipnumber) VALUES (` + now + `, ?) ON DUPLICATE KEY UPDATE since = VALUES(since)`
	default:
		q = `INSERT INTO {pbsp} (since, ipnumber) VALUES (?, ?) ON CONFLICT (ipnumber) DO UPDATE SET since = excluded.since`
	}
	if _, err := db.Exec(ctx, q, time.Now().Format("2006-01-02 15:04:05"), ip); err != nil {
		return fmt.Errorf("pop-before-smtp %s: %w", ip, err)
	}
	return nil
}
