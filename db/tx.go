package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what both *sql.DB, *sql.Conn and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a transaction with the dialect's query rewriting applied to every
// statement. Every multi-row change of the data layer runs in one Tx.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// Exec runs a statement written in the portable form (see Rewriter.Q).
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.Q(q), args...)
}

// Query runs a query written in the portable form.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.Q(q), args...)
}

// QueryRow runs a single-row query written in the portable form.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.Q(q), args...)
}

// Insert runs an INSERT into table and returns the new row's key column:
// RETURNING on PostgreSQL, LAST_INSERT_ID()/last_insert_rowid() elsewhere
// (spec 1.3).
func (t *Tx) Insert(ctx context.Context, q, keyColumn string, args ...any) (int64, error) {
	return insertID(ctx, t.db, t.tx, q, keyColumn, args...)
}

func insertID(ctx context.Context, db *DB, x Querier, q, keyColumn string, args ...any) (int64, error) {
	if db.Dialect == Postgres {
		var id int64
		if err := x.QueryRowContext(ctx, db.Q(q)+" RETURNING "+keyColumn, args...).Scan(&id); err != nil {
			return 0, err
		}
		return id, nil
	}
	res, err := x.ExecContext(ctx, db.Q(q), args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Exec runs a statement outside a transaction.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.h().ExecContext(ctx, db.Q(q), args...)
}

// Query runs a query outside a transaction.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.h().QueryContext(ctx, db.Q(q), args...)
}

// QueryRow runs a single-row query outside a transaction.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.h().QueryRowContext(ctx, db.Q(q), args...)
}

// maxTxAttempts bounds the retries of a transaction that lost a deadlock or
// serialization race; such a loser is rolled back whole, so retrying is safe.
const maxTxAttempts = 8

// InTx runs fn in a transaction and commits it. A deadlock, a serialization
// failure or a busy SQLite database rolls back and retries fn (which must
// therefore only touch the database through tx). Any other error rolls back
// and is returned.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		if attempt > 0 {
			if err := retryPause(ctx, attempt); err != nil {
				return err
			}
		}
		err = db.tryTx(ctx, fn)
		if err == nil || !IsRetryable(err) {
			return err
		}
	}
	return fmt.Errorf("transaction failed after %d attempts: %w", maxTxAttempts, err)
}

// retryPause waits before retry number attempt (1, 2, …) of work that
// lost a conflict: 5 ms, 20 ms, 45 ms, … so the winners can finish.
func retryPause(ctx context.Context, attempt int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		return nil
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.h().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &Tx{tx: stx, db: db}
	if err := fn(t); err != nil {
		stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsRetryable reports whether err is a transient conflict after which the
// whole transaction may be run again.
func IsRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
		return false
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1213, 1205: // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
			return true
		}
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// IsTemporary reports whether err means the database is unreachable or
// overloaded, rather than that the request itself is wrong: protocols answer
// such errors with their temporary failure (LMTP 451, IMAP NO [UNAVAILABLE],
// POP3 -ERR [SYS/TEMP], dbmail-deliver EX_TEMPFAIL).
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrQuota) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) ||
		errors.Is(err, ErrPermission) || errors.Is(err, ErrInvalid) {
		return false
	}
	return true
}

// Errors the data layer returns for conditions callers answer differently.
var (
	ErrNotFound   = errors.New("not found")
	ErrExists     = errors.New("already exists")
	ErrQuota      = errors.New("quota exceeded")
	ErrPermission = errors.New("permission denied")
	ErrInvalid    = errors.New("invalid argument")
)

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
