// Package dbtest gives tests a private, empty database on every backend the
// environment offers: SQLite always, PostgreSQL when DBMAIL_TEST_PG is set,
// MySQL/MariaDB when DBMAIL_TEST_MYSQL is set (dburi form, spec 5.2, e.g.
// postgresql://root@127.0.0.1:5432/test). A variable that is set but does
// not connect fails the test; an unset one is logged as skipped.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// Environment variables naming the server backends.
const (
	EnvPostgres = "DBMAIL_TEST_PG"
	EnvMySQL    = "DBMAIL_TEST_MYSQL"
)

// Backend is one database server (or SQLite) tests can run against.
type Backend struct {
	Name    string     // "sqlite", "postgresql" or "mysql": use as subtest name
	Dialect db.Dialect // the db package's dialect
	URI     string     // server dburi from the environment; empty for SQLite
}

// Backends returns SQLite and every server backend whose environment
// variable is set. It logs, for each unset variable, what is skipped.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: "sqlite", Dialect: db.SQLite}}
	for _, e := range []struct {
		env, name string
		d         db.Dialect
	}{
		{EnvPostgres, "postgresql", db.Postgres},
		{EnvMySQL, "mysql", db.MySQL},
	} {
		uri := strings.TrimSpace(os.Getenv(e.env))
		if uri == "" {
			t.Logf("dbtest: %s not set: skipping %s backend", e.env, e.name)
			continue
		}
		out = append(out, Backend{Name: e.name, Dialect: e.d, URI: uri})
	}
	return out
}

// Fresh returns the dburi of a brand-new empty database private to t: a
// file in t.TempDir() for SQLite, a `CREATE DATABASE dbmailtest_<random>`
// on the server otherwise, dropped when the test ends.
func (b Backend) Fresh(t testing.TB) string {
	t.Helper()
	if b.Dialect == db.SQLite {
		return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "dbmail.db"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := openServer(ctx, t, b)
	name := "dbmailtest_" + randomHex(t, 8)
	create := "CREATE DATABASE " + name
	if b.Dialect == db.MySQL {
		create += " CHARACTER SET utf8mb4"
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		admin.Close()
		t.Fatalf("dbtest: %s: %s: %v", b.Name, create, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		drop := "DROP DATABASE IF EXISTS " + name
		if b.Dialect == db.Postgres {
			drop += " WITH (FORCE)"
		}
		if _, err := admin.ExecContext(ctx, drop); err != nil {
			t.Errorf("dbtest: %s: %s: %v", b.Name, drop, err)
		}
	})
	u, err := url.Parse(b.URI)
	if err != nil {
		t.Fatalf("dbtest: %s: parse %q: %v", b.Name, b.URI, err)
	}
	u.Path = "/" + name
	return u.String()
}

// openServer connects to the database named in the backend's URI, failing
// the test when it does not answer.
func openServer(ctx context.Context, t testing.TB, b Backend) *sql.DB {
	t.Helper()
	target, err := db.ParseURI(b.URI, "dbmail-go-test")
	if err != nil {
		t.Fatalf("dbtest: %s=%q: %v", envOf(b), b.URI, err)
	}
	sdb, err := sql.Open(target.Driver, target.DSN)
	if err != nil {
		t.Fatalf("dbtest: %s=%q: %v", envOf(b), b.URI, err)
	}
	sdb.SetMaxOpenConns(1)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		t.Fatalf("dbtest: %s=%q is set but does not connect: %v", envOf(b), b.URI, err)
	}
	return sdb
}

func envOf(b Backend) string {
	if b.Dialect == db.MySQL {
		return EnvMySQL
	}
	return EnvPostgres
}

func randomHex(t testing.TB, n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		t.Fatalf("dbtest: random name: %v", err)
	}
	return hex.EncodeToString(buf)
}

// Connect opens uri with the given table prefix and closes it when the test
// ends; it does not touch the schema.
func Connect(t testing.TB, uri, prefix string) *db.DB {
	t.Helper()
	target, err := db.ParseURI(uri, "dbmail-go-test")
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, target, prefix, 4)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Open returns a migrated database (level 35002 plus dbmail-go's steps,
// default prefix) private to t.
func Open(t testing.TB, b Backend) *db.DB {
	t.Helper()
	return OpenPrefix(t, b, "dbmail_")
}

// OpenPrefix is Open with another table prefix (spec 1.1).
func OpenPrefix(t testing.TB, b Backend, prefix string) *db.DB {
	t.Helper()
	_, d := openMigrated(t, b, prefix)
	return d
}

// OpenURI is Open that also returns the database's dburi, for a test that
// runs a daemon on the same database.
func OpenURI(t testing.TB, b Backend) (string, *db.DB) {
	t.Helper()
	return openMigrated(t, b, "dbmail_")
}

func openMigrated(t testing.TB, b Backend, prefix string) (string, *db.DB) {
	t.Helper()
	uri := b.Fresh(t)
	d := Connect(t, uri, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("dbtest: %s: migrate: %v", b.Name, err)
	}
	return uri, d
}
