package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	sqlschema "github.com/dbmail-go/dbmail/sql"
)

// Errors Migrate returns (wrapped, with detail) when it refuses a database.
var (
	// ErrSchemaTooOld: a DBMail 2.x database (spec 1.2, 1.9).
	ErrSchemaTooOld = errors.New("database schema is DBMail 2.x")
	// ErrSchemaTooNew: a step this build does not know is recorded.
	ErrSchemaTooNew = errors.New("database schema is newer than this dbmail-go")
	// ErrSchemaPartial: some DBMail tables exist but dbmail_users does not.
	ErrSchemaPartial = errors.New("database holds a partial DBMail schema")
)

// Migrate brings the database to DBMail schema level 35002 plus dbmail-go's
// own optional steps, following spec 1.2:
//
//   - no users table: create the schema (one transaction on PostgreSQL and
//     SQLite; MySQL commits each DDL statement, so a failure there leaves a
//     partial schema, which the error says);
//   - users but no mimeparts or header: DBMail 2.x, refused;
//   - otherwise apply every missing step in order, each in its own
//     transaction where the backend has transactional DDL, each inserting its
//     dbmail_upgrade_steps row; a recorded step newer than any this build
//     knows is refused;
//   - finally insert any of the twelve core header names that are missing
//     (spec 1.6).
//
// Several processes may call it at once: PostgreSQL serialises them with
// pg_advisory_lock, MySQL with GET_LOCK (both keyed by database and table
// prefix), SQLite with BEGIN IMMEDIATE transactions that re-inspect the
// schema before each change.
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: get connection: %w", err)
	}
	defer conn.Close()
	release, err := db.lockSchema(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer release()

	// Each round applies one change; a fresh database needs one, an old one
	// at most one per step. More rounds than that means a step does not
	// record itself, which must not loop forever.
	limit := len(sqlschema.Steps()) + 2
	for round := 0; ; round++ {
		if round == limit {
			return fmt.Errorf("migrate: schema still incomplete after %d changes", limit)
		}
		did, err := db.migrateOnce(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if did == actCreate && db.Dialect == SQLite {
			if err := db.sqliteAutoVacuum(ctx, conn); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
		if did == actDone {
			break
		}
	}
	if err := db.ensureHeaderNames(ctx, conn); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaLevel returns the highest to_version recorded in upgrade_steps
// (35002 for a DBMail 3.5 database, 90001 and up once dbmail-go's own
// steps ran), or 0 when there is no upgrade_steps table: an empty database
// or one older than DBMail 3.2.
func (db *DB) SchemaLevel(ctx context.Context) (int, error) {
	st, err := db.inspect(ctx, db.SQL)
	if err != nil {
		return 0, fmt.Errorf("schema level: %w", err)
	}
	level := 0
	for _, r := range st.steps {
		level = max(level, r.To)
	}
	return level, nil
}

// queryer is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// migrateOnce inspects the schema and makes the next change, if any, in a
// transaction of its own (except on MySQL, whose DDL commits implicitly).
// It reports what it did; actDone means the schema was already complete.
func (db *DB) migrateOnce(ctx context.Context, conn *sql.Conn) (did actionKind, err error) {
	var q queryer = conn
	var tx *sql.Tx
	if db.Dialect != MySQL {
		// On SQLite the DSN's _txlock=immediate makes this BEGIN IMMEDIATE:
		// the write lock is held from the inspection to the commit.
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return actNone, fmt.Errorf("begin: %w", err)
		}
		defer func() {
			if tx != nil {
				_ = tx.Rollback()
			}
		}()
		q = tx
	}
	st, err := db.inspect(ctx, q)
	if err != nil {
		return actNone, err
	}
	act, err := plan(st)
	if err != nil {
		return actNone, err
	}
	backend := db.backend()
	switch act.kind {
	case actDone:
		return actDone, nil
	case actCreate:
		stmts, err := sqlschema.Create(backend, db.Prefix)
		if err != nil {
			return actNone, err
		}
		stmts, _ = splitPragmas(stmts)
		for _, s := range sqlschema.Steps() {
			if s.Own {
				more, err := sqlschema.StepSQL(backend, s.To, db.Prefix)
				if err != nil {
					return actNone, err
				}
				stmts = append(stmts, more...)
			}
		}
		if db.Dialect == MySQL {
			// create.sql turns foreign key checks off for this session; a
			// failure half-way must not leave them off on a pooled conn.
			defer conn.ExecContext(context.WithoutCancel(ctx), "SET FOREIGN_KEY_CHECKS = 1")
		}
		if err := runStatements(ctx, q, stmts); err != nil {
			if db.Dialect == MySQL {
				return actNone, fmt.Errorf("create schema: %w (MySQL commits each DDL statement: the database now holds a partial schema; drop its %s* tables and start again)", err, db.Prefix)
			}
			return actNone, fmt.Errorf("create schema: %w", err)
		}
		slog.InfoContext(ctx, "database schema created", "dialect", db.Dialect.String(),
			"prefix", db.Prefix, "level", sqlschema.LatestStep())
	case actStep:
		stmts, err := sqlschema.StepSQL(backend, act.step.To, db.Prefix)
		if err != nil {
			return actNone, err
		}
		if err := runStatements(ctx, q, stmts); err != nil {
			return actNone, fmt.Errorf("upgrade step (%d, %d): %w", act.step.From, act.step.To, err)
		}
		slog.InfoContext(ctx, "database schema upgraded", "dialect", db.Dialect.String(),
			"prefix", db.Prefix, "from", act.step.From, "to", act.step.To)
	}
	if tx != nil {
		err := tx.Commit()
		tx = nil
		if err != nil {
			return actNone, fmt.Errorf("commit: %w", err)
		}
	}
	return act.kind, nil
}

// sqliteAutoVacuum turns on auto_vacuum (spec 1.3: DBMail sets it at
// creation) for the database just created. SQLite ignores the PRAGMA inside
// a transaction and, once the database is in WAL mode (the DSN asks for
// it), on any database with pages; a VACUUM outside a transaction applies it.
// On a just-created database the VACUUM is cheap.
func (db *DB) sqliteAutoVacuum(ctx context.Context, conn *sql.Conn) error {
	stmts, err := sqlschema.Create(sqlschema.SQLite, db.Prefix)
	if err != nil {
		return err
	}
	_, pragmas := splitPragmas(stmts)
	if err := runStatements(ctx, conn, append(pragmas, "VACUUM")); err != nil {
		return fmt.Errorf("sqlite auto_vacuum: %w", err)
	}
	return nil
}

// splitPragmas separates PRAGMA statements from the others.
func splitPragmas(stmts []string) (rest, pragmas []string) {
	for _, s := range stmts {
		if len(s) >= 6 && strings.EqualFold(s[:6], "PRAGMA") {
			pragmas = append(pragmas, s)
		} else {
			rest = append(rest, s)
		}
	}
	return rest, pragmas
}

func runStatements(ctx context.Context, q queryer, stmts []string) error {
	for i, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("statement %d of %d (%s): %w", i+1, len(stmts), abbreviate(s), err)
		}
	}
	return nil
}

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 72 {
		return s[:72] + "…"
	}
	return s
}

func (db *DB) backend() sqlschema.Backend {
	switch db.Dialect {
	case Postgres:
		return sqlschema.PostgreSQL
	case MySQL:
		return sqlschema.MySQL
	}
	return sqlschema.SQLite
}

// schemaState is what Migrate needs to know about a database.
type schemaState struct {
	objects map[string]bool  // tables and views with the prefix, named without it
	steps   []sqlschema.Step // rows of upgrade_steps, if the table exists
}

// inspect lists the prefix's tables and views and reads upgrade_steps.
func (db *DB) inspect(ctx context.Context, q queryer) (schemaState, error) {
	var list string
	switch db.Dialect {
	case Postgres:
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	case MySQL:
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	default:
		list = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
	}
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		return schemaState{}, fmt.Errorf("list tables: %w", err)
	}
	st := schemaState{objects: map[string]bool{}}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return schemaState{}, fmt.Errorf("list tables: %w", err)
		}
		if strings.HasPrefix(name, db.Prefix) {
			st.objects[name[len(db.Prefix):]] = true
		}
	}
	if err := rows.Close(); err != nil {
		return schemaState{}, fmt.Errorf("list tables: %w", err)
	}
	if err := rows.Err(); err != nil {
		return schemaState{}, fmt.Errorf("list tables: %w", err)
	}
	if !st.objects["upgrade_steps"] {
		return st, nil
	}
	rows, err = q.QueryContext(ctx, db.Q("SELECT from_version, to_version FROM {upgrade_steps}"))
	if err != nil {
		return schemaState{}, fmt.Errorf("read upgrade steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s sqlschema.Step
		if err := rows.Scan(&s.From, &s.To); err != nil {
			return schemaState{}, fmt.Errorf("read upgrade steps: %w", err)
		}
		st.steps = append(st.steps, s)
	}
	if err := rows.Err(); err != nil {
		return schemaState{}, fmt.Errorf("read upgrade steps: %w", err)
	}
	return st, nil
}

type actionKind int

const (
	actNone   actionKind = iota // returned with errors
	actDone                     // the schema is complete
	actCreate                   // create the schema in an empty database
	actStep                     // apply one upgrade step
)

type action struct {
	kind actionKind
	step sqlschema.Step
}

// plan decides the next change from a schema's state: spec 1.2's detection
// table, in order.
func plan(st schemaState) (action, error) {
	if !st.objects["users"] {
		var found []string
		for _, t := range append(sqlschema.Tables(sqlschema.PostgreSQL), sqlschema.Views()...) {
			if st.objects[t] {
				found = append(found, t)
			}
		}
		if len(found) > 0 {
			sort.Strings(found)
			return action{}, fmt.Errorf("%w: no users table but %s exist; drop them or restore the database",
				ErrSchemaPartial, strings.Join(found, ", "))
		}
		return action{kind: actCreate}, nil
	}
	if !st.objects["mimeparts"] || !st.objects["header"] {
		return action{}, fmt.Errorf("%w (users table without mimeparts/header): migrate it to 3.0 first with DBMail's sql/<backend>/2_2-3_0 script, then run dbmail-util -M and -by",
			ErrSchemaTooOld)
	}
	known := map[int]bool{}
	for _, s := range sqlschema.Steps() {
		known[s.To] = true
	}
	have := map[int]bool{}
	for _, r := range st.steps {
		have[r.To] = true
		if !known[r.To] && r.To > sqlschema.Level {
			return action{}, fmt.Errorf("%w: step %d (from %d) is recorded in upgrade_steps; this build knows steps up to %d",
				ErrSchemaTooNew, r.To, r.From, sqlschema.LatestStep())
		}
	}
	for _, s := range sqlschema.Steps() {
		if !have[s.To] {
			return action{kind: actStep, step: s}, nil
		}
	}
	return action{kind: actDone}, nil
}

// ensureHeaderNames inserts the core header names that are missing, as
// every DBMail process does at start-up (spec 1.6).
func (db *DB) ensureHeaderNames(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("header names: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.Q("SELECT lower(headername) FROM {headername}"))
	if err != nil {
		return fmt.Errorf("header names: %w", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("header names: %w", err)
		}
		have[n] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("header names: %w", err)
	}
	for _, n := range sqlschema.HeaderNames() {
		if have[n] {
			continue
		}
		if _, err := tx.ExecContext(ctx, db.Q("INSERT INTO {headername} (headername) VALUES (?)"), n); err != nil {
			return fmt.Errorf("header names: insert %q: %w", n, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("header names: commit: %w", err)
	}
	return nil
}

// lockSchema serialises Migrate across processes sharing the database.
// PostgreSQL and MySQL take a session lock on conn, keyed by database and
// table prefix; SQLite relies on BEGIN IMMEDIATE in each round instead.
func (db *DB) lockSchema(ctx context.Context, conn *sql.Conn) (release func(), err error) {
	name := "dbmail-go schema " + db.Prefix
	switch db.Dialect {
	case Postgres:
		// Advisory locks are per database, so only the prefix goes in the key.
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", name); err != nil {
			return nil, fmt.Errorf("take schema lock: %w", err)
		}
		return func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", name); err != nil {
				slog.WarnContext(ctx, "release schema lock", "err", err)
			}
		}, nil
	case MySQL:
		// GET_LOCK names are server-wide (and at most 64 characters): hash
		// the database name and prefix into one.
		const lockName = "CONCAT('dbmail-go:', MD5(CONCAT(DATABASE(), '/', ?)))"
		for {
			var got sql.NullInt64
			if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", 5)", name).Scan(&got); err != nil {
				return nil, fmt.Errorf("take schema lock: %w", err)
			}
			if got.Valid && got.Int64 == 1 {
				break
			}
			if !got.Valid {
				return nil, errors.New("take schema lock: GET_LOCK returned NULL")
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("take schema lock: %w", ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
		return func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+lockName+")", name); err != nil {
				slog.WarnContext(ctx, "release schema lock", "err", err)
			}
		}, nil
	}
	return func() {}, nil
}
