package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db"
)

// mailbox returns the messages of owner's mailbox as the original bytes,
// or nil when the mailbox does not exist.
func (e *env) mailbox(owner int64, name string) []string {
	e.t.Helper()
	ctx := context.Background()
	d := e.handle()
	mb, err := d.FindMailbox(ctx, owner, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := d.MailboxMessages(ctx, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := []string{}
	for _, m := range msgs {
		var buf bytes.Buffer
		if _, err := d.WriteMessage(ctx, m.PhysID, &buf, db.OriginalForm(m.MessageSize, m.RFCSize)); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, buf.String())
	}
	return out
}

// afterFromLine is a corpus message as stored: without its mbox From line.
func afterFromLine(raw []byte) string {
	_, rest, _ := bytes.Cut(raw, []byte("\n"))
	return string(rest)
}

const plain = "From: Bob Sender <bob@example.org>\nTo: alice@example.com\nSubject: hello\n\nbody line\n"

func TestDeliverExitCodes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		e.addUser("tiny", 10) // a 10-byte quota: every message is over it
		cases := []struct {
			name  string
			args  []string
			stdin string
			code  int
			err   string
		}{
			{"delivered", []string{"-u", "alice"}, plain, 0, ""},
			{"delivered by address", []string{"-d", "ALICE"}, plain, 0, ""},
			{"unknown user", []string{"-d", "nobody@example.com"}, plain, 67, ""},
			{"one unknown of two", []string{"-u", "alice", "-u", "nobody"}, plain, 67, ""},
			{"no recipient option", []string{"-r", "x@y"}, plain, 67, "no recipients"},
			{"-t header without address", []string{"-t"}, plain, 67, "no recipients"},
			{"over hard quota", []string{"-u", "tiny"}, plain, 73, ""},
			{"empty stdin", []string{"-u", "alice"}, "", 75, "no message"},
			{"-q is a usage error", []string{"-q", "-u", "alice"}, plain, 64, "invalid option -- 'q'"},
			{"-n is a usage error", []string{"-n", "-u", "alice"}, plain, 64, "invalid option -- 'n'"},
			{"two -t", []string{"-t", "-t"}, plain, 64, "only one -t"},
			{"-m and -M", []string{"-u", "alice", "-m", "a", "-M", "b"}, plain, 64, "only one -m or -M"},
			{"stray argument", []string{"-u", "alice", "extra"}, plain, 64, "unexpected argument"},
		}
		for _, c := range cases {
			code, _, errOut := e.run([]byte(c.stdin), c.args...)
			if code != c.code || !strings.Contains(errOut, c.err) {
				t.Errorf("%s: exit %d stderr %q; want %d with %q", c.name, code, errOut, c.code, c.err)
			}
		}
		// Only the deliveries to alice arrived: "delivered", "delivered by
		// address" and the alice half of "one unknown of two".
		if got := len(e.mailbox(alice, "INBOX")); got != 3 {
			t.Errorf("alice has %d messages, want 3", got)
		}
	})
}

func TestDeliverUsageWithoutDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{nil, 64, ""},
		{[]string{"-h"}, 0, "Usage: dbmail-deliver"},
		{[]string{"-V"}, 1, "This is dbmail-deliver version"},
		{[]string{"--bogus"}, 64, ""},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(c.args, strings.NewReader(plain), &out, &errb); code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("%q: exit %d stdout %q, want %d with %q", c.args, code, out.String(), c.code, c.out)
		}
	}
	// 75 when the database does not answer: a closed PostgreSQL port.
	e := newEnv(t, "postgresql://root@127.0.0.1:1/test")
	if code, _, errOut := e.run([]byte(plain), "-u", "alice"); code != 75 {
		t.Errorf("closed database port: exit %d (%s), want 75", code, errOut)
	}
	// 75 when the configuration cannot be read.
	bad := newEnv(t, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "x.db")))
	bad.conf = t.TempDir() // a directory: unreadable as a file
	if code, _, errOut := bad.run([]byte(plain), "-u", "alice"); code != 75 {
		t.Errorf("unreadable config: exit %d (%s), want 75", code, errOut)
	}
}

func TestDeliverReturnPath(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		withRP := "Return-Path: <old@example.org>\n" + plain
		cases := []struct {
			name  string
			args  []string
			input string
			want  string
		}{
			{"-r replaces an existing Return-Path", []string{"-r", "bounce@example.net"}, withRP, "Return-Path: <bounce@example.net>\n" + plain},
			{"-r adds one", []string{"-r", "<bounce@example.net>"}, plain, "Return-Path: <bounce@example.net>\n" + plain},
			{"an existing Return-Path stays", nil, withRP, withRP},
			{"else From: is copied", nil, plain, "Return-Path: <bob@example.org>\n" + plain},
		}
		for _, c := range cases {
			if code, _, errOut := e.run([]byte(c.input), append([]string{"-u", "alice"}, c.args...)...); code != 0 {
				t.Fatalf("%s: exit %d: %s", c.name, code, errOut)
			}
			msgs := e.mailbox(alice, "INBOX")
			if got := msgs[len(msgs)-1]; got != c.want {
				t.Errorf("%s: stored\n%q\nwant\n%q", c.name, got, c.want)
			}
		}
	})
}

func TestDeliverMailboxOptions(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		bob := e.addUser("bob", 0)
		if code, _, errOut := e.run([]byte(plain), "-u", "alice", "-m", "Lists/Work"); code != 0 {
			t.Fatalf("-m: exit %d: %s", code, errOut)
		}
		if got := e.mailbox(alice, "Lists/Work"); len(got) != 1 {
			t.Errorf("-m Lists/Work: %d messages, want 1", len(got))
		}
		if got := e.mailbox(alice, "INBOX"); len(got) != 0 {
			t.Errorf("-m: INBOX got %d messages", len(got))
		}
		ctx := context.Background()
		mb, err := e.handle().FindMailbox(ctx, alice, "Lists/Work")
		if err != nil {
			t.Fatal(err)
		}
		subs, err := e.handle().Subscribed(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		if !subs[mb.ID] {
			t.Errorf("-m created Lists/Work without subscribing it")
		}
		if code, _, errOut := e.run([]byte(plain), "-u", "bob", "--mailbox-force=Forced"); code != 0 {
			t.Fatalf("-M: exit %d: %s", code, errOut)
		}
		if got := e.mailbox(bob, "Forced"); len(got) != 1 {
			t.Errorf("-M Forced: %d messages, want 1", len(got))
		}
	})
}

func TestDeliverToHeader(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		bob := e.addUser("bob", 0)
		msg := "Delivered-To: alice\nX-Original-To: bob, Alice <alice>\n" + plain
		if code, _, errOut := e.run([]byte(msg), "-t"); code != 0 {
			t.Fatalf("-t: exit %d: %s", code, errOut)
		}
		if got := len(e.mailbox(alice, "INBOX")); got != 1 {
			t.Errorf("-t: alice has %d messages, want 1", got)
		}
		if got := len(e.mailbox(bob, "INBOX")); got != 0 {
			t.Errorf("-t: bob has %d messages, want 0", got)
		}
		if code, _, errOut := e.run([]byte(msg), "-tX-Original-To"); code != 0 {
			t.Fatalf("-tX-Original-To: exit %d: %s", code, errOut)
		}
		if a, b := len(e.mailbox(alice, "INBOX")), len(e.mailbox(bob, "INBOX")); a != 2 || b != 1 {
			t.Errorf("-tX-Original-To: alice %d bob %d messages, want 2 and 1", a, b)
		}
	})
}

// TestDeliverCorpusBytes: corpus messages arrive byte for byte (their
// mbox From line removed, their Return-Path kept).
func TestDeliverCorpusBytes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		var want []string
		for i := 0; i < 5; i++ {
			for _, kind := range []string{"ham", "spam"} {
				raw := corpusFile(t, kind, i)
				if code, _, errOut := e.run(raw, "-u", "alice"); code != 0 {
					t.Fatalf("%s %d: exit %d: %s", kind, i, code, errOut)
				}
				want = append(want, afterFromLine(raw))
			}
		}
		got := e.mailbox(alice, "INBOX")
		if len(got) != len(want) {
			t.Fatalf("%d messages stored, want %d", len(got), len(want))
		}
		for i := range want {
			if !strings.HasPrefix(want[i], "Return-Path:") {
				continue // a From: copy was added; covered by TestDeliverReturnPath
			}
			if got[i] != want[i] {
				t.Errorf("message %d differs from the delivered bytes", i)
			}
		}
	})
}

// TestDeliverBinary runs the real binary with a message on stdin.
func TestDeliverBinary(t *testing.T) {
	t.Parallel()
	bin := buildTool(t, "cmd/dbmail-deliver")
	e := newEnv(t, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "dbmail.db")))
	alice := e.addUser("alice", 0)
	code := func(args ...string) int {
		cmd := exec.Command(bin, append([]string{"-f", e.conf}, args...)...)
		cmd.Stdin = strings.NewReader(plain)
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if c := code("-u", "alice"); c != 0 {
		t.Errorf("deliver to alice: exit %d", c)
	}
	if c := code("-u", "nobody"); c != 67 {
		t.Errorf("deliver to nobody: exit %d, want 67", c)
	}
	if c := code("-V"); c != 1 {
		t.Errorf("-V: exit %d, want 1", c)
	}
	if got := e.mailbox(alice, "INBOX"); len(got) != 1 || got[0] != "Return-Path: <bob@example.org>\n"+plain {
		t.Errorf("stored %q", got)
	}
}
