// Package tooltest holds what the command-line tools' tests share: a
// dbmail.conf for a test database, corpus messages, building a tool's
// binary, and adding a user.
package tooltest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/internal/testutil"
)

// WriteConfig writes a dbmail.conf for the database uri, with extra text
// appended, into a new temporary directory; it returns the directory and
// the file.
func WriteConfig(t testing.TB, uri, extra string) (dir, conf string) {
	t.Helper()
	dir = t.TempDir()
	conf = filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf("[DBMAIL]\nauthdriver = sql\ndburi = %s\nlogfile = %s\nerrorlog = %s\n",
		uri, filepath.Join(dir, "dbmail.log"), filepath.Join(dir, "dbmail.err"))
	if err := os.WriteFile(conf, []byte(text+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, conf
}

// AddUser migrates the database if needed and creates an active user with
// the plain-text password "secret"; it returns the user id.
func AddUser(t testing.TB, d *db.DB, name string, maxMail int64) int64 {
	t.Helper()
	ctx := context.Background()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := d.CreateUser(ctx, db.User{Name: name, Passwd: "secret", MaxMailSize: maxMail, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// CorpusFile returns message n of the shared corpus's kind (ham or spam),
// failing clearly when the corpus is missing.
func CorpusFile(t testing.TB, kind string, n int) []byte {
	t.Helper()
	dir := filepath.Join(testutil.SharedDir(t, "corpus"), kind)
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

// BuildTool compiles one of the repository's commands (e.g.
// "cmd/dbmail-users") into a temporary directory and returns the binary.
func BuildTool(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+pkg)
	cmd.Dir = testutil.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
