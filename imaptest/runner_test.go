package imaptest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a tiny IMAP server for runner tests. It answers every
// command with OK, and the commands named in replies with the given
// untagged lines and tagged status, so a test can make exactly one reply
// wrong.
type fakeServer struct {
	ln      net.Listener
	caps    string
	replies map[string]fakeReply // upper-case command name
	wg      sync.WaitGroup
}

type fakeReply struct {
	untagged []string
	status   string // "OK", "NO" or "BAD" with text; default "OK done"
}

func startFake(t *testing.T, caps string, replies map[string]fakeReply) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, caps: caps, replies: replies}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	fmt.Fprintf(w, "* OK [CAPABILITY %s] fake ready\r\n", s.caps)
	w.Flush()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		first := line
		// Consume synchronizing literals (APPEND).
		for strings.HasSuffix(line, "}") {
			i := strings.LastIndexByte(line, '{')
			n, err := strconv.Atoi(strings.TrimSuffix(line[i+1:len(line)-1], "+"))
			if i < 0 || err != nil {
				break
			}
			if !strings.HasSuffix(line, "+}") {
				w.WriteString("+ go ahead\r\n")
				w.Flush()
			}
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				return
			}
			rest, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(rest, "\r\n")
		}
		tag, cmd, _ := strings.Cut(first, " ")
		name, _, _ := strings.Cut(cmd, " ")
		name = strings.ToUpper(name)
		rep, ok := s.replies[name]
		switch {
		case ok:
		case name == "SELECT":
			rep = fakeReply{untagged: []string{"0 EXISTS"}, status: "OK [READ-WRITE] selected"}
		case name == "LOGOUT":
			rep = fakeReply{untagged: []string{"BYE bye"}}
		}
		for _, u := range rep.untagged {
			fmt.Fprintf(w, "* %s\r\n", u)
		}
		st := rep.status
		if st == "" {
			st = "OK done"
		}
		fmt.Fprintf(w, "%s %s\r\n", tag, st)
		w.Flush()
		if name == "LOGOUT" {
			return
		}
	}
}

func runFake(t *testing.T, s *fakeServer, script string) (Summary, string) {
	t.Helper()
	tt, err := ParseTest("fake", "fake", []byte(script), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum := RunScripts(context.Background(), ScriptConfig{
		Addr: s.ln.Addr().String(), User: "u", Pass: "p", Timeout: 5 * time.Second, Out: &out,
	}, []*Test{tt})
	return sum, out.String()
}

const fetchScript = `state: selected

ok fetch 1 (uid flags)
* 1 fetch (uid $uid flags (\seen))

ok uid store $uid +flags \flagged
* 1 fetch (uid $uid flags (\seen \flagged))
`

func TestFakeServerCorrectReplyPasses(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"FETCH": {untagged: []string{`1 FETCH (FLAGS (\Seen) UID 7)`}},
		"UID":   {untagged: []string{`1 FETCH (UID 7 FLAGS (\Flagged \Seen \Recent))`}},
	})
	sum, out := runFake(t, s, fetchScript)
	if sum.Passed != 1 || sum.Failed != 0 || sum.Skipped != 0 {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
	if !strings.HasSuffix(out, "fake: passed\n1 passed, 0 failed, 0 skipped\n") {
		t.Errorf("output:\n%s", out)
	}
}

func TestFakeServerWrongReplyFails(t *testing.T) {
	t.Parallel()
	// The STORE reply lacks \Flagged: the one deliberate error.
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"FETCH": {untagged: []string{`1 FETCH (FLAGS (\Seen) UID 7)`}},
		"UID":   {untagged: []string{`1 FETCH (UID 7 FLAGS (\Seen))`}},
	})
	sum, out := runFake(t, s, fetchScript)
	if sum.Failed != 1 || sum.Passed != 0 {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
	want := "fake: failed\n" +
		"  command 2/3 (line 6) on connection 1: uid store $uid +flags \\flagged\n" +
		"   - failed: missing 1 untagged replies (1 mismatches)\n" +
		"   - first expected (line 7): 1 fetch ($!unordered=2 uid $uid flags ($!unordered $!noextra $!ignore=\\recent $!ignore=$HasAttachment $!ignore=$HasNoAttachment \\seen \\flagged))\n" +
		"   - first expanded: 1 fetch ($!unordered=2 uid 7 flags ($!unordered $!noextra $!ignore=\\recent $!ignore=$HasAttachment $!ignore=$HasNoAttachment \\seen \\flagged))\n" +
		"   - best match: 1 FETCH (UID 7 FLAGS (\\Seen))\n" +
		"0 passed, 1 failed, 0 skipped\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestFakeServerWrongTaggedStatusFails(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"NOOP": {status: "NO [SERVERBUG] broken"},
	})
	sum, out := runFake(t, s, "state: auth\n\nok noop\n")
	if sum.Failed != 1 {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
	if !strings.Contains(out, "expected tagged reply 'ok', got 'NO [SERVERBUG] broken'") {
		t.Errorf("output:\n%s", out)
	}
}

func TestFakeServerExtraUntagged(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"NOOP": {untagged: []string{"3 EXISTS", "1 RECENT"}},
	})
	script := "state: auth\n\nok noop\n* 3 exists\n"
	if sum, out := runFake(t, s, script); sum.Passed != 1 {
		t.Fatalf("extra untagged ignored by default: %s\n%s", sum, out)
	}
	sum, out := runFake(t, s, "state: auth\nignore_extra_untagged: no\n\nok noop\n* 3 exists\n")
	if sum.Failed != 1 || !strings.Contains(out, "1 unexpected untagged replies received, first: 1 RECENT") {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
	sum, out = runFake(t, s, "state: auth\n\nok noop\n! 1 recent\n")
	if sum.Failed != 1 || !strings.Contains(out, "unexpected untagged match:\n") {
		t.Fatalf("must-not-exist: summary %s, output:\n%s", sum, out)
	}
}

func TestFakeServerSkipsMissingCapability(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", nil)
	sum, out := runFake(t, s, "capabilities: SORT\n\nok sort (arrival) us-ascii all\n")
	if sum.Skipped != 1 || !strings.Contains(out, "fake: skipped (server lacks capability SORT)") {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
}

func TestFakeServerPipelineAndAppend(t *testing.T) {
	t.Parallel()
	s := startFake(t, "IMAP4rev1", map[string]fakeReply{
		"STATUS": {untagged: []string{`STATUS imaptest (MESSAGES 0)`}},
	})
	script := "state: created\n\ntag1 status $mailbox (messages)\ntag2 noop\n* status $mailbox (messages 0)\ntag2 ok\ntag1 ok\n\nok append $mailbox {{{\nSubject: x\n\nbody\n}}}\n"
	sum, out := runFake(t, s, script)
	if sum.Passed != 1 {
		t.Fatalf("summary %s, output:\n%s", sum, out)
	}
}

func TestFakeServerTimeout(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		time.Sleep(2 * time.Second) // never greets
	}()
	tt, _ := ParseTest("silent", "silent", []byte("state: nonauth\n\nok noop\n"), noEnv)
	var out bytes.Buffer
	sum := RunScripts(context.Background(), ScriptConfig{Addr: ln.Addr().String(), User: "u", Timeout: 200 * time.Millisecond, Out: &out}, []*Test{tt})
	if sum.Failed != 1 || !strings.Contains(out.String(), "timed out") {
		t.Fatalf("summary %s, output:\n%s", sum, out.String())
	}
}

// repoRoot walks up from the test's directory to the one with go.mod.
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

// TestLoadSharedTests parses every shared script (../shared/imaptest).
func TestLoadSharedTests(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "..", "shared", "imaptest", "tests")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("shared imaptest scripts missing: %v", err)
	}
	tests, err := LoadTests(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) != 61 {
		t.Errorf("loaded %d tests, want 61", len(tests))
	}
	for _, tt := range tests {
		if _, err := ReadMbox(tt.MboxPath); err != nil {
			t.Errorf("%s: %v", tt.Name, err)
		}
	}
}
