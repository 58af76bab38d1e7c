package imaptest

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ScriptConfig configures script mode.
type ScriptConfig struct {
	Addr      string // host:port
	User      string
	Pass      string
	User2     string // for tests with "user 2: $user2"; empty skips them
	Pass2     string
	Host      string // for $domain when the user has no "@domain"
	Mailbox   string // $mailbox, default "imaptest"
	Timeout   time.Duration
	Out       io.Writer // progress and failure details
	Verbose   bool      // print every test's result line even when passing
	LookupEnv func(string) (string, bool)
}

// Outcome of one test.
type Outcome string

// Test outcomes.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

// TestResult is one test's outcome. Failures holds every failing command
// with its expected and received lines.
type TestResult struct {
	Name     string
	Outcome  Outcome
	Reason   string // why it was skipped
	Failures []string
}

// Summary of a script run.
type Summary struct {
	Results                 []TestResult
	Passed, Failed, Skipped int
}

// String is the closing line "N passed, N failed, N skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// RunScripts runs tests one after another and prints each outcome.
func RunScripts(ctx context.Context, cfg ScriptConfig, tests []*Test) Summary {
	if cfg.Mailbox == "" {
		cfg.Mailbox = "imaptest"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	var sum Summary
	for _, t := range tests {
		if ctx.Err() != nil {
			break
		}
		r := runTest(ctx, &cfg, t)
		sum.Results = append(sum.Results, r)
		switch r.Outcome {
		case Passed:
			sum.Passed++
			fmt.Fprintf(cfg.Out, "%s: passed\n", t.Name)
		case Skipped:
			sum.Skipped++
			fmt.Fprintf(cfg.Out, "%s: skipped (%s)\n", t.Name, r.Reason)
		case Failed:
			sum.Failed++
			fmt.Fprintf(cfg.Out, "%s: failed\n", t.Name)
			for _, f := range r.Failures {
				fmt.Fprintf(cfg.Out, "%s\n", indent(f))
			}
		}
	}
	fmt.Fprintln(cfg.Out, sum.String())
	return sum
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// testRun is the state of one running test.
type testRun struct {
	cfg    *ScriptConfig
	t      *Test
	conns  []*scriptConn
	m      *Matcher
	src    *MessageSource
	result TestResult
	group  int
}

func (r *testRun) fail(format string, a ...any) {
	r.result.Outcome = Failed
	r.result.Failures = append(r.result.Failures, fmt.Sprintf(format, a...))
}

// failCmd records a failure of the current group, naming its first
// command like Dovecot imaptest does.
func (r *testRun) failCmd(g *Group, format string, a ...any) {
	cmd := "(banner)"
	line := g.FirstLine
	if len(g.Commands) > 0 {
		cmd = g.Commands[0].Text
		if g.Commands[0].Line != 0 {
			line = g.Commands[0].Line
		}
	}
	r.fail("command %d/%d (line %d) on connection %d: %s\n - failed: %s",
		r.group+1, len(r.t.Groups), line, g.Conn+1, cmd, fmt.Sprintf(format, a...))
}

func runTest(ctx context.Context, cfg *ScriptConfig, t *Test) TestResult {
	r := &testRun{cfg: cfg, t: t, result: TestResult{Name: t.Name, Outcome: Passed}}
	defer r.close()
	if t.RequireUser2 && cfg.User2 == "" {
		r.result.Outcome, r.result.Reason = Skipped, "needs user2=, not given"
		return r.result
	}
	if skip, err := r.setup(ctx); err != nil {
		r.fail("initialization failed: %v", err)
		return r.result
	} else if skip != "" {
		r.result.Outcome, r.result.Reason = Skipped, skip
		return r.result
	}
	for r.group = 0; r.group < len(t.Groups); r.group++ {
		if err := r.runGroup(ctx, t.Groups[r.group]); err != nil {
			r.failCmd(t.Groups[r.group], "%v", err)
			break
		}
	}
	return r.result
}

func (r *testRun) close() {
	for _, c := range r.conns {
		if c != nil {
			c.nc.Close()
			for range c.events {
				// Drain so the reader goroutine ends.
			}
		}
	}
}

func (r *testRun) connUser(i int) (user, pass string) {
	user, pass = r.cfg.User, r.cfg.Pass
	if v, ok := r.t.ConnUsers[i+1]; ok {
		switch v {
		case "$user2", "${user2}":
			user, pass = r.cfg.User2, r.cfg.Pass2
			if pass == "" {
				pass = r.cfg.Pass
			}
		default:
			user = v
		}
	}
	return user, pass
}

func (r *testRun) predefinedVars() map[string]string {
	vars := map[string]string{}
	for i := range r.t.Connections {
		user, pass := r.connUser(i)
		suffix := ""
		if i > 0 {
			suffix = strconv.Itoa(i + 1)
		}
		name, domain, ok := strings.Cut(user, "@")
		if !ok {
			domain = r.cfg.Host
		}
		vars["user"+suffix] = user
		vars["username"+suffix] = name
		vars["domain"+suffix] = domain
		vars["password"+suffix] = pass
	}
	vars["mailbox"] = r.cfg.Mailbox
	vars["mailbox_url"] = mailboxURL(r.cfg.Mailbox)
	return vars
}

// mailboxURL renders a mailbox name as an IMAP URL path (RFC 5092 §3,
// names are decoded from modified UTF-7, RFC 3501 §5.1.3).
func mailboxURL(name string) string {
	u := url.URL{Path: decodeMUTF7(name)}
	return strings.TrimPrefix(u.EscapedPath(), "/")
}

// setup brings every connection to the test's start state (Dovecot
// imaptest's order: log in, delete test mailboxes, create, append,
// select). It returns a non-empty reason when the test is skipped.
func (r *testRun) setup(ctx context.Context) (string, error) {
	t := r.t
	for i := range t.Connections {
		c, err := dialScript(ctx, r.cfg.Addr, i)
		if err != nil {
			return "", err
		}
		r.conns = append(r.conns, c)
		g, err := c.next(ctx, r.cfg.Timeout)
		if err != nil {
			return "", fmt.Errorf("greeting: %w", err)
		}
		if g.Tag != "*" || len(g.Args) == 0 || !(g.Args[0].AtomIs("OK") || g.Args[0].AtomIs("PREAUTH")) {
			return "", fmt.Errorf("malformed greeting %q", g.Raw)
		}
		c.greet = g
	}
	r.m = NewMatcher(r.predefinedVars())
	c0 := r.conns[0]
	if t.State == StateNonAuth {
		if len(c0.caps) == 0 {
			if _, _, err := r.simple(ctx, c0, "CAPABILITY", false); err != nil {
				return "", err
			}
		}
		if missing, ok := c0.hasCaps(t.Capabilities); !ok {
			return "server lacks capability " + missing, nil
		}
		return "", nil
	}
	for i, c := range r.conns {
		if c.greet.Args[0].AtomIs("PREAUTH") {
			continue
		}
		user, pass := r.connUser(i)
		c.caps = nil
		if _, _, err := r.simple(ctx, c, "LOGIN "+quote(user)+" "+quote(pass), false); err != nil {
			return "", err
		}
	}
	if len(c0.caps) == 0 {
		if _, _, err := r.simple(ctx, c0, "CAPABILITY", false); err != nil {
			return "", err
		}
	}
	if missing, ok := c0.hasCaps(t.Capabilities); !ok {
		return "server lacks capability " + missing, nil
	}
	if err := r.deleteMailboxes(ctx, c0); err != nil {
		return "", err
	}
	box := r.cfg.Mailbox
	if t.State >= StateCreated && !strings.EqualFold(box, "INBOX") {
		if _, _, err := r.simple(ctx, c0, "CREATE "+quote(box), false); err != nil {
			return "", err
		}
	}
	if t.State >= StateAppended && t.Messages != 0 {
		src, err := r.source()
		if err != nil {
			return "", err
		}
		for n := 0; ; n++ {
			if t.Messages == AllMessages && src.EOF() || t.Messages > 0 && n == t.Messages {
				break
			}
			msg := src.Next()
			if _, _, err := r.simple(ctx, c0, appendCommand(quote(box), msg, true), false); err != nil {
				return "", err
			}
		}
	}
	if t.State >= StateSelected {
		for _, c := range r.conns {
			if _, _, err := r.simple(ctx, c, "SELECT "+quote(box), false); err != nil {
				return "", err
			}
		}
	}
	// Replies caused by the setup are not part of the test.
	for _, c := range r.conns {
		for {
			if _, ok := c.pending(); !ok {
				break
			}
		}
	}
	return "", nil
}

func (r *testRun) source() (*MessageSource, error) {
	if r.src == nil {
		msgs, err := ReadMbox(r.t.MboxPath)
		if err != nil {
			return nil, err
		}
		r.src = NewMessageSource(msgs)
	}
	return r.src, nil
}

// appendCommand builds "APPEND args [date] {n}\r\n<message>".
func appendCommand(args string, msg MboxMessage, withDate bool) string {
	var sb strings.Builder
	sb.WriteString("APPEND ")
	sb.WriteString(args)
	if withDate {
		sb.WriteString(` "` + imapDate(msg.Time) + `"`)
	}
	fmt.Fprintf(&sb, " {%d}\r\n", len(msg.Data))
	sb.Write(msg.Data)
	return sb.String()
}

// deleteMailboxes removes every "$mailbox*" mailbox and subscription.
func (r *testRun) deleteMailboxes(ctx context.Context, c *scriptConn) error {
	pattern := quote(r.cfg.Mailbox + "*")
	var boxes, subs []string
	for _, cmd := range []string{"LIST", "LSUB"} {
		_, untagged, err := r.simple(ctx, c, cmd+` "" `+pattern, false)
		if err != nil {
			return err
		}
		for _, u := range untagged {
			a := u.Args
			if len(a) < 4 || !a[0].AtomIs(cmd) || a[1].Kind != ArgList || !a[3].IsAString() {
				continue
			}
			if cmd == "LIST" {
				boxes = append(boxes, a[3].Str)
			} else {
				subs = append(subs, a[3].Str)
			}
		}
	}
	revSort := func(s []string) {
		sort.Slice(s, func(i, j int) bool { return strings.ToLower(s[i]) > strings.ToLower(s[j]) })
	}
	revSort(boxes)
	revSort(subs)
	for _, b := range boxes {
		// A \Noselect parent may refuse DELETE: NO is fine here.
		if _, _, err := r.simple(ctx, c, "DELETE "+quote(b), true); err != nil {
			return err
		}
	}
	for _, b := range subs {
		if _, _, err := r.simple(ctx, c, "UNSUBSCRIBE "+quote(b), true); err != nil {
			return err
		}
	}
	return nil
}

// simple runs one setup command and waits for its tagged reply, which
// must be OK (or NO when allowNo).
func (r *testRun) simple(ctx context.Context, c *scriptConn, text string, allowNo bool) (Response, []Response, error) {
	tag := c.newTag()
	s := newSender(c, tag, splitCommand(text))
	if err := s.advance(); err != nil {
		return Response{}, nil, err
	}
	var untagged []Response
	for {
		resp, err := c.next(ctx, r.cfg.Timeout)
		if err != nil {
			return Response{}, untagged, fmt.Errorf("%s: %w", firstLine(text), err)
		}
		switch resp.Tag {
		case "+":
			if !s.wait {
				return resp, untagged, fmt.Errorf("%s: unexpected continuation request", firstLine(text))
			}
			if err := s.advance(); err != nil {
				return resp, untagged, err
			}
		case "*":
			untagged = append(untagged, resp)
		case tag:
			ok := len(resp.Args) > 0 && (resp.Args[0].AtomIs("OK") || allowNo && resp.Args[0].AtomIs("NO"))
			if !ok {
				return resp, untagged, fmt.Errorf("%s (tag %s) failed: %s", firstLine(text), tag, resp.Raw)
			}
			return resp, untagged, nil
		default:
			return resp, untagged, fmt.Errorf("unexpected tagged reply %q", resp.Raw)
		}
	}
}

func firstLine(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// quote renders an IMAP quoted string (RFC 3501 §4.3).
func quote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	sb.WriteByte('"')
	return sb.String()
}
