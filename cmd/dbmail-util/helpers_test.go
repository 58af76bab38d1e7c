package main

import (
	"bytes"
	"testing"

	"github.com/dbmail-go/dbmail/cmd/internal/tooltest"
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
	dir, conf := tooltest.WriteConfig(t, uri, "")
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

// corpusFile returns one message of the shared corpus.
func corpusFile(t testing.TB, kind string, n int) []byte {
	return tooltest.CorpusFile(t, kind, n)
}

// buildTool compiles one of the repository's commands.
func buildTool(t testing.TB, pkg string) string { return tooltest.BuildTool(t, pkg) }
