package db

import (
	"context"
	"fmt"
)

// chargeQuota adds size to the user's curmail_size only if that keeps it
// within maxmail_size (0 = unlimited), in one conditional UPDATE, so two
// concurrent deliveries can never both squeeze under the limit (spec 2.16).
func (tx *Tx) chargeQuota(ctx context.Context, userID, size int64) error {
	res, err := tx.Exec(ctx, `UPDATE {users} SET curmail_size = curmail_size + ? WHERE user_idnr = ? AND (maxmail_size = 0 OR curmail_size + ? <= maxmail_size)`, size, userID, size)
	if err != nil {
		return fmt.Errorf("charge quota of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("charge quota of user %d: %w", userID, err)
	}
	if n == 0 {
		if size == 0 {
			return nil
		}
		return fmt.Errorf("user %d: %w", userID, ErrQuota)
	}
	return nil
}

// addQuotaUsage adjusts curmail_size by delta (negative after expunge or
// delete), never below zero.
func (tx *Tx) addQuotaUsage(ctx context.Context, userID, delta int64) error {
	_, err := tx.Exec(ctx, `UPDATE {users} SET curmail_size = CASE WHEN curmail_size + ? < 0 THEN 0 ELSE curmail_size + ? END WHERE user_idnr = ?`, delta, delta, userID)
	if err != nil {
		return fmt.Errorf("update quota of user %d: %w", userID, err)
	}
	return nil
}

// RecomputeQuota rebuilds a user's curmail_size from the visible messages
// of the mailboxes the user owns, as `dbmail-util -d` and POP3 QUIT do
// (spec 2.16).
func (db *DB) RecomputeQuota(ctx context.Context, userID int64) error {
	_, err := db.Exec(ctx, `UPDATE {users} SET curmail_size = (SELECT COALESCE(SUM(p.messagesize), 0) FROM {messages} m
		JOIN {physmessage} p ON p.id = m.physmessage_id JOIN {mailboxes} b ON b.mailbox_idnr = m.mailbox_idnr
		WHERE b.owner_idnr = ? AND m.status < 2) WHERE user_idnr = ?`, userID, userID)
	if err != nil {
		return fmt.Errorf("recompute quota of user %d: %w", userID, err)
	}
	return nil
}

// QuotaUsage returns (curmail_size, maxmail_size) of a user.
func (db *DB) QuotaUsage(ctx context.Context, userID int64) (used, limit int64, err error) {
	err = db.QueryRow(ctx, `SELECT curmail_size, maxmail_size FROM {users} WHERE user_idnr = ?`, userID).Scan(&used, &limit)
	if err != nil {
		return 0, 0, fmt.Errorf("quota of user %d: %w", userID, err)
	}
	return used, limit, nil
}
