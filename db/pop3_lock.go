package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// POP3 maildrop lock (RFC 1939 §8: "the POP3 server acquires an
// exclusive-access lock on the maildrop").
//
// DBMail takes no lock at all. dbmail-go keeps one row per locked user in a
// small table of its own, {pop3_locks}, created with CREATE TABLE IF NOT
// EXISTS (DBMail ignores tables it does not know, so switching back is
// unaffected). The row carries a random token and a lease expiry in
// database clock seconds, so every daemon process on every host sharing the
// database sees the same lock and the same clock. A session refreshes its
// lease while it lives and deletes the row when it ends; a crashed daemon's
// row simply expires and the next login removes it. This works the same on
// PostgreSQL, MySQL/MariaDB and SQLite (advisory locks would tie the lock
// to one connection of the worker pool, and SQLite has none).

// POP3LockTable is the unprefixed name of the lock table.
const POP3LockTable = "pop3_locks"

// EnsurePOP3Locks creates the lock table when it does not exist yet.
func (db *DB) EnsurePOP3Locks(ctx context.Context) error {
	_, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS {pop3_locks} (
		user_idnr BIGINT NOT NULL PRIMARY KEY,
		token VARCHAR(64) NOT NULL,
		holder VARCHAR(255) NOT NULL,
		expires BIGINT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("create %s: %w", db.Table(POP3LockTable), err)
	}
	return nil
}

// epochNow is the dialect's current time in Unix seconds, taken from the
// database server so that hosts with skewed clocks agree.
func (db *DB) epochNow() string {
	switch db.Dialect {
	case Postgres:
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)`
	case MySQL:
		return `UNIX_TIMESTAMP()`
	}
	return `CAST(strftime('%s','now') AS INTEGER)`
}

// AcquirePOP3Lock takes userID's maildrop lock for lease with token (a
// random string unique to the session) and holder (host and process, for
// operators). It returns false when another live session holds it. An
// expired lock is removed first.
func (db *DB) AcquirePOP3Lock(ctx context.Context, userID int64, token, holder string, lease time.Duration) (bool, error) {
	now := db.epochNow()
	if len(holder) > 255 {
		holder = holder[:255]
	}
	secs := int64(lease / time.Second)
	var q string
	switch db.Dialect {
	case MySQL:
		if _, err := db.Exec(ctx, `DELETE FROM {pop3_locks} WHERE user_idnr = ? AND expires < `+now, userID); err != nil {
			return false, fmt.Errorf("pop3 lock of user %d: remove expired: %w", userID, err)
		}
		q = `INSERT IGNORE INTO {pop3_locks} (user_idnr, token, holder, expires) VALUES (?, ?, ?, ` + now + ` + ?)`
	default:
		// One statement: insert, or take over an expired lock.
		q = `INSERT INTO {pop3_locks} (user_idnr, token, holder, expires) VALUES (?, ?, ?, ` + now + ` + ?)
			ON CONFLICT (user_idnr) DO UPDATE SET token = excluded.token, holder = excluded.holder, expires = excluded.expires
			WHERE {pop3_locks}.expires < ` + now
	}
	res, err := db.Exec(ctx, q, userID, token, holder, secs)
	if err != nil {
		return false, fmt.Errorf("pop3 lock of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("pop3 lock of user %d: %w", userID, err)
	}
	return n == 1, nil
}

// RefreshPOP3Lock extends the lease of a lock this session holds; false
// means the lock was lost (it expired and another session took it).
func (db *DB) RefreshPOP3Lock(ctx context.Context, userID int64, token string, lease time.Duration) (bool, error) {
	res, err := db.Exec(ctx, `UPDATE {pop3_locks} SET expires = `+db.epochNow()+` + ? WHERE user_idnr = ? AND token = ?`,
		int64(lease/time.Second), userID, token)
	if err != nil {
		return false, fmt.Errorf("refresh pop3 lock of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("refresh pop3 lock of user %d: %w", userID, err)
	}
	// MySQL reports 0 affected rows when the value did not change (a
	// refresh within the same second); check the row is still ours.
	if n == 0 && db.Dialect == MySQL {
		var one int
		err := db.QueryRow(ctx, `SELECT 1 FROM {pop3_locks} WHERE user_idnr = ? AND token = ?`, userID, token).Scan(&one)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("refresh pop3 lock of user %d: %w", userID, err)
		}
	}
	return n == 1, nil
}

// ReleasePOP3Lock drops the lock if this session still holds it.
func (db *DB) ReleasePOP3Lock(ctx context.Context, userID int64, token string) error {
	if _, err := db.Exec(ctx, `DELETE FROM {pop3_locks} WHERE user_idnr = ? AND token = ?`, userID, token); err != nil {
		return fmt.Errorf("release pop3 lock of user %d: %w", userID, err)
	}
	return nil
}
