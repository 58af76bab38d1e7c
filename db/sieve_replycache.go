package db

import (
	"context"
	"fmt"
	"time"
)

// replyCacheLimit is how many bytes of each key DBMail writes to
// dbmail_replycache (spec 1.4).
const replyCacheLimit = 100

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ClaimReply decides whether an automatic reply (Sieve vacation, auto-reply)
// from → to under handle may be sent now, and if so records it, atomically
// (spec 1.4 dbmail_replycache, 6.6): it returns true when the cache has no
// row for (to, from, handle) or the row was last seen more than period
// ago, and sets lastseen to now in that case. Two deliveries racing for
// the same key get one true between them. A period <= 0 always claims.
// Keys are cut to 100 bytes as DBMail does; times are local, as DBMail
// writes them.
func (db *DB) ClaimReply(ctx context.Context, to, from, handle string, period time.Duration, now time.Time) (bool, error) {
	to, from, handle = truncateBytes(to, replyCacheLimit), truncateBytes(from, replyCacheLimit), truncateBytes(handle, replyCacheLimit)
	stamp := now.Local().Format("2006-01-02 15:04:05")
	ts := db.timestampLiteral()
	insert := `INSERT INTO {replycache} (to_addr, from_addr, handle, lastseen) VALUES (?, ?, ?, ` + ts + `)`
	switch db.Dialect {
	case MySQL:
		insert = `INSERT IGNORE INTO {replycache} (to_addr, from_addr, handle, lastseen) VALUES (?, ?, ?, ` + ts + `)`
	default:
		insert += ` ON CONFLICT DO NOTHING`
	}
	n, err := db.affected(ctx, insert, to, from, handle, stamp)
	if err != nil {
		return false, fmt.Errorf("reply cache insert (%s, %s): %w", to, from, err)
	}
	if n > 0 {
		return true, nil
	}
	q, args := `UPDATE {replycache} SET lastseen = `+ts+` WHERE to_addr = ? AND from_addr = ? AND handle = ?`, []any{stamp, to, from, handle}
	if period > 0 {
		q += ` AND lastseen <= ` + ts
		args = append(args, now.Add(-period).Local().Format("2006-01-02 15:04:05"))
	}
	n, err = db.affected(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("reply cache update (%s, %s): %w", to, from, err)
	}
	// Without a period the claim stands even when MySQL counts an update
	// to the same second as no change.
	return n > 0 || period <= 0, nil
}

// ReplySeen reports whether (to, from, handle) was recorded within period
// before now, without recording anything (the duplicate test of RFC 7352
// asks before the delivery and records after it).
func (db *DB) ReplySeen(ctx context.Context, to, from, handle string, period time.Duration, now time.Time) (bool, error) {
	to, from, handle = truncateBytes(to, replyCacheLimit), truncateBytes(from, replyCacheLimit), truncateBytes(handle, replyCacheLimit)
	n, err := db.count(ctx, `SELECT COUNT(*) FROM {replycache} WHERE to_addr = ? AND from_addr = ? AND handle = ? AND lastseen > `+db.timestampLiteral(),
		to, from, handle, now.Add(-period).Local().Format("2006-01-02 15:04:05"))
	if err != nil {
		return false, fmt.Errorf("reply cache lookup (%s, %s): %w", to, from, err)
	}
	return n > 0, nil
}

// TouchReply records (to, from, handle) as seen now.
func (db *DB) TouchReply(ctx context.Context, to, from, handle string, now time.Time) error {
	_, err := db.ClaimReply(ctx, to, from, handle, 0, now)
	return err
}
