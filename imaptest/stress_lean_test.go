package imaptest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestIsLeanPlan(t *testing.T) {
	t.Parallel()
	var w Weights
	w[CmdLogin], w[CmdNoop] = 100, 100
	if !isLeanPlan(w) {
		t.Error("LOGIN+NOOP plan is not lean")
	}
	w[CmdSelect], w[CmdLogout] = 50, 10
	if !isLeanPlan(w) {
		t.Error("SELECT+NOOP+LOGOUT plan is not lean")
	}
	w[CmdStatus] = 1
	if isLeanPlan(w) {
		t.Error("a plan with STATUS is lean")
	}
	if isLeanPlan(DefaultWeights()) {
		t.Error("the default plan is lean")
	}
}

// runFakeStress runs a stress plan for about a second against s.
func runFakeStress(t *testing.T, s *fakeServer, args ...string) (*StressReport, string) {
	t.Helper()
	mbox := filepath.Join(t.TempDir(), "m.mbox")
	if err := os.WriteFile(mbox, []byte("From a@b Mon Nov 23 00:00:00 2026\nSubject: x\n\nbody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := s.ln.Addr().(*net.TCPAddr).Port
	base := []string{"host=127.0.0.1", "port=" + strconv.Itoa(port), "user=u", "pass=p", "mbox=" + mbox, "secs=1", "timeout=5"}
	cfg, err := ParseConfig(append(base, args...))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := RunStress(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return rep, out.String()
}

func opsOf(rep *StressReport, c Cmd) int64 {
	for _, s := range rep.Stats {
		if s.Cmd == c {
			return s.Total
		}
	}
	return 0
}

// selected3 makes SELECT report three messages.
var selected3 = fakeReply{untagged: []string{"3 EXISTS", "0 RECENT", "OK [UIDVALIDITY 7] ok", "FLAGS (\\Seen)"}, status: "OK [READ-WRITE] selected"}

func TestLeanStressCorrectRun(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		// Unilateral data a correct server may send: more messages,
		// another session's flag change.
		"NOOP":   {untagged: []string{"3 EXISTS", "1 FETCH (FLAGS (\\Seen))", "OK still here"}},
		"SELECT": selected3,
	})
	rep, out := runFakeStress(t, s, "clients=3", "-", "select=10", "noop=100", "logout=5")
	if !rep.Lean {
		t.Fatal("plan did not run on the lean client")
	}
	if rep.ErrorCount() != 0 {
		t.Fatalf("errors against a correct server: %q\n%s", rep.Errors, out)
	}
	if opsOf(rep, CmdNoop) == 0 || opsOf(rep, CmdLogin) == 0 {
		t.Fatalf("no NOOP or LOGIN done:\n%s", out)
	}
}

func TestLeanStressCatchesWrongReplies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		replies map[string]fakeReply
		args    []string
		want    string
	}{
		{"tagged NO", map[string]fakeReply{"NOOP": {status: "NO [ALERT] nope"}},
			[]string{"-", "noop=100"}, "NOOP: imap: NO [ALERT] nope"},
		{"tagged BAD", map[string]fakeReply{"NOOP": {status: "BAD what"}},
			[]string{"-", "noop=100"}, "NOOP: imap: BAD what"},
		{"not a status", map[string]fakeReply{"NOOP": {status: "MAYBE done"}},
			[]string{"-", "noop=100"}, `is not OK, NO or BAD`},
		{"EXISTS going backwards", map[string]fakeReply{"SELECT": selected3, "NOOP": {untagged: []string{"2 EXISTS"}}},
			[]string{"-", "select=100", "noop=100"}, "EXISTS 2 after 3 without EXPUNGE"},
		{"EXPUNGE beyond the view", map[string]fakeReply{"SELECT": selected3, "NOOP": {untagged: []string{"4 EXPUNGE"}}},
			[]string{"-", "select=100", "noop=100"}, "EXPUNGE 4 with only 3 messages"},
		{"EXPUNGE without a mailbox", map[string]fakeReply{"NOOP": {untagged: []string{"1 EXPUNGE"}}},
			[]string{"-", "noop=100"}, "EXPUNGE 1 without a selected mailbox"},
		{"malformed FETCH", map[string]fakeReply{"NOOP": {untagged: []string{"1 FETCH FLAGS"}}},
			[]string{"-", "noop=100"}, "malformed FETCH response"},
		{"unknown numbered response", map[string]fakeReply{"NOOP": {untagged: []string{"1 BOGUS"}}},
			[]string{"-", "noop=100"}, `unknown untagged response "1 BOGUS"`},
		{"SELECT without EXISTS", map[string]fakeReply{"SELECT": {untagged: []string{"OK [UIDVALIDITY 7] ok"}}},
			[]string{"-", "select=100", "noop=100"}, "SELECT without EXISTS"},
		{"LOGIN refused", map[string]fakeReply{"LOGIN": {status: "NO [AUTHENTICATIONFAILED] bad"}},
			[]string{"-", "noop=100"}, "LOGIN: imap: NO [AUTHENTICATIONFAILED] bad"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep, out := runFakeStress(t, startFake(t, "IMAP4rev1", c.replies), append([]string{"clients=2"}, c.args...)...)
			if !rep.Lean {
				t.Fatal("plan did not run on the lean client")
			}
			found := false
			for _, e := range rep.Errors {
				found = found || strings.Contains(e, c.want)
			}
			if !found {
				t.Fatalf("no error %q; errors %q\n%s", c.want, rep.Errors, out)
			}
		})
	}
}

// TestLeanStressCheckpoint: lean clients sharing a mailbox synchronize at
// checkpoints with NOOP and FETCH 1:* (UID FLAGS), parsed by the lean
// client, and their views are compared.
func TestLeanStressCheckpoint(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"SELECT": {untagged: []string{"2 EXISTS", "OK [UIDVALIDITY 7] ok"}, status: "OK [READ-WRITE] selected"},
		"FETCH":  {untagged: []string{"1 FETCH (UID 5 FLAGS (\\Seen $Label1))", "2 FETCH (FLAGS () UID 9)"}},
	})
	rep, out := runFakeStress(t, s, "clients=2", "secs=2", "checkpoint=1", "-", "select=100", "noop=100")
	if rep.ErrorCount() != 0 {
		t.Fatalf("errors: %q\n%s", rep.Errors, out)
	}
	if !strings.Contains(out, "checkpoint: 2 clients synchronized, 1 mailbox views compared") {
		t.Fatalf("no checkpoint compared the views:\n%s", out)
	}

	// UIDs that descend with sequence numbers are caught by the view.
	bad := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"SELECT": {untagged: []string{"2 EXISTS", "OK [UIDVALIDITY 7] ok"}, status: "OK [READ-WRITE] selected"},
		"FETCH":  {untagged: []string{"1 FETCH (UID 9 FLAGS ())", "2 FETCH (UID 5 FLAGS ())"}},
	})
	rep, out = runFakeStress(t, bad, "clients=1", "secs=2", "checkpoint=1", "-", "select=100", "noop=100")
	found := false
	for _, e := range rep.Errors {
		found = found || strings.Contains(e, "UIDs not ascending")
	}
	if !found {
		t.Fatalf("descending UIDs not reported; errors %q\n%s", rep.Errors, out)
	}
}

func TestTaggedStatus(t *testing.T) {
	t.Parallel()
	tag := []byte("L7")
	if err := taggedStatus(tag, []byte("L7 ok NOOP done")); err != nil {
		t.Errorf("OK: %v", err)
	}
	err := taggedStatus(tag, []byte("L7 NO [EXPUNGEISSUED] gone"))
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo || ie.Code != "EXPUNGEISSUED" || ie.Text != "gone" {
		t.Errorf("NO: %#v", err)
	}
	for resp, want := range map[string]string{
		"L8 OK done":  "does not carry the command's tag L7",
		"L77 OK done": "does not carry the command's tag L7",
		"L7":          "does not carry the command's tag L7",
		"+ more":      "unexpected continuation request",
	} {
		if err := taggedStatus(tag, []byte(resp)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", resp, err, want)
		}
	}
}

func TestParseFetchUIDFlags(t *testing.T) {
	t.Parallel()
	m, err := parseFetchUIDFlags(3, []byte(`(MODSEQ (12) FLAGS (\Seen $X) UID 40)`))
	if err != nil || m.SeqNum != 3 || m.UID != 40 || len(m.Flags) != 2 || m.Flags[1] != "$X" {
		t.Fatalf("parse = %+v, %v", m, err)
	}
	for _, bad := range []string{`(UID 0)`, `(UID x)`, `(FLAGS \Seen)`, `(FLAGS ("a"))`, `UID 4`, `(UID 4`} {
		if _, err := parseFetchUIDFlags(1, []byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := parseFetchUIDFlags(0, []byte(`(UID 4)`)); err == nil {
		t.Error("sequence 0 accepted")
	}
}

// TestLeanConnPipe drives a lean connection over a connection without a
// socket (net.Pipe): Read and Write take the plain path.
func TestLeanConnPipe(t *testing.T) {
	t.Parallel()
	cli, srv := net.Pipe()
	defer cli.Close()
	go func() {
		defer srv.Close()
		io.WriteString(srv, "* OK ready\r\n")
		buf := make([]byte, 100)
		n, _ := srv.Read(buf)
		tag, _, _ := strings.Cut(string(buf[:n]), " ")
		io.WriteString(srv, "* 5 RECENT\r\n"+tag+" OK done\r\n")
	}()
	lc, err := newLeanConn(cli, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lc.sock.rc != nil {
		t.Fatal("a pipe has no raw connection")
	}
	sc := &stressClient{run: &stressRun{errors: &errorLog{max: 10}}}
	if err := lc.command(sc, nil, "NOOP"); err != nil {
		t.Fatal(err)
	}
	if err := lc.command(sc, nil, "NOOP"); err == nil {
		t.Fatal("a closed connection answered")
	}
}

func TestLeanGreeting(t *testing.T) {
	t.Parallel()
	for greet, ok := range map[string]bool{
		"* OK hi\r\n":           true,
		"* PREAUTH [x] hi\r\n":  true,
		"* BYE go away\r\n":     false,
		"a OK not untagged\r\n": false,
	} {
		cli, srv := net.Pipe()
		go func() {
			io.WriteString(srv, greet)
			srv.Close()
		}()
		_, err := newLeanConn(cli, nil)
		if (err == nil) != ok {
			t.Errorf("greeting %q: %v", greet, err)
		}
		cli.Close()
	}
}
