package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/password"
)

// step is one command of a transcript and what it must print and return.
// Output strings may name user ids as $ID(name).
type step struct {
	args      []string
	stdin     string
	code      int
	stdout    string // exact, unless stdoutHas is set
	stdoutHas []string
	stderrHas string
	check     func(t *testing.T, e *env)
}

func runSteps(t *testing.T, e *env, steps []step) {
	t.Helper()
	for i, s := range steps {
		code, out, errOut := e.run(s.stdin, s.args...)
		name := strings.Join(s.args, " ")
		if code != s.code {
			t.Fatalf("step %d (%s): exit %d, want %d\nstdout: %s\nstderr: %s", i, name, code, s.code, out, errOut)
		}
		if s.stdoutHas != nil {
			for _, want := range s.stdoutHas {
				if !strings.Contains(out, e.expand(want)) {
					t.Errorf("step %d (%s): stdout %q lacks %q", i, name, out, e.expand(want))
				}
			}
		} else if want := e.expand(s.stdout); out != want {
			t.Errorf("step %d (%s): stdout\n%q\nwant\n%q", i, name, out, want)
		}
		if s.stderrHas != "" && !strings.Contains(errOut, s.stderrHas) {
			t.Errorf("step %d (%s): stderr %q lacks %q", i, name, errOut, s.stderrHas)
		}
		if s.check != nil {
			s.check(t, e)
		}
	}
}

// passwordIs checks that a user's stored password verifies and has the
// expected encryption_type.
func passwordIs(name, encType, clear string) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		u := e.user(name)
		if u.EncryptionType != encType {
			t.Errorf("%s: encryption_type %q, want %q", name, u.EncryptionType, encType)
		}
		if !password.Verify(u.EncryptionType, u.Passwd, clear) {
			t.Errorf("%s: password %q does not verify against %q (%s)", name, clear, u.Passwd, u.EncryptionType)
		}
	}
}

func userAbsent(name string) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		t.Helper()
		if _, err := e.handle().UserByName(context.Background(), name); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("user %s: got err %v, want not found", name, err)
		}
	}
}

func TestUsersAccountModes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		dir := e.dir
		pwFile := filepath.Join(dir, "pw.txt")
		shadowMD5 := filepath.Join(dir, "shadow")
		md5Hash := "$1$saltsalt$YhhbNPsXUHeeSJoK1JAaN."
		desHash := "abNANd1rDfiNc"
		mustWrite(t, pwFile, "fromfile\nsecond line\n")
		mustWrite(t, shadowMD5, "root:*:19000:0:99999:7:::\nerin:"+md5Hash+":19000:0:99999:7:::\nfrank:"+desHash+":19000::::::\n")
		runSteps(t, e, []step{
			{args: []string{"-a", "alice", "-w", "secret", "-s", "alice@example.com,a@example.com", "-m", "10M", "-g", "7"},
				stdout: "alice:x:$ID(alice):7:10.00:0.00:a@example.com,alice@example.com\n",
				check:  passwordIs("alice", "", "secret")},
			{args: []string{"-a", "ALICE", "-w", "x"}, code: 255, stderrHas: "Failed: user name already exists"},
			{args: []string{"-n", "-a", "bob", "-p", "md5", "-w", "x", "-m", "1K", "-g", "2"}, code: 1,
				stdout: "Pretending to add user bob with password type md5, 1024 bytes mailbox limit and clientid 2\n",
				check:  userAbsent("bob")},
			{args: []string{"--add-u=bob", "-p", "md5-hash", "-w", "pw"}, stdout: "bob:x:$ID(bob):0:0.00:0.00:\n",
				check: passwordIs("bob", "md5", "pw")},
			{args: []string{"-a", "carol", "--pw-file=" + pwFile}, stdout: "carol:x:$ID(carol):0:0.00:0.00:\n",
				check: passwordIs("carol", "", "fromfile")},
			{args: []string{"-a", "carol2", "-p", "sha256", "-W", pwFile}, stdout: "carol2:x:$ID(carol2):0:0.00:0.00:\n",
				check: passwordIs("carol2", "sha256", "fromfile")},
			{args: []string{"-a", "dave", "-W"}, stdin: "typed-password\n", stdout: "dave:x:$ID(dave):0:0.00:0.00:\n",
				stderrHas: "Please enter a password (will not echo): ", check: passwordIs("dave", "", "typed-password")},
			{args: []string{"-a", "erin", "-P" + shadowMD5}, stdout: "erin:x:$ID(erin):0:0.00:0.00:\n",
				check: func(t *testing.T, e *env) {
					if u := e.user("erin"); u.Passwd != md5Hash || u.EncryptionType != "md5" {
						t.Errorf("erin: passwd %q type %q", u.Passwd, u.EncryptionType)
					}
				}},
			{args: []string{"-a", "frank", "-w", "x"}, stdout: "frank:x:$ID(frank):0:0.00:0.00:\n"},
			{args: []string{"-c", "frank", "-P" + shadowMD5}, // works with -c (bug fixed)
				check: func(t *testing.T, e *env) {
					if u := e.user("frank"); u.Passwd != desHash || u.EncryptionType != "crypt" {
						t.Errorf("frank: passwd %q type %q", u.Passwd, u.EncryptionType)
					}
				}},
			{args: []string{"-a", "nobody-in-shadow", "-P" + shadowMD5}, code: 255, stderrHas: "not found in"},
			{args: []string{"-c", "alice", "-p", "sha1", "-w", "new"}, check: passwordIs("alice", "sha1", "new")},
			{args: []string{"-c", "alice", "-w", "newer"}, check: passwordIs("alice", "sha1", "newer")},
			{args: []string{"-c", "alice", "-p", "foo", "-w", "x"}, code: 255, stderrHas: "Error: password type not supported [foo]."},
			{args: []string{"-c", "alice", "--security-action", "1000"}, code: 1, stderrHas: "Use a security-action between 0 and 999"},
			{args: []string{"-c", "alice", "-p", "md5", "--security-password", "x"}, code: 255},
			{args: []string{"-c", "alice", "--security-password", "duress", "--security-action", "1", "-m", "1G", "-g", "3"},
				check: func(t *testing.T, e *env) {
					u := e.user("alice")
					if !password.Verify("sha1", u.SPasswd, "duress") || u.SAction != 1 || u.MaxMailSize != 1<<30 || u.ClientID != 3 {
						t.Errorf("alice after change: %+v", u)
					}
				}},
			{args: []string{"-c", "alice", "--disable"}, check: func(t *testing.T, e *env) {
				if e.user("alice").Active {
					t.Error("alice still active after --disable")
				}
			}},
			{args: []string{"-c", "alice", "--enable"}, check: func(t *testing.T, e *env) {
				if !e.user("alice").Active {
					t.Error("alice not active after --enable")
				}
			}},
			{args: []string{"-c", "alice", "--enable", "--disable"}, stdoutHas: []string{"*** dbmail-users ***"}},
			{args: []string{"-c", "alice", "-u", "alice2"}, check: userAbsent("alice")},
			{args: []string{"-c", "alice2", "-u", "alice"}, check: userAbsent("alice2")},
			{args: []string{"-c", "alice", "-u", "bob"}, code: 255, stderrHas: "Failed: user name already exists"},
			{args: []string{"-c", "nobody", "-w", "x"}, code: 255, stderrHas: "Error: user [nobody] does not exist."},
			{args: []string{"-n", "-c", "alice", "-w", "x"}, code: 1, stdout: "Pretending to change user alice\n"},
			{args: []string{"-c", "alice", "-s", "al@example.com", "-S", "a@*"},
				stdout: "[a@*] matches:\n  [a@example.com]\n"},
			{args: []string{"-l", "alice"}, stdout: "alice:x:$ID(alice):3:1024.00:0.00:al@example.com,alice@example.com\n"},
			{args: []string{"-c", "alice", "-S", "al@example.com"}},
			{args: []string{"-l", "al*"}, stdout: "alice:x:$ID(alice):3:1024.00:0.00:alice@example.com\n"},
			{args: []string{"-n", "-d", "bob"}, code: 1, stdout: "Pretending to delete user bob\n"},
			{args: []string{"-d", "bob"}, check: userAbsent("bob")},
			{args: []string{"-d", "bob"}, code: 255, stderrHas: "Error: user [bob] does not exist."},
		})
	})
}

func TestUsersForwardsAndLists(t *testing.T) {
	t.Parallel()
	const forwards = "alice: |/usr/bin/procmail\nfwdtest@example.com: ext1@remote.org,ext2@remote.org\n"
	forEachBackend(t, func(t *testing.T, e *env) {
		runSteps(t, e, []step{
			{args: []string{"-a", "alice", "-w", "s", "-s", "alice@example.com"}, stdout: "alice:x:$ID(alice):0:0.00:0.00:alice@example.com\n"},
			{args: []string{"-x", "fwdtest@example.com"}, stdout: "Please add at least one of --forwards-add or --forwards-delete\n"},
			{args: []string{"-x", "fwdtest@example.com", "-t", "ext1@remote.org,ext2@remote.org", "-g", "5"}},
			{args: []string{"-x", "alice", "-t", "|/usr/bin/procmail"}},
			{args: []string{"-n", "-x", "fwdtest@example.com", "-t", "ext3@remote.org"}, code: 1,
				stdout: "Pretending to add forward [fwdtest@example.com] to [ext3@remote.org]\n"},
			{args: []string{"-L"}, stdoutHas: []string{"-- users --\n", "\n-- forwards --\n"}, check: func(t *testing.T, e *env) {
				// Users come in the database's userid order (its collation).
				want := "-- users --\n" + e.userLines(t) + "\n-- forwards --\n" + forwards
				if _, out, _ := e.run("", "-L"); out != want {
					t.Errorf("-L:\n%s\nwant\n%s", out, want)
				}
				if _, out, _ := e.run("", "-q", "-L"); out != e.userLines(t)+forwards {
					t.Errorf("-q -L:\n%s\nwant\n%s", out, e.userLines(t)+forwards)
				}
			}},
			// A forward-only alias is listed (DBMail printed "Command failed").
			{args: []string{"-l", "fwdtest@example.com"}, stdout: "forward [fwdtest@example.com] to [ext1@remote.org,ext2@remote.org]\n"},
			{args: []string{"-l", "alice@example.com"}, stdout: "deliver [alice@example.com] to [alice]\n"},
			{args: []string{"-l", "alice"}, stdout: "forward [alice] to [|/usr/bin/procmail]\nalice:x:$ID(alice):0:0.00:0.00:alice@example.com\n"},
			{args: []string{"-l", "nosuch@example.com"}, code: 1, stderrHas: "nosuch@example.com"},
			{args: []string{"-x", "fwdtest@example.com", "-T", "ext2*"}, stdout: "[ext2*] matches:\n  [ext2@remote.org]\n"},
			{args: []string{"-l", "fwdtest@example.com"}, stdout: "forward [fwdtest@example.com] to [ext1@remote.org]\n"},
			{args: []string{"-x", "fwdtest@example.com", "-T", "ext1@remote.org"}},
			{args: []string{"-l", "fwdtest@example.com"}, code: 1},
		})
		rows, err := e.handle().Query(context.Background(), `SELECT client_idnr FROM {aliases} WHERE alias = ?`, "alice")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c int64
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			if c != 0 {
				t.Errorf("forward of alice has client_idnr %d, want 0", c)
			}
		}
	})
}

// TestUsersDeleteKeepsOthersForwards checks the spec 9.6 item 30 fix: -d
// does not take forwards of an alias name another user still receives.
func TestUsersDeleteKeepsOthersForwards(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		runSteps(t, e, []step{
			{args: []string{"-a", "u1", "-w", "x", "-s", "shared@example.com,own@example.com"}, stdoutHas: []string{"u1:x:"}},
			{args: []string{"-a", "u2", "-w", "x", "-s", "shared@example.com"}, stdoutHas: []string{"u2:x:"}},
			{args: []string{"-x", "shared@example.com", "-t", "ext@remote.org"}},
			{args: []string{"-x", "own@example.com", "-t", "own-ext@remote.org"}},
			{args: []string{"-d", "u1"}},
			{args: []string{"-l", "shared@example.com"}, stdout: "forward [shared@example.com] to [ext@remote.org]\ndeliver [shared@example.com] to [u2]\n"},
			{args: []string{"-l", "own@example.com"}, code: 1},
		})
	})
}

func TestUsersEmptyMailboxes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		runSteps(t, e, []step{{args: []string{"-a", "alice", "-w", "x"}, stdoutHas: []string{"alice:x:"}}})
		ctx := context.Background()
		d := e.handle()
		u := e.user("alice")
		if _, err := d.CreateMailbox(ctx, u.ID, "Archive", db.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		var size int64
		for i, name := range []string{"INBOX", "Archive", "INBOX"} {
			mb, err := d.FindMailbox(ctx, u.ID, name)
			if err != nil {
				t.Fatal(err)
			}
			m, err := message.Parse(corpusFile(t, "ham", i), message.Options{})
			if err != nil {
				t.Fatal(err)
			}
			size += m.MessageSize
			if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: mb.ID, QuotaUser: u.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.user("alice").CurMailSize; got != size {
			t.Fatalf("curmail_size %d before, want %d", got, size)
		}
		runSteps(t, e, []step{
			{args: []string{"-e", "alice"}, code: 1, stdout: "You've requested to delete all messages of user [alice] in these mailboxes:\n" +
				"  Archive\n  INBOX\nplease run again with -y to actually perform this action.\n"},
			{args: []string{"-e", "alice", "-y"}, stdout: "Emptied mailbox [Archive]: 1 messages deleted\nEmptied mailbox [INBOX]: 2 messages deleted\n"},
		})
		if got := e.user("alice").CurMailSize; got != 0 {
			t.Errorf("curmail_size %d after -e -y, want 0", got)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM {messages} m JOIN {mailboxes} b ON b.mailbox_idnr = m.mailbox_idnr WHERE b.owner_idnr = ?`, u.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d messages left after -e -y", n)
		}
		boxes, err := d.Mailboxes(ctx, u.ID)
		if err != nil || len(boxes) != 2 {
			t.Errorf("mailboxes after -e -y: %v %v, want both kept", boxes, err)
		}
	})
}

// TestUsersUsage covers the runs that end before the database is opened.
func TestUsersUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{nil, 0, "*** dbmail-users ***", ""},
		{[]string{"-h"}, 0, "*** dbmail-users ***", ""},
		{[]string{"-V"}, 1, "This is dbmail-users version", ""},
		{[]string{"-i"}, 1, "", "Interactive console is not supported in this release."},
		{[]string{"-a", "x", "-d", "y"}, 0, "*** dbmail-users ***", ""},
		{[]string{"-n", "-y", "-L"}, 0, "*** dbmail-users ***", ""},
		{[]string{"-L", "stray"}, 0, "*** dbmail-users ***", ""},
		{[]string{"--bogus"}, 0, "*** dbmail-users ***", "unrecognized option '--bogus'"},
		{[]string{"-c", "x", "--security-action", "-1"}, 1, "", "Use a security-action between 0 and 999"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String(), c.stdoutHas) || !strings.Contains(errb.String(), c.stderrHas) {
			t.Errorf("%q: exit %d stdout %q stderr %q; want exit %d, stdout with %q, stderr with %q",
				c.args, code, out.String(), errb.String(), c.code, c.stdoutHas, c.stderrHas)
		}
	}
}

// TestUsersNoDatabase: a database that does not answer is exit 255.
func TestUsersNoDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "postgresql://root@127.0.0.1:1/test")
	code, _, errOut := e.run("", "-L")
	if code != 255 || !strings.Contains(errOut, "Could not connect") {
		t.Errorf("closed port: exit %d stderr %q, want 255", code, errOut)
	}
}

func TestParseMaxMail(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{
		"0": 0, "100": 100, "100B": 100, "2k": 2048, "2K": 2048, "10M": 10 << 20, "10m": 10 << 20,
		"3G": 3 << 30, "3g": 3 << 30, "10X": 0, "abc": 0, "": 0, "5MB": 0, " 7M ": 7 << 20,
		"99999999999999999999": 0, "9999999999999G": 0,
	}
	for in, want := range cases {
		if got := parseMaxMail(in); got != want {
			t.Errorf("parseMaxMail(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestUserLine(t *testing.T) {
	t.Parallel()
	u := &db.User{Name: "alice", ID: 3, ClientID: 0, MaxMailSize: 0, CurMailSize: 10486}
	if got, want := userLine(u, []string{"alice@example.com", "a@example.com"}), "alice:x:3:0:0.00:0.01:alice@example.com,a@example.com"; got != want {
		t.Errorf("userLine = %q, want %q", got, want)
	}
	u = &db.User{Name: "bob", ID: 9, ClientID: 4, MaxMailSize: 25 << 20, CurMailSize: 3 << 19}
	if got, want := userLine(u, nil), "bob:x:9:4:25.00:1.50:"; got != want {
		t.Errorf("userLine = %q, want %q", got, want)
	}
}

func FuzzParseMaxMail(f *testing.F) {
	for _, s := range []string{"0", "10M", "3g", "12k", "x", "99999999999999999999G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := parseMaxMail(s); n < 0 {
			t.Fatalf("parseMaxMail(%q) = %d < 0", s, n)
		}
	})
}

// TestUsersBinary runs the real binary: the first command.
func TestUsersBinary(t *testing.T) {
	t.Parallel()
	bin := buildTool(t, "cmd/dbmail-users")
	e := newEnv(t, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "dbmail.db")))
	cmd := exec.Command(bin, "-f", e.conf, "-a", "alice", "-w", "secret")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("dbmail-users -a: %v\n%s", err, errb.String())
	}
	if want := e.expand("alice:x:$ID(alice):0:0.00:0.00:\n"); out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	passwordIs("alice", "", "secret")(t, e)
	cmd = exec.Command(bin, "-V")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("dbmail-users -V: %v, want exit status 1", err)
	}
}

// userLines is the expected -L user section: the seeded special users and
// alice, in the order the database lists them.
func (e *env) userLines(t *testing.T) string {
	t.Helper()
	users, err := e.handle().Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, u := range users {
		aliases := ""
		if u.Name == "alice" {
			aliases = "alice@example.com"
		}
		b.WriteString(e.expand(u.Name + ":x:$ID(" + u.Name + "):0:0.00:0.00:" + aliases + "\n"))
	}
	return b.String()
}

func mustWrite(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
