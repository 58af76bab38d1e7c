package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/mbox"
	"github.com/dbmail-go/dbmail/message"
)

// readMbox reads every message of an mboxrd file.
func readMbox(t *testing.T, data []byte) []*mbox.Message {
	t.Helper()
	r := mbox.NewReader(bytes.NewReader(data))
	var out []*mbox.Message
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read mbox: %v", err)
		}
		out = append(out, m)
	}
}

// separator is the mboxrd "From " line: sender and asctime date.
var separator = regexp.MustCompile(`^From \S+ (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}$`)

// store stores raw into owner's mailbox name (created if needed) and
// returns its UID.
func (e *env) store(owner int64, name string, raw []byte) int64 {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.handle().EnsureMailbox(ctx, owner, name)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := message.Parse(raw, message.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	_, res, err := e.handle().StoreMessage(ctx, m, time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC), []db.Dest{{MailboxID: mb.ID, QuotaUser: owner}})
	if err != nil {
		e.t.Fatal(err)
	}
	return res[0].UID
}

// tricky has body lines an mbox reader would take for separators.
const tricky = "Return-Path: <carol@example.org>\nFrom: carol@example.org\nSubject: quoting\n\nFrom here on\n>From there\n>>From afar\nend\n"

// TestExportEndToEnd is the "done when": the three real binaries,
// dbmail-users -a, dbmail-deliver -u, dbmail-export -o, and the mboxrd
// read back equals the delivered bytes.
func TestExportEndToEnd(t *testing.T) {
	t.Parallel()
	bins := map[string]string{}
	for _, name := range []string{"dbmail-users", "dbmail-deliver", "dbmail-export"} {
		bins[name] = buildTool(t, "cmd/"+name)
	}
	e := newEnv(t, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "dbmail.db")))
	tool := func(stdin []byte, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bins[name], append([]string{"-f", e.conf}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, errb.String())
		}
		return out.String()
	}
	if out := tool(nil, "dbmail-users", "-a", "alice", "-w", "secret"); !strings.HasPrefix(out, "alice:x:") {
		t.Fatalf("dbmail-users -a: %q", out)
	}
	var want []string
	for i := 0; i < 6; i++ {
		raw := corpusFile(t, []string{"ham", "spam"}[i%2], i)
		if !bytes.Contains(raw[:bytes.IndexByte(raw, '\n')+200], []byte("\nReturn-Path:")) {
			continue // the comparison below wants messages delivered unchanged
		}
		tool(raw, "dbmail-deliver", "-u", "alice")
		want = append(want, afterFromLine(raw))
	}
	tool([]byte(tricky), "dbmail-deliver", "-u", "alice")
	want = append(want, tricky)
	out := filepath.Join(t.TempDir(), "out.mbox")
	tool(nil, "dbmail-export", "-u", "alice", "-m", "INBOX", "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := readMbox(t, data)
	if len(got) != len(want) || len(want) < 2 {
		t.Fatalf("%d messages exported, want %d (at least 2)", len(got), len(want))
	}
	for i := range want {
		if string(got[i].Data) != want[i] {
			t.Errorf("message %d: exported bytes differ from the delivered ones", i)
		}
		if !separator.MatchString(got[i].Separator) {
			t.Errorf("message %d: separator %q is not an mboxrd From line", i, got[i].Separator)
		}
	}
	if !strings.HasPrefix(got[len(got)-1].Separator, "From carol@example.org ") {
		t.Errorf("separator %q does not name the Return-Path sender", got[len(got)-1].Separator)
	}
	if !bytes.Contains(data, []byte("\n>From here on\n>>From there\n>>>From afar\n")) {
		t.Errorf("body From lines not quoted mboxrd-style:\n%s", data)
	}
}

func TestExportSearchAndDelete(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		var uids []int64
		var raws [][]byte
		for i := 0; i < 4; i++ {
			raw := corpusFile(t, "ham", 10+i)
			raws = append(raws, raw)
			uids = append(uids, e.store(alice, "INBOX", raw))
		}
		ctx := context.Background()
		mb, err := e.handle().FindMailbox(ctx, alice, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		seqBefore := mb.Seq
		// -s 1 -D: one message exported, and only it gets status 2 (the
		// spec 7.4 bug marked all of them).
		code, out, errOut := e.run("-u", "alice", "-m", "INBOX", "-s", "1", "-D", "-o", "-")
		if code != 0 {
			t.Fatalf("-s 1 -D: exit %d: %s", code, errOut)
		}
		got := readMbox(t, []byte(out))
		if len(got) != 1 || string(got[0].Data) != e.original(uids[0]) {
			t.Fatalf("-s 1 exported %d messages", len(got))
		}
		status := e.statuses(uids)
		if want := []int{2, 0, 0, 0}; fmt.Sprint(status) != fmt.Sprint(want) {
			t.Errorf("statuses after -s 1 -D: %v, want %v", status, want)
		}
		if mb2, _ := e.handle().FindMailbox(ctx, alice, "INBOX"); mb2.Seq <= seqBefore {
			t.Errorf("-D did not bump the mailbox seq")
		}
		// Sequence numbers are over the visible messages: 1:2 is now the
		// second and third stored message.
		code, out, errOut = e.run("-u", "alice", "-m", "INBOX", "-s", "1:2", "-d", "-o", "-")
		if code != 0 {
			t.Fatalf("-s 1:2 -d: exit %d: %s", code, errOut)
		}
		if got := readMbox(t, []byte(out)); len(got) != 2 || string(got[0].Data) != e.original(uids[1]) || string(got[1].Data) != e.original(uids[2]) {
			t.Errorf("-s 1:2 exported %d messages, not the 2nd and 3rd", len(got))
		}
		if flags := e.deletedFlags(uids); fmt.Sprint(flags) != fmt.Sprint([]int{0, 1, 1, 0}) {
			t.Errorf("\\Deleted flags after -s 1:2 -d: %v, want [0 1 1 0]", flags)
		}
		// A search key: SUBJECT of the fourth message.
		subject := headerOf(raws[3], "Subject")
		code, out, errOut = e.run("-u", "alice", "-m", "INBOX", "-s", "SUBJECT \""+strings.ReplaceAll(subject, "\"", "")+"\"", "-o", "-")
		if code != 0 {
			t.Fatalf("-s SUBJECT: exit %d: %s", code, errOut)
		}
		if got := readMbox(t, []byte(out)); len(got) < 1 || string(got[len(got)-1].Data) != e.original(uids[3]) {
			t.Errorf("-s SUBJECT %q did not export the fourth message", subject)
		}
	})
}

func TestExportBasedirAndGlobs(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.addUser("alice", 0)
		anna := e.addUser("anna", 0)
		bob := e.addUser("bob", 0)
		e.store(alice, "INBOX", corpusFile(t, "ham", 20))
		e.store(alice, "Lists/Work", corpusFile(t, "ham", 21))
		e.store(alice, "Lists/Work", corpusFile(t, "ham", 22))
		e.store(anna, "INBOX", corpusFile(t, "spam", 20))
		e.store(bob, "INBOX", corpusFile(t, "spam", 21))
		base := filepath.Join(t.TempDir(), "export")
		code, out, errOut := e.run("-u", "a*", "-b", base)
		if code != 0 {
			t.Fatalf("-u a* -b: exit %d: %s", code, errOut)
		}
		for _, line := range []string{"Export user [alice] mailbox [INBOX]", "Export user [alice] mailbox [Lists/Work]", "Export user [anna] mailbox [INBOX]"} {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("progress lacks %q:\n%s", line, out)
			}
		}
		want := map[string]int{"alice/INBOX.mbox": 1, "alice/Lists/Work.mbox": 2, "anna/INBOX.mbox": 1}
		for name, n := range want {
			data, err := os.ReadFile(filepath.Join(base, filepath.FromSlash(name)))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if got := len(readMbox(t, data)); got != n {
				t.Errorf("%s: %d messages, want %d", name, got, n)
			}
		}
		if _, err := os.Stat(filepath.Join(base, "bob")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("bob was exported by -u 'a*' (%v)", err)
		}
		fi, err := os.Stat(filepath.Join(base, "alice", "Lists"))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("alice/Lists: %v, mode %v; want a 0700 directory", err, fi.Mode())
		}
		// Files are opened in append mode: a second run doubles them.
		if code, _, errOut := e.run("-q", "-u", "alice", "-m", "Lists", "-r", "-b", base); code != 0 {
			t.Fatalf("second run: exit %d: %s", code, errOut)
		}
		data, _ := os.ReadFile(filepath.Join(base, "alice", "Lists", "Work.mbox"))
		if got := len(readMbox(t, data)); got != 4 {
			t.Errorf("after a second -m Lists -r run Work.mbox has %d messages, want 4", got)
		}
		if code, _, _ := e.run("-u", "nobody", "-o", "-"); code == 0 {
			t.Errorf("unknown user exported with exit 0")
		}
	})
}

func TestExportUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{nil, 1, ""},
		{[]string{"-h"}, 1, "Usage: dbmail-export"},
		{[]string{"-V"}, 1, "This is dbmail-export version"},
		{[]string{"-u", "x", "-b", "d", "-o", "f"}, 1, ""},
		{[]string{"-u", "x", "extra"}, 1, ""},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("%q: exit %d stdout %q, want %d with %q", c.args, code, out.String(), c.code, c.out)
		}
	}
}

// original returns the stored original bytes of a message.
func (e *env) original(uid int64) string {
	e.t.Helper()
	var phys, size, rfc int64
	if err := e.handle().QueryRow(context.Background(), `SELECT p.id, p.messagesize, p.rfcsize FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.message_idnr = ?`, uid).Scan(&phys, &size, &rfc); err != nil {
		e.t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := e.handle().WriteMessage(context.Background(), phys, &buf, db.OriginalForm(size, rfc)); err != nil {
		e.t.Fatal(err)
	}
	return buf.String()
}

func (e *env) column(col string, uids []int64) []int {
	e.t.Helper()
	out := make([]int, len(uids))
	for i, uid := range uids {
		if err := e.handle().QueryRow(context.Background(), `SELECT `+col+` FROM {messages} WHERE message_idnr = ?`, uid).Scan(&out[i]); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

func (e *env) statuses(uids []int64) []int     { return e.column("status", uids) }
func (e *env) deletedFlags(uids []int64) []int { return e.column("deleted_flag", uids) }

// afterFromLine is a corpus message as stored: without its mbox From line.
func afterFromLine(raw []byte) string {
	_, rest, _ := bytes.Cut(raw, []byte("\n"))
	return string(rest)
}

// headerOf returns the first line of a header field's value.
func headerOf(raw []byte, name string) string {
	for _, line := range strings.Split(string(raw), "\n") {
		if len(line) > len(name) && strings.EqualFold(line[:len(name)+1], name+":") {
			return strings.TrimSpace(line[len(name)+1:])
		}
		if strings.TrimSpace(line) == "" {
			break
		}
	}
	return ""
}
