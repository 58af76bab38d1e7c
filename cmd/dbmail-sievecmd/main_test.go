package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// env is one test database with a dbmail.conf pointing at it.
type env struct {
	t    *testing.T
	conf string
	dir  string
	d    *db.DB
	uid  int64
	edit string // value of EDITOR for -e
}

func newEnv(t *testing.T, b dbtest.Backend) *env {
	t.Helper()
	d := dbtest.Open(t, b)
	dir := t.TempDir()
	conf := filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf("[DBMAIL]\nauthdriver = sql\ndburi = %s\nlogfile = %s\n[DELIVERY]\nSIEVE = yes\nSIEVE_VACATION = no\n",
		uriOf(t, b, d), filepath.Join(dir, "dbmail.log"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	uid, err := d.CreateUser(context.Background(), db.User{Name: "alice", Passwd: "x", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, conf: conf, dir: dir, d: d, uid: uid}
}

// uriOf returns the dburi of the database d was opened on.
func uriOf(t *testing.T, b dbtest.Backend, d *db.DB) string {
	t.Helper()
	if b.Dialect == db.SQLite {
		return "sqlite://" + d.Target.Path
	}
	var name string
	q := `SELECT current_database()`
	if b.Dialect == db.MySQL {
		q = `SELECT DATABASE()`
	}
	if err := d.SQL.QueryRow(q).Scan(&name); err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(b.URI, "/")
	return b.URI[:i+1] + name
}

// run runs dbmail-sievecmd in-process with -f added.
func (e *env) run(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "EDITOR" {
			return e.edit
		}
		return ""
	}
	code = run(append([]string{"-f", e.conf}, args...), strings.NewReader(stdin), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func (e *env) scripts() []db.SieveScript {
	e.t.Helper()
	l, err := e.d.SieveScripts(context.Background(), e.uid)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

type step struct {
	args   []string
	stdin  string
	code   int
	stdout string
	stderr string // substring; "" means empty
}

func (e *env) steps(steps []step) {
	e.t.Helper()
	for i, s := range steps {
		code, out, errOut := e.run(s.stdin, s.args...)
		if code != s.code || out != s.stdout {
			e.t.Errorf("step %d %v: code %d stdout %q; want %d %q (stderr %q)", i, s.args, code, out, s.code, s.stdout, errOut)
		}
		if s.stderr == "" && errOut != "" || !strings.Contains(errOut, s.stderr) {
			e.t.Errorf("step %d %v: stderr %q, want %q", i, s.args, errOut, s.stderr)
		}
	}
}

func TestSievecmd(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b)
			src := filepath.Join(e.dir, "file.sieve")
			if err := os.WriteFile(src, []byte("require \"fileinto\";\nfileinto \"Lists\";\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			e.steps([]step{
				{args: []string{"-u", "alice", "-l"}, stdout: "No scripts found!\n"},
				{args: []string{"-u", "nobody", "-l"}, code: 255, stderr: "User [nobody] does not exist!\n"},
				{args: []string{"-u", "alice", "-i", "main"}, stdin: "keep;\n", stdout: "Script [main] successfully imported and marked inactive!\n"},
				{args: []string{"-u", "alice", "-i", "main"}, stdin: "discard;\n", code: 255, stderr: "A script by that name already exists. Use --yes option to overwrite it.\n"},
				{args: []string{"-u", "alice", "-y", "-i", "main"}, stdin: "discard;\n", stdout: "Script [main] successfully imported!\n"},
				{args: []string{"-u", "alice", "-i", "bad"}, stdin: "fileinto \"x\";", code: 255, stderr: "Script [bad] has errors: line 1:1: "},
				// vacation is off in [DELIVERY]: scripts needing it are refused.
				{args: []string{"-u", "alice", "-i", "vac"}, stdin: "require \"vacation\"; vacation \"x\";", code: 255, stderr: "Script [vac] has errors: "},
				{args: []string{"-u", "alice", "-i", "lists", src, "-a"}, stdout: "Script [lists] successfully imported and marked inactive!\nScript [lists] is now active. All others are inactive.\n"},
				{args: []string{"-u", "alice", "--list"}, stdout: "Found 2 scripts:\n  + lists\n  - main\n"},
				{args: []string{"-u", "alice", "-c"}, stdout: "require \"fileinto\";\nfileinto \"Lists\";\n"},
				{args: []string{"-u", "alice", "--show=main"}, stdout: "discard;\n"},
				{args: []string{"-u", "alice", "-amain"}, stdout: "Script [main] is now active. All others are inactive.\n"},
				{args: []string{"-u", "alice", "-a", "lists"}, stdout: "Script [lists] is now active. All others are inactive.\n"},
				{args: []string{"-u", "alice", "-q", "--activate=main"}, stdout: ""},
				{args: []string{"-u", "alice", "-l"}, stdout: "Found 2 scripts:\n  - lists\n  + main\n"},
				{args: []string{"-u", "alice", "-d"}, stdout: "Script [main] is now deactivated. No scripts are currently active.\n"},
				{args: []string{"-u", "alice", "-d"}, stdout: "No scripts are active at this time.\n"},
				{args: []string{"-u", "alice", "-c"}, code: 255, stderr: "No active script found!\n"},
				{args: []string{"-u", "alice", "-dmissing"}, code: 255, stderr: "Script [missing] does not exist!\n"},
				{args: []string{"-u", "alice", "-r", "lists"}, stdout: "Script [lists] deleted.\n"},
				{args: []string{"-u", "alice", "-r", "lists"}, code: 255, stderr: "Script [lists] does not exist!\n"},
				{args: []string{"-u", "alice", "-l"}, stdout: "Found 1 scripts:\n  - main\n"},
			})
		})
	}
}

func TestSievecmdEdit(t *testing.T) {
	b := dbtest.Backends(t)[0]
	e := newEnv(t, b)
	e.steps([]step{{args: []string{"-u", "alice", "-i", "main", "-a"}, stdin: "keep;\n",
		stdout: "Script [main] successfully imported and marked inactive!\nScript [main] is now active. All others are inactive.\n"}})
	// No EDITOR.
	e.steps([]step{{args: []string{"-u", "alice", "-e"}, code: 1, stderr: "No EDITOR environment variable\n"}})
	// An editor that rewrites the active script.
	ed := filepath.Join(e.dir, "ed.sh")
	os.WriteFile(ed, []byte("#!/bin/sh\nprintf 'discard;\\n' > \"$1\"\n"), 0o755)
	e.edit = ed
	e.steps([]step{{args: []string{"-u", "alice", "-e"}, stdout: "Script [main] successfully imported!\n"}})
	if _, src, err := e.d.ActiveSieveScript(context.Background(), e.uid); err != nil || src != "discard;\n" {
		t.Fatalf("after edit: %q %v", src, err)
	}
	// A new script through -e NAME, activated afterwards.
	e.steps([]step{{args: []string{"-u", "alice", "--edit=new", "-a"},
		stdout: "Script [new] successfully imported and marked inactive!\nScript [new] is now active. All others are inactive.\n"}})
	// An editor producing an invalid script: the answer "n" saves it aside.
	os.WriteFile(ed, []byte("#!/bin/sh\nprintf 'bogus\\n' > \"$1\"\n"), 0o755)
	t.Chdir(e.dir)
	e.steps([]step{{args: []string{"-u", "alice", "-e", "-q"}, stdin: "n\n", code: 1, stderr: "Script [new] has errors: ",
		stdout: "Edit the script again? [y/N] "}})
	if b, err := os.ReadFile(filepath.Join(e.dir, "dbmail-invalid.1.sieve")); err != nil || string(b) != "bogus\n" {
		t.Fatalf("saved invalid script: %q %v", b, err)
	}
	if got := e.scripts(); !reflect.DeepEqual(got, []db.SieveScript{{Name: "main"}, {Name: "new", Active: true}}) {
		t.Fatalf("scripts = %v", got)
	}
}

func TestSievecmdUsage(t *testing.T) {
	// These never reach the database.
	e := &env{t: t, conf: filepath.Join(t.TempDir(), "missing.conf")}
	cases := []struct {
		args   []string
		code   int
		stdout string // prefix
		stderr string
	}{
		{[]string{"-h"}, 0, usage, ""},
		{[]string{"-V"}, 1, app.Banner("dbmail-sievecmd") + "\n", ""},
		{[]string{"-l"}, 0, usage, "The user must be specicified\n"},
		{[]string{"-u", "alice"}, 0, usage, ""},
		{[]string{"-u", "alice", "-l", "-r", "x"}, 0, usage, "dbmail-sievecmd: only one of -l, -c, -e, -i and -r may be given\n"},
		{[]string{"-u", "alice", "-l", "-a"}, 0, usage, "dbmail-sievecmd: -a and -d go alone or with -i or -e\n"},
		{[]string{"-u", "alice", "--no"}, 1, "", "dbmail-sievecmd: --no is not supported\n"},
		{[]string{"-u", "alice", "-n"}, 0, usage, "dbmail-sievecmd: "},
		{[]string{"-u", "alice", "-l", "extra"}, 0, usage, "dbmail-sievecmd: unexpected argument \"extra\"\n"},
	}
	for _, c := range cases {
		code, out, errOut := e.run("", c.args...)
		if code != c.code || out != c.stdout || !strings.HasPrefix(errOut, c.stderr) || c.stderr == "" && errOut != "" {
			t.Errorf("%v: code %d stdout %q stderr %q; want %d %q %q", c.args, code, out, errOut, c.code, c.stdout, c.stderr)
		}
	}
}
