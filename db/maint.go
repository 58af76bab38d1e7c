package db

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Maintenance queries for dbmail-util (spec 7.2). Every check takes fix:
// false counts what it would change (the dry run), true changes it. Each
// returns the number of rows found.

// OrphanKind names one integrity check of `dbmail-util -t` (spec 7.2), in
// the order they run.
type OrphanKind int

// The orphan checks, in execution order.
const (
	OrphanPhysmessages OrphanKind = iota // physmessages with no message row
	OrphanPartlists                      // partlists whose physmessage is gone
	OrphanMimeparts                      // mimeparts referenced by no partlist
	OrphanHeaderNames                    // headernames referenced by no header row
	OrphanHeaderValues                   // headervalues referenced by no header row
)

// OrphanKinds lists every orphan check in execution order.
func OrphanKinds() []OrphanKind {
	return []OrphanKind{OrphanPhysmessages, OrphanPartlists, OrphanMimeparts, OrphanHeaderNames, OrphanHeaderValues}
}

// String is the noun dbmail-util prints ("Found [n] unconnected …").
func (k OrphanKind) String() string {
	switch k {
	case OrphanPhysmessages:
		return "physmessages"
	case OrphanPartlists:
		return "partlists"
	case OrphanMimeparts:
		return "mimeparts"
	case OrphanHeaderNames:
		return "headernames"
	case OrphanHeaderValues:
		return "headervalues"
	}
	return "orphans"
}

// orphanWhere is the table and the condition that makes a row an orphan.
func (k OrphanKind) orphanWhere() (table, where string) {
	switch k {
	case OrphanPhysmessages:
		return "physmessage", `NOT EXISTS (SELECT 1 FROM {messages} m WHERE m.physmessage_id = {physmessage}.id)`
	case OrphanPartlists:
		return "partlists", `NOT EXISTS (SELECT 1 FROM {physmessage} p WHERE p.id = {partlists}.physmessage_id)`
	case OrphanMimeparts:
		return "mimeparts", `NOT EXISTS (SELECT 1 FROM {partlists} l WHERE l.part_id = {mimeparts}.id)`
	case OrphanHeaderNames:
		return "headername", `NOT EXISTS (SELECT 1 FROM {header} h WHERE h.headername_id = {headername}.id)`
	default:
		return "headervalue", `NOT EXISTS (SELECT 1 FROM {header} h WHERE h.headervalue_id = {headervalue}.id)`
	}
}

// Orphans counts, or with fix deletes, the rows of one orphan kind. A
// physmessage's own partlists, header links, envelope and references rows
// cascade with it (spec 1.4); the parts and header values they used become
// orphans for the later kinds of the same run.
func (db *DB) Orphans(ctx context.Context, k OrphanKind, fix bool) (int64, error) {
	table, where := k.orphanWhere()
	if !fix {
		return db.count(ctx, `SELECT COUNT(*) FROM {`+table+`} WHERE `+where)
	}
	return db.affected(ctx, `DELETE FROM {`+table+`} WHERE `+where)
}

// PurgeDeleted counts, or deletes, the message rows with status 3 (PURGE):
// `dbmail-util -p`.
func (db *DB) PurgeDeleted(ctx context.Context, fix bool) (int64, error) {
	if !fix {
		return db.count(ctx, `SELECT COUNT(*) FROM {messages} WHERE status = 3`)
	}
	return db.affected(ctx, `DELETE FROM {messages} WHERE status = 3`)
}

// SetDeleted counts the status-2 (DELETE) rows, or moves them to status 3
// and then rebuilds every user's curmail_size: `dbmail-util -d`.
func (db *DB) SetDeleted(ctx context.Context, fix bool) (int64, error) {
	if !fix {
		return db.count(ctx, `SELECT COUNT(*) FROM {messages} WHERE status = 2`)
	}
	n, err := db.affected(ctx, `UPDATE {messages} SET status = 3 WHERE status = 2`)
	if err != nil {
		return n, err
	}
	return n, db.RecomputeAllQuotas(ctx)
}

// RecomputeAllQuotas sets every user's curmail_size to the sum of
// messagesize of the visible messages (status < 2) in the mailboxes the
// user owns (spec 2.16).
func (db *DB) RecomputeAllQuotas(ctx context.Context) error {
	_, err := db.Exec(ctx, `UPDATE {users} SET curmail_size = (SELECT COALESCE(SUM(p.messagesize), 0) FROM {messages} m
		JOIN {physmessage} p ON p.id = m.physmessage_id JOIN {mailboxes} b ON b.mailbox_idnr = m.mailbox_idnr
		WHERE b.owner_idnr = {users}.user_idnr AND m.status < 2)`)
	if err != nil {
		return fmt.Errorf("recompute quotas: %w", err)
	}
	return nil
}

// InvalidAliases counts, or removes, the alias rows whose numeric
// deliver_to names no existing user (forwards are not checked):
// `dbmail-util -s`.
func (db *DB) InvalidAliases(ctx context.Context, fix bool) (int64, error) {
	users := map[int64]bool{}
	rows, err := db.Query(ctx, `SELECT user_idnr FROM {users}`)
	if err != nil {
		return 0, fmt.Errorf("list users: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list users: %w", err)
		}
		users[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list users: %w", err)
	}
	rows, err = db.Query(ctx, `SELECT alias_idnr, deliver_to FROM {aliases}`)
	if err != nil {
		return 0, fmt.Errorf("list aliases: %w", err)
	}
	var bad []int64
	for rows.Next() {
		var id int64
		var to string
		if err := rows.Scan(&id, &to); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list aliases: %w", err)
		}
		if !isDecimal(to) {
			continue
		}
		if uid, err := strconv.ParseInt(to, 10, 64); err != nil || !users[uid] {
			bad = append(bad, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list aliases: %w", err)
	}
	if !fix {
		return int64(len(bad)), nil
	}
	for _, id := range bad {
		if _, err := db.Exec(ctx, `DELETE FROM {aliases} WHERE alias_idnr = ?`, id); err != nil {
			return 0, fmt.Errorf("delete alias %d: %w", id, err)
		}
	}
	return int64(len(bad)), nil
}

// ClearReplyCache counts, or deletes, dbmail_replycache rows last seen
// before the cutoff: `dbmail-util -r TIME`.
func (db *DB) ClearReplyCache(ctx context.Context, before time.Time, fix bool) (int64, error) {
	return db.olderThan(ctx, "replycache", "lastseen", before, fix)
}

// ClearIPLog counts, or deletes, dbmail_pbsp rows older than the cutoff:
// `dbmail-util -l TIME` / `--clear-iplog TIME`.
func (db *DB) ClearIPLog(ctx context.Context, before time.Time, fix bool) (int64, error) {
	return db.olderThan(ctx, "pbsp", "since", before, fix)
}

// olderThan handles the TIMESTAMP cutoffs of -r and -l; the cutoff is
// written as local time, as DBMail writes these columns (spec 7.2).
func (db *DB) olderThan(ctx context.Context, table, col string, before time.Time, fix bool) (int64, error) {
	cut := before.Local().Format("2006-01-02 15:04:05")
	where := ` WHERE ` + col + ` < ` + db.timestampLiteral()
	if !fix {
		return db.count(ctx, `SELECT COUNT(*) FROM {`+table+`}`+where, cut)
	}
	return db.affected(ctx, `DELETE FROM {`+table+`}`+where, cut)
}

// count runs a COUNT(*) query.
func (db *DB) count(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// affected runs a statement and returns how many rows it changed.
func (db *DB) affected(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := db.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}
