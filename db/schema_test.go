package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	sqlschema "github.com/dbmail-go/dbmail/sql"
)

// sortViews: the five sort views and their columns (spec 1.5), with
// subjectfield's sortfield from step 32002.
func sortViews() map[string][]string {
	return map[string][]string{
		"dbmail_fromfield":    {"physmessage_id", "fromfield"},
		"dbmail_ccfield":      {"physmessage_id", "ccfield"},
		"dbmail_tofield":      {"physmessage_id", "tofield"},
		"dbmail_subjectfield": {"physmessage_id", "subjectfield", "sortfield"},
		"dbmail_datefield":    {"physmessage_id", "datefield", "sortfield"},
	}
}

func wantCatalog(d db.Dialect) catalog {
	var c catalog
	switch d {
	case db.Postgres:
		c = wantPostgres()
	case db.MySQL:
		c = wantMySQL()
	default:
		c = wantSQLite()
	}
	sort.Strings(c.Indexes)
	sort.Strings(c.Constraints)
	sort.Strings(c.Triggers)
	sort.Strings(c.Sequences)
	sort.Strings(c.Options)
	return c
}

// compareCatalog reports every line that is missing from or extra in got.
func compareCatalog(t *testing.T, got, want catalog) {
	t.Helper()
	diffLines := func(what string, got, want []string) {
		t.Helper()
		g := map[string]bool{}
		for _, s := range got {
			g[s] = true
		}
		w := map[string]bool{}
		for _, s := range want {
			w[s] = true
			if !g[s] {
				t.Errorf("%s: missing %q", what, s)
			}
		}
		for _, s := range got {
			if !w[s] {
				t.Errorf("%s: unexpected %q", what, s)
			}
		}
	}
	tables := map[string]bool{}
	for k := range got.Columns {
		tables[k] = true
	}
	for k := range want.Columns {
		tables[k] = true
	}
	for tbl := range tables {
		if !reflect.DeepEqual(got.Columns[tbl], want.Columns[tbl]) {
			t.Errorf("columns of %s:\n got  %q\n want %q", tbl, got.Columns[tbl], want.Columns[tbl])
		}
	}
	if !reflect.DeepEqual(got.Views, want.Views) {
		t.Errorf("views:\n got  %v\n want %v", got.Views, want.Views)
	}
	diffLines("index", got.Indexes, want.Indexes)
	diffLines("constraint", got.Constraints, want.Constraints)
	diffLines("trigger", got.Triggers, want.Triggers)
	diffLines("sequence", got.Sequences, want.Sequences)
	diffLines("option", got.Options, want.Options)
}

// stepRows reads upgrade_steps as "from->to" in to_version order.
func stepRows(t *testing.T, d *db.DB) []string {
	t.Helper()
	r, err := d.SQL.Query(d.Q("SELECT from_version, to_version FROM {upgrade_steps} ORDER BY to_version"))
	if err != nil {
		t.Fatalf("read upgrade_steps: %v", err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var from, to int
		if err := r.Scan(&from, &to); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d->%d", from, to))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// allSteps is spec 1.2's eight rows plus dbmail-go's steps 90001 and 90002.
var allSteps = []string{"0->32001", "32001->32002", "32001->32003", "32001->32004",
	"32001->32005", "32001->32006", "32006->35001", "35001->35002", "35002->90001", "90001->90002", "90002->90003"}

// queryStrings returns each row of query as its columns joined by "|"
// (NULL as "NULL"), letting database/sql convert numbers and times.
func queryStrings(t *testing.T, d *db.DB, query string, args ...any) []string {
	t.Helper()
	r, err := d.SQL.Query(d.Q(query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSeeds checks the rows of spec 1.6 and 1.2.
func checkSeeds(t *testing.T, d *db.DB) {
	t.Helper()
	users := queryStrings(t, d, "SELECT userid, passwd, encryption_type FROM {users} ORDER BY user_idnr")
	wantUsers := []string{"__@!internal_delivery_user!@__||md5", "anyone||md5", "__public__||md5"}
	if !reflect.DeepEqual(users, wantUsers) {
		t.Errorf("users = %q, want %q", users, wantUsers)
	}
	names := queryStrings(t, d, "SELECT headername FROM {headername} ORDER BY headername")
	wantNames := []string{"bcc", "cc", "content-disposition", "content-type", "date", "from",
		"in-reply-to", "references", "reply-to", "return-path", "subject", "to"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("headername = %q, want %q", names, wantNames)
	}
	if got := stepRows(t, d); !reflect.DeepEqual(got, allSteps) {
		t.Errorf("upgrade_steps = %q, want %q", got, allSteps)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestSchemaFreshCatalog(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			compareCatalog(t, readCatalog(t, d), wantCatalog(d.Dialect))
			checkSeeds(t, d)
			level, err := d.SchemaLevel(ctxT(t))
			if err != nil || level != 90003 {
				t.Errorf("SchemaLevel = %d, %v; want 90003", level, err)
			}
		})
	}
}

func TestSchemaMigrateTwiceIsNoop(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			before := readCatalog(t, d)
			applied := queryStrings(t, d, "SELECT to_version, applied FROM {upgrade_steps} ORDER BY to_version")
			if err := d.Migrate(ctxT(t)); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			compareCatalog(t, readCatalog(t, d), before)
			checkSeeds(t, d)
			again := queryStrings(t, d, "SELECT to_version, applied FROM {upgrade_steps} ORDER BY to_version")
			if !reflect.DeepEqual(applied, again) {
				t.Errorf("upgrade_steps changed:\n before %q\n after  %q", applied, again)
			}
		})
	}
}

// TestSchemaHeaderNamesRestored: Migrate puts back core header names that
// are missing, as DBMail does at every start (spec 1.6).
func TestSchemaHeaderNamesRestored(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			if _, err := d.SQL.Exec(d.Q("DELETE FROM {headername} WHERE headername IN ('subject', 'bcc')")); err != nil {
				t.Fatal(err)
			}
			if _, err := d.SQL.Exec(d.Q("INSERT INTO {headername} (headername) VALUES ('x-spam-flag')")); err != nil {
				t.Fatal(err)
			}
			if err := d.Migrate(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			got := queryStrings(t, d, "SELECT headername FROM {headername} WHERE headername IN ('subject', 'bcc', 'x-spam-flag') ORDER BY headername")
			want := []string{"bcc", "subject", "x-spam-flag"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("headername = %q, want %q", got, want)
			}
		})
	}
}

// execScript runs statements on one connection (the MySQL scripts set
// session variables).
func execScript(t *testing.T, d *db.DB, stmts []string) {
	t.Helper()
	ctx := ctxT(t)
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func backendOf(d *db.DB) sqlschema.Backend {
	switch d.Dialect {
	case db.Postgres:
		return sqlschema.PostgreSQL
	case db.MySQL:
		return sqlschema.MySQL
	}
	return sqlschema.SQLite
}

// legacyDB returns an unmigrated DBMail 3.0/3.1 database holding one user
// with one message.
func legacyDB(t *testing.T, b dbtest.Backend) *db.DB {
	t.Helper()
	d := dbtest.Connect(t, b.Fresh(t), "dbmail_")
	stmts, err := sqlschema.Legacy31(backendOf(d), "dbmail_")
	if err != nil {
		t.Fatal(err)
	}
	execScript(t, d, stmts)
	execScript(t, d, []string{
		d.Q("INSERT INTO {users} (userid, passwd, encryption_type) VALUES ('alice', 'secret', '')"),
		d.Q("INSERT INTO {mailboxes} (owner_idnr, name) SELECT user_idnr, 'INBOX' FROM {users} WHERE userid = 'alice'"),
		d.Q("INSERT INTO {physmessage} (messagesize, rfcsize, internal_date) VALUES (10, 12, '2010-01-02 03:04:05')"),
		d.Q("INSERT INTO {messages} (mailbox_idnr, physmessage_id, unique_id, status) SELECT m.mailbox_idnr, p.id, 'abc', 1 FROM {mailboxes} m, {physmessage} p"),
	})
	return d
}

func checkUpgradedData(t *testing.T, d *db.DB) {
	t.Helper()
	got := queryStrings(t, d, "SELECT u.userid, u.active, u.spasswd, m.seq, m.unique_id"+
		" FROM {users} u JOIN {mailboxes} b ON b.owner_idnr = u.user_idnr JOIN {messages} m ON m.mailbox_idnr = b.mailbox_idnr")
	want := []string{"alice|1||0|abc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("upgraded rows = %q, want %q", got, want)
	}
}

// TestSchemaUpgradeFrom31 upgrades a DBMail 3.0/3.1 database (no
// upgrade_steps) step by step to 35002 + 90001 + 90002 (spec 1.2) and checks that
// the result is the fresh-install catalog and that old rows survive.
func TestSchemaUpgradeFrom31(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := legacyDB(t, b)
			if level, err := d.SchemaLevel(ctxT(t)); err != nil || level != 0 {
				t.Fatalf("SchemaLevel of a 3.1 database = %d, %v; want 0", level, err)
			}
			if err := d.Migrate(ctxT(t)); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			want := wantCatalog(d.Dialect)
			switch d.Dialect {
			case db.SQLite:
				// auto_vacuum is set when DBMail (or Migrate) creates the
				// file, not by upgrades; the legacy file was made without it.
				want.Options = []string{"auto_vacuum=0"}
			case db.MySQL:
				// Step 35001's CONVERT TO CHARACTER SET utf8mb4 widens text
				// columns of a utf8 (3-byte) table so that they still hold as
				// many characters: TEXT becomes MEDIUMTEXT, MEDIUMTEXT
				// LONGTEXT. A DBMail database upgraded this way has them too.
				widen := map[string]string{
					"headervalue text NN":                     "headervalue mediumtext NN",
					"script text NULL default=NULL":           "script mediumtext NULL default=NULL",
					"envelope text NN":                        "envelope mediumtext NN",
					"reply_body mediumtext NULL default=NULL": "reply_body longtext NULL default=NULL",
				}
				for tbl, cols := range want.Columns {
					for i, c := range cols {
						if w, ok := widen[c]; ok {
							want.Columns[tbl][i] = w
						}
					}
				}
			}
			compareCatalog(t, readCatalog(t, d), want)
			if got := stepRows(t, d); !reflect.DeepEqual(got, allSteps) {
				t.Errorf("upgrade_steps = %q, want %q", got, allSteps)
			}
			checkUpgradedData(t, d)
		})
	}
}

// TestSchemaUpgradeFrom32006 upgrades a DBMail 3.2-3.4 database (highest
// step 32006): only 35001, 35002, 90001 and 90002 are applied.
func TestSchemaUpgradeFrom32006(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := legacyDB(t, b)
			for _, to := range []int{32001, 32002, 32003, 32004, 32005, 32006} {
				stmts, err := sqlschema.StepSQL(backendOf(d), to, "dbmail_")
				if err != nil {
					t.Fatal(err)
				}
				execScript(t, d, stmts)
			}
			if level, err := d.SchemaLevel(ctxT(t)); err != nil || level != 32006 {
				t.Fatalf("SchemaLevel = %d, %v; want 32006", level, err)
			}
			// Mark the rows written so far, to see that Migrate keeps them.
			if _, err := d.SQL.Exec(d.Q("UPDATE {upgrade_steps} SET applied = '2015-06-07 08:09:10'")); err != nil {
				t.Fatal(err)
			}
			if err := d.Migrate(ctxT(t)); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if got := stepRows(t, d); !reflect.DeepEqual(got, allSteps) {
				t.Errorf("upgrade_steps = %q, want %q", got, allSteps)
			}
			old := queryStrings(t, d, "SELECT to_version FROM {upgrade_steps} WHERE applied < '2016-01-01' ORDER BY to_version")
			if want := []string{"32001", "32002", "32003", "32004", "32005", "32006"}; !reflect.DeepEqual(old, want) {
				t.Errorf("rows kept from before = %q, want %q", old, want)
			}
			checkUpgradedData(t, d)
		})
	}
}

func TestSchemaRefusesDBMail2(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Connect(t, b.Fresh(t), "dbmail_")
			// The tables a 2.2 database has that matter for detection:
			// users and messages, but no mimeparts or header.
			execScript(t, d, []string{
				"CREATE TABLE dbmail_users (user_idnr INTEGER PRIMARY KEY, userid VARCHAR(100) NOT NULL)",
				"CREATE TABLE dbmail_messageblks (messageblk_idnr INTEGER PRIMARY KEY, messageblk TEXT NOT NULL)",
			})
			err := d.Migrate(ctxT(t))
			if !errors.Is(err, db.ErrSchemaTooOld) {
				t.Fatalf("Migrate = %v, want ErrSchemaTooOld", err)
			}
			const want = "migrate: database schema is DBMail 2.x (users table without mimeparts/header): migrate it to 3.0 first with DBMail's sql/<backend>/2_2-3_0 script, then run dbmail-util -M and -by"
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
			checkUntouched(t, d, []string{"dbmail_messageblks", "dbmail_users"})
		})
	}
}

func TestSchemaRefusesNewerStep(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			if _, err := d.SQL.Exec(d.Q("INSERT INTO {upgrade_steps} (from_version, to_version, applied) VALUES (90003, 99999, '2030-01-01 00:00:00')")); err != nil {
				t.Fatal(err)
			}
			err := d.Migrate(ctxT(t))
			if !errors.Is(err, db.ErrSchemaTooNew) {
				t.Fatalf("Migrate = %v, want ErrSchemaTooNew", err)
			}
			const want = "migrate: database schema is newer than this dbmail-go: step 99999 (from 90003) is recorded in upgrade_steps; this build knows steps up to 90003"
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
		})
	}
}

func TestSchemaRefusesPartial(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Connect(t, b.Fresh(t), "dbmail_")
			execScript(t, d, []string{"CREATE TABLE dbmail_mimeparts (id INTEGER PRIMARY KEY)"})
			err := d.Migrate(ctxT(t))
			if !errors.Is(err, db.ErrSchemaPartial) {
				t.Fatalf("Migrate = %v, want ErrSchemaPartial", err)
			}
			const want = "migrate: database holds a partial DBMail schema: no users table but mimeparts exist; drop them or restore the database"
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
			checkUntouched(t, d, []string{"dbmail_mimeparts"})
		})
	}
}

// checkUntouched verifies a refused database still has exactly its tables.
func checkUntouched(t *testing.T, d *db.DB, want []string) {
	t.Helper()
	got := make([]string, 0, len(want))
	for tbl := range readCatalog(t, d).Columns {
		got = append(got, tbl)
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tables after refusal = %q, want %q", got, want)
	}
}

// TestSchemaConcurrentMigrate starts two Migrate calls, on two separate
// connection pools as two processes would have, against one empty database.
func TestSchemaConcurrentMigrate(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			uri := b.Fresh(t)
			dbs := []*db.DB{dbtest.Connect(t, uri, "dbmail_"), dbtest.Connect(t, uri, "dbmail_")}
			var wg sync.WaitGroup
			errs := make([]error, len(dbs))
			start := make(chan struct{})
			for i, d := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = d.Migrate(context.Background())
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Migrate #%d: %v", i, err)
				}
			}
			compareCatalog(t, readCatalog(t, dbs[0]), wantCatalog(dbs[0].Dialect))
			checkSeeds(t, dbs[1])
		})
	}
}

// TestSchemaPrefix creates two schemas with different prefixes in one
// database (spec 1.1): every name is rewritten, nothing collides, and the
// foreign keys (triggers on SQLite) of each schema work within it.
func TestSchemaPrefix(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			uri := b.Fresh(t)
			def := dbtest.Connect(t, uri, "dbmail_")
			if err := def.Migrate(ctxT(t)); err != nil {
				t.Fatalf("Migrate dbmail_: %v", err)
			}
			d := dbtest.Connect(t, uri, "test_")
			if err := d.Migrate(ctxT(t)); err != nil {
				t.Fatalf("Migrate test_: %v", err)
			}
			checkSeeds(t, d)
			checkSeeds(t, def)

			c := readCatalog(t, d)
			want := wantCatalog(d.Dialect)
			for tbl, cols := range want.Columns {
				renamed := "test_" + strings.TrimPrefix(tbl, "dbmail_")
				got := c.Columns[renamed]
				if d.Dialect == db.Postgres {
					got = strings.Split(strings.ReplaceAll(strings.Join(got, "\n"), "nextval(test_", "nextval(dbmail_"), "\n")
				}
				if !reflect.DeepEqual(got, cols) {
					t.Errorf("columns of %s:\n got  %q\n want %q", renamed, got, cols)
				}
				if !reflect.DeepEqual(c.Columns[tbl], cols) {
					t.Errorf("columns of %s changed by the second prefix", tbl)
				}
			}
			if len(c.Columns) != 2*len(want.Columns) {
				t.Errorf("%d tables, want %d", len(c.Columns), 2*len(want.Columns))
			}
			for v, cols := range sortViews() {
				if got := c.Views["test_"+strings.TrimPrefix(v, "dbmail_")]; !reflect.DeepEqual(got, cols) {
					t.Errorf("view test_%s columns = %q, want %q", v, got, cols)
				}
			}
			wantObjects := map[db.Dialect][]string{
				db.Postgres: {"test_usermap: UNIQUE INDEX test_usermap_idx_1 ON test_usermap (login, sock_allow, userid)",
					"test_partlists: UNIQUE INDEX test_message_parts ON test_partlists (physmessage_id, part_key, part_depth, part_order)",
					"test_replycache: UNIQUE INDEX test_replycache_1 ON test_replycache (to_addr, from_addr, handle)",
					"test_messages: INDEX test_messages_mailbox_idnr_message_idnr ON test_messages (mailbox_idnr, message_idnr)",
					"test_users: UNIQUE INDEX test_users_name_idx ON test_users (userid)"},
				db.MySQL: {"test_usermap: UNIQUE usermap_idx_1 (login, sock_allow, userid)",
					"test_messages: test_messages_seq_index (seq)",
					"test_users: UNIQUE userid_index (userid)"},
				db.SQLite: {"test_usermap: UNIQUE test_usermap_idx_1 (login, sock_allow, userid)",
					"test_partlists: UNIQUE test_message_parts (physmessage_id, part_key, part_depth, part_order)",
					"test_users: UNIQUE test_users_1 (userid)"},
			}
			for _, w := range wantObjects[d.Dialect] {
				if !contains(c.Indexes, w) {
					t.Errorf("missing index %q", w)
				}
			}
			switch d.Dialect {
			case db.Postgres:
				for _, s := range []string{"test_user_idnr_seq", "test_seq_pbsp_id", "dbmail_user_idnr_seq"} {
					if !contains(c.Sequences, s) {
						t.Errorf("missing sequence %q", s)
					}
				}
				if w := "test_partlists: test_partlists_part_id_fkey FOREIGN KEY (part_id) REFERENCES test_mimeparts(id) ON UPDATE CASCADE ON DELETE CASCADE"; !contains(c.Constraints, w) {
					t.Errorf("missing constraint %q", w)
				}
			case db.MySQL:
				if w := "test_mailboxes: test_mailboxes_ibfk_1 (owner_idnr) -> test_users(user_idnr) ON DELETE CASCADE ON UPDATE CASCADE"; !contains(c.Constraints, w) {
					t.Errorf("missing constraint %q", w)
				}
			case db.SQLite:
				if want := 2 * len(wantSQLite().Triggers); len(c.Triggers) != want { // two prefixes
					t.Errorf("%d triggers, want %d", len(c.Triggers), want)
				}
				for _, w := range []string{"test_fk_insert_mailboxes_users_idnr ON test_mailboxes", "test_fk_delete_mailboxes_users_idnr ON test_users"} {
					if !contains(c.Triggers, w) {
						t.Errorf("missing trigger %q", w)
					}
				}
			}
			checkCascade(t, d)
			checkCascade(t, def)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkCascade exercises the references of spec 1.4/1.7 in d's schema: a
// mailbox for a missing user is refused, deleting a user deletes its
// mailboxes and their messages, a physmessage survives its messages.
func checkCascade(t *testing.T, d *db.DB) {
	t.Helper()
	exec := func(q string, args ...any) error {
		_, err := d.SQL.Exec(d.Q(q), args...)
		return err
	}
	if err := exec("INSERT INTO {mailboxes} (owner_idnr, name) VALUES (999999, 'INBOX')"); err == nil {
		t.Errorf("%s: mailbox of a missing user was accepted", d.Prefix)
	}
	steps := []string{
		"INSERT INTO {users} (userid, passwd) VALUES ('bob', '')",
		"INSERT INTO {mailboxes} (owner_idnr, name) SELECT user_idnr, 'INBOX' FROM {users} WHERE userid = 'bob'",
		"INSERT INTO {physmessage} (internal_date) VALUES ('2020-01-01 00:00:00')",
		"INSERT INTO {messages} (mailbox_idnr, physmessage_id, unique_id) SELECT b.mailbox_idnr, p.id, 'u1' FROM {mailboxes} b, {physmessage} p WHERE b.name = 'INBOX'",
		"INSERT INTO {keywords} (message_idnr, keyword) SELECT message_idnr, '$Junk' FROM {messages}",
		"DELETE FROM {users} WHERE userid = 'bob'",
	}
	for _, s := range steps {
		if err := exec(s); err != nil {
			t.Fatalf("%s: %s: %v", d.Prefix, s, err)
		}
	}
	var boxes, msgs, kws, phys int
	err := d.SQL.QueryRow(d.Q("SELECT (SELECT COUNT(*) FROM {mailboxes}), (SELECT COUNT(*) FROM {messages}), (SELECT COUNT(*) FROM {keywords}), (SELECT COUNT(*) FROM {physmessage})")).Scan(&boxes, &msgs, &kws, &phys)
	if err != nil {
		t.Fatal(err)
	}
	if boxes != 0 || msgs != 0 || kws != 0 || phys != 1 {
		t.Errorf("%s: after deleting the user: %d mailboxes, %d messages, %d keywords, %d physmessages; want 0, 0, 0, 1",
			d.Prefix, boxes, msgs, kws, phys)
	}
	if _, err := d.SQL.Exec(d.Q("DELETE FROM {physmessage}")); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaEmptyPrefix: table_prefix = "" (spec 1.1) gives bare names.
func TestSchemaEmptyPrefix(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.OpenPrefix(t, b, "")
			checkSeeds(t, d)
			c := readCatalog(t, d)
			for tbl := range wantCatalog(d.Dialect).Columns {
				if _, ok := c.Columns[strings.TrimPrefix(tbl, "dbmail_")]; !ok {
					t.Errorf("table %s missing", strings.TrimPrefix(tbl, "dbmail_"))
				}
			}
			if _, ok := c.Views["subjectfield"]; !ok {
				t.Errorf("view subjectfield missing")
			}
			checkCascade(t, d)
		})
	}
}

// BenchmarkSchemaMigrateNoop measures what every daemon start pays when the
// schema is already current: inspection, step check, header-name check.
func BenchmarkSchemaMigrateNoop(b *testing.B) {
	for _, be := range dbtest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			d := dbtest.Open(b, be)
			ctx := context.Background()
			for b.Loop() {
				if err := d.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSchemaCreate measures creating the whole schema on an empty
// database (SQLite only: server databases cost a CREATE DATABASE each).
func BenchmarkSchemaCreate(b *testing.B) {
	be := dbtest.Backends(b)[0]
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		d := dbtest.Connect(b, be.Fresh(b), "dbmail_")
		b.StartTimer()
		if err := d.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
