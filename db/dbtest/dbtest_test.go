package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	sqlschema "github.com/dbmail-go/dbmail/sql"
)

// recorder is a testing.TB that records Logf and Fatalf instead of acting
// on them, so the helper's own failures can be tested.
type recorder struct {
	testing.TB
	mu    sync.Mutex
	logs  []string
	fatal string
}

func (r *recorder) Helper() {}

func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

// run calls f in its own goroutine, as the testing package runs a test, so
// that Fatalf can end it.
func (r *recorder) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func TestSchemaBackendsUnset(t *testing.T) {
	t.Setenv(EnvPostgres, "")
	t.Setenv(EnvMySQL, "  ")
	r := &recorder{TB: t}
	var got []Backend
	r.run(func() { got = Backends(r) })
	if len(got) != 1 || got[0].Name != "sqlite" || got[0].Dialect != db.SQLite || got[0].URI != "" {
		t.Errorf("Backends = %+v, want only sqlite", got)
	}
	want := []string{
		"dbtest: DBMAIL_TEST_PG not set: skipping postgresql backend",
		"dbtest: DBMAIL_TEST_MYSQL not set: skipping mysql backend",
	}
	if strings.Join(r.logs, "\n") != strings.Join(want, "\n") {
		t.Errorf("logs = %q, want %q", r.logs, want)
	}
}

func TestSchemaBackendsSet(t *testing.T) {
	t.Setenv(EnvPostgres, "postgresql://u@h/d")
	t.Setenv(EnvMySQL, "mysql://u@h/d")
	got := Backends(t)
	want := []Backend{
		{Name: "sqlite", Dialect: db.SQLite},
		{Name: "postgresql", Dialect: db.Postgres, URI: "postgresql://u@h/d"},
		{Name: "mysql", Dialect: db.MySQL, URI: "mysql://u@h/d"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Backends = %+v, want %+v", got, want)
	}
}

// TestSchemaFreshUnreachableFails: a DSN that is set but does not connect must
// fail the test, not skip it.
func TestSchemaFreshUnreachableFails(t *testing.T) {
	for _, b := range []Backend{
		{Name: "postgresql", Dialect: db.Postgres, URI: "postgresql://root@127.0.0.1:1/test?connect-timeout=2"},
		{Name: "mysql", Dialect: db.MySQL, URI: "mysql://root@127.0.0.1:1/test?connect-timeout=2"},
	} {
		t.Run(b.Name, func(t *testing.T) {
			r := &recorder{TB: t}
			r.run(func() { b.Fresh(r) })
			env := map[string]string{"postgresql": EnvPostgres, "mysql": EnvMySQL}[b.Name]
			prefix := "dbtest: " + env + "=\"" + b.URI + "\" is set but does not connect: "
			if !strings.HasPrefix(r.fatal, prefix) {
				t.Errorf("Fatalf message = %q, want prefix %q", r.fatal, prefix)
			}
		})
	}
}

// TestSchemaFresh: each call gives a new, empty database; server databases are
// dropped when the test that made them ends.
func TestSchemaFresh(t *testing.T) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var first string
			t.Run("make", func(t *testing.T) {
				first = b.Fresh(t)
				second := b.Fresh(t)
				if first == second {
					t.Fatalf("Fresh returned %q twice", first)
				}
				for _, uri := range []string{first, second} {
					d := Connect(t, uri, "dbmail_")
					if n := countTables(t, d); n != 0 {
						t.Errorf("%s: %d tables in a fresh database", uri, n)
					}
				}
			})
			if b.Dialect == db.SQLite {
				return
			}
			u, err := url.Parse(first)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(u.Path, "/")
			if !strings.HasPrefix(name, "dbmailtest_") {
				t.Errorf("database name %q lacks the dbmailtest_ prefix", name)
			}
			admin := Connect(t, b.URI, "dbmail_")
			q := "SELECT COUNT(*) FROM pg_database WHERE datname = $1"
			if b.Dialect == db.MySQL {
				q = "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?"
			}
			var n int
			if err := admin.SQL.QueryRow(q, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("database %s still exists after its test ended", name)
			}
		})
	}
}

func countTables(t *testing.T, d *db.DB) int {
	t.Helper()
	q := map[db.Dialect]string{
		db.Postgres: "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
		db.MySQL:    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()",
		db.SQLite:   "SELECT COUNT(*) FROM sqlite_master",
	}[d.Dialect]
	var n int
	if err := d.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSchemaOpen(t *testing.T) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := OpenPrefix(t, b, "x_")
			level, err := d.SchemaLevel(context.Background())
			if err != nil || level != sqlschema.LatestStep() {
				t.Errorf("SchemaLevel = %d, %v; want %d", level, err, sqlschema.LatestStep())
			}
			var user string
			err = d.SQL.QueryRow(d.Q("SELECT userid FROM {users} WHERE userid = 'anyone'")).Scan(&user)
			if err == sql.ErrNoRows || user != "anyone" {
				t.Errorf("x_users has no 'anyone': %v", err)
			}
		})
	}
}
