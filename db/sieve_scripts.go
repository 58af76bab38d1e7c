package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SieveTempScript is the name DBMail stores a script under while it is
// being validated (spec 6.5, 7.5). A leftover row of that name can exist
// after a crash; listings ignore it.
const SieveTempScript = "@!temp-script!@"

// SieveScript is one dbmail_sievescripts row without its text (spec 1.4).
type SieveScript struct {
	Name   string
	Active bool
}

// scriptArg is the value written to the script column: SQLite's DBMail
// stores scripts as BLOBs (spec 1.4), the other backends as text.
func (db *DB) scriptArg(src string) any {
	if db.Dialect == SQLite {
		return []byte(src)
	}
	return src
}

// SieveScripts lists the user's scripts by name, without the temporary
// validation row.
func (db *DB) SieveScripts(ctx context.Context, userID int64) ([]SieveScript, error) {
	rows, err := db.Query(ctx, `SELECT name, active FROM {sievescripts} WHERE owner_idnr = ? AND name <> ? ORDER BY name`, userID, SieveTempScript)
	if err != nil {
		return nil, fmt.Errorf("list sieve scripts of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []SieveScript
	for rows.Next() {
		var s SieveScript
		var active int64
		if err := rows.Scan(&s.Name, &active); err != nil {
			return nil, fmt.Errorf("list sieve scripts of user %d: %w", userID, err)
		}
		s.Active = active != 0
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sieve scripts of user %d: %w", userID, err)
	}
	return out, nil
}

// SieveScriptText returns a script's source and whether it is active;
// ErrNotFound when the user has no script of that name.
func (db *DB) SieveScriptText(ctx context.Context, userID int64, name string) (string, bool, error) {
	var src []byte
	var active int64
	err := db.QueryRow(ctx, `SELECT script, active FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, name).Scan(&src, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("sieve script %q of user %d: %w", name, userID, ErrNotFound)
	}
	if err != nil {
		return "", false, fmt.Errorf("read sieve script %q of user %d: %w", name, userID, err)
	}
	return string(src), active != 0, nil
}

// ActiveSieveScript returns the name and source of the user's active
// script; ErrNotFound when none is active. Should several rows be marked
// active (a database edited by hand), the first by name wins.
func (db *DB) ActiveSieveScript(ctx context.Context, userID int64) (name, src string, err error) {
	var b []byte
	err = db.QueryRow(ctx, `SELECT name, script FROM {sievescripts} WHERE owner_idnr = ? AND active = 1 AND name <> ? ORDER BY name`, userID, SieveTempScript).Scan(&name, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("active sieve script of user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("read active sieve script of user %d: %w", userID, err)
	}
	return name, string(b), nil
}

// PutSieveScript stores src under name: an existing script is replaced and
// keeps its active state, a new one is inactive (spec 6.5, 7.5). created
// reports whether the script is new. Callers validate src first.
func (db *DB) PutSieveScript(ctx context.Context, userID int64, name, src string) (created bool, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE {sievescripts} SET script = ? WHERE owner_idnr = ? AND name = ?`, db.scriptArg(src), userID, name)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n > 0 {
			created = false
			return nil
		}
		// MySQL reports 0 affected rows when the new text equals the old.
		var one int
		switch err := tx.QueryRow(ctx, `SELECT 1 FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, name).Scan(&one); {
		case err == nil:
			created = false
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		created = true
		_, err = tx.Exec(ctx, `INSERT INTO {sievescripts} (owner_idnr, name, script, active) VALUES (?, ?, ?, 0)`, userID, name, db.scriptArg(src))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store sieve script %q of user %d: %w", name, userID, err)
	}
	return created, nil
}

// ActivateSieveScript makes name the user's only active script (RFC 5804
// §2.8); ErrNotFound when there is no such script.
func (db *DB) ActivateSieveScript(ctx context.Context, userID int64, name string) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE {sievescripts} SET active = 0 WHERE owner_idnr = ? AND name <> ? AND active <> 0`, userID, name); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE {sievescripts} SET active = 1 WHERE owner_idnr = ? AND name = ?`, userID, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("activate sieve script %q of user %d: %w", name, userID, err)
	}
	return nil
}

// DeactivateSieveScripts clears the active mark of the named script, or of
// every script when name is "", and returns how many were active.
func (db *DB) DeactivateSieveScripts(ctx context.Context, userID int64, name string) (int64, error) {
	q, args := `UPDATE {sievescripts} SET active = 0 WHERE owner_idnr = ? AND active <> 0`, []any{userID}
	if name != "" {
		q += ` AND name = ?`
		args = append(args, name)
	}
	n, err := db.affected(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("deactivate sieve scripts of user %d: %w", userID, err)
	}
	return n, nil
}

// DeleteSieveScript removes a script; ErrNotFound when there is none.
// Whether the active script may be deleted is the caller's decision
// (ManageSieve refuses, dbmail-sievecmd -r allows it).
func (db *DB) DeleteSieveScript(ctx context.Context, userID int64, name string) error {
	n, err := db.affected(ctx, `DELETE FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, name)
	if err != nil {
		return fmt.Errorf("delete sieve script %q of user %d: %w", name, userID, err)
	}
	if n == 0 {
		return fmt.Errorf("sieve script %q of user %d: %w", name, userID, ErrNotFound)
	}
	return nil
}

// RenameSieveScript renames a script, keeping its active state (RFC 5804
// §2.11.1); ErrNotFound when oldName does not exist, ErrExists when
// newName does.
func (db *DB) RenameSieveScript(ctx context.Context, userID int64, oldName, newName string) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, oldName).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if oldName == newName {
			return nil
		}
		err = tx.QueryRow(ctx, `SELECT 1 FROM {sievescripts} WHERE owner_idnr = ? AND name = ?`, userID, newName).Scan(&one)
		if err == nil {
			return ErrExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE {sievescripts} SET name = ? WHERE owner_idnr = ? AND name = ?`, newName, userID, oldName)
		return err
	})
	if err != nil {
		return fmt.Errorf("rename sieve script %q of user %d to %q: %w", oldName, userID, newName, err)
	}
	return nil
}

// SieveSpace returns the user's Sieve quota (maxsieve_size, 0 = unlimited;
// the column does not exist on SQLite, which is always unlimited, spec
// 1.4) and the bytes the user's scripts other than except use now.
func (db *DB) SieveSpace(ctx context.Context, userID int64, except string) (max, used int64, err error) {
	if db.Dialect != SQLite {
		err = db.QueryRow(ctx, `SELECT maxsieve_size FROM {users} WHERE user_idnr = ?`, userID).Scan(&max)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, fmt.Errorf("user id %d: %w", userID, ErrNotFound)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read sieve quota of user %d: %w", userID, err)
		}
	}
	length := `OCTET_LENGTH(script)`
	if db.Dialect == SQLite {
		length = `LENGTH(CAST(script AS BLOB))`
	}
	var sum sql.NullInt64
	err = db.QueryRow(ctx, `SELECT SUM(`+length+`) FROM {sievescripts} WHERE owner_idnr = ? AND name <> ? AND name <> ?`, userID, except, SieveTempScript).Scan(&sum)
	if err != nil {
		return 0, 0, fmt.Errorf("sum sieve script sizes of user %d: %w", userID, err)
	}
	return max, sum.Int64, nil
}
