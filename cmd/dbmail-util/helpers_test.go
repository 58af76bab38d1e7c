package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// env is one test database with a dbmail.conf pointing at it.
type env struct {
	t    testing.TB
	uri  string
	conf string
	dir  string
	db   *db.DB
}

// newEnvs returns one environment per backend (SQLite always; PostgreSQL
// and MySQL when DBMAIL_TEST_PG / DBMAIL_TEST_MYSQL are set).
func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, newEnv(t, b.Fresh(t)))
		})
	}
}

// newEnv writes a dbmail.conf for uri; the schema is created by the first
// tool run, the handle for checks is opened lazily.
func newEnv(t testing.TB, uri string) *env {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf("[DBMAIL]\nauthdriver = sql\ndburi = %s\nlogfile = %s\nerrorlog = %s\n",
		uri, filepath.Join(dir, "dbmail.log"), filepath.Join(dir, "dbmail.err"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, uri: uri, conf: conf, dir: dir}
}

// handle opens the database for direct checks (after a tool created it).
func (e *env) handle() *db.DB {
	if e.db == nil {
		e.db = dbtest.Connect(e.t, e.uri, "dbmail_")
	}
	return e.db
}

// run runs dbmail-util in-process with -f added.
func (e *env) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"-f", e.conf}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// user loads a user or fails the test.
func (e *env) user(name string) *db.User {
	e.t.Helper()
	u, err := e.handle().UserByName(context.Background(), name)
	if err != nil {
		e.t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// corpusFile returns one message of the shared corpus, failing clearly
// when the corpus is missing.
func corpusFile(t testing.TB, kind string, n int) []byte {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus", kind)
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= n {
		t.Fatalf("test corpus missing: need %s/*.eml under %s (%v)", kind, dir, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, entries[n].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// buildTool compiles one of the repository's commands into a temporary
// directory and returns the binary's path.
func buildTool(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+pkg)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
