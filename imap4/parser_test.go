package imap4

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"reflect"
	"strings"
	"testing"
)

// eventsOf renders steps compactly: "Command:tag NAME", "Command!tag|msg",
// "LiteralTooBig:tag limit", "LineTooLong:tag", ...
func eventsOf(steps []step) []string {
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		e := s.Event.String()
		switch s.Event {
		case EventCommand:
			if s.Err != "" {
				e += "!" + s.Err
			} else {
				e += ":" + s.Cmd.Tag + " " + s.Cmd.Name
			}
		case EventLiteral:
			e += ":" + s.Lit.Tag + " " + s.Lit.Command
		case EventLiteralTooBig:
			e += ":" + s.Lit.Tag + " " + s.Lit.Limit
		case EventLineTooLong:
			e += ":" + s.Tag
		case EventIdleBad, EventAuthResponse:
			e += ":" + s.Line
		}
		if strings.HasPrefix(s.Err, "feed: ") {
			e = "FeedError:" + s.Err
		}
		out = append(out, e)
	}
	return out
}

func TestSyntaxErrorsAndResync(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
		want  []string
	}{
		{"unknown command", "a FOO\r\nb NOOP\r\n", []string{"Command!a|unknown command FOO", "Command:b NOOP"}},
		{"invalid tag", "* NOOP\r\nb NOOP\r\n", []string{"Command!|missing or invalid tag", "Command:b NOOP"}},
		{"plus in tag", "a+ NOOP\r\n", []string{"Command!|invalid character '+' in tag"}},
		{"missing command", "a\r\n", []string{"Command!a|missing command"}},
		{"zero in set", "a FETCH 0 FLAGS\r\n", []string{`Command!a|FETCH: invalid number "0" in sequence set: must be nonzero without leading zero`}},
		{"unclosed list", "a FETCH 1 (FLAGS\r\n", []string{`Command!a|FETCH: expected SP or ")" in list, got end of line`}},
		{"uid bad command", "a UID NOOP\r\n", []string{"Command!a|UID NOOP is not a valid command"}},
		{"search no key", "a SEARCH\r\n", []string{"Command!a|SEARCH: expected SP, got end of line"}},
		{"vanished without uid", "a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)\r\n", []string{"Command!a|FETCH: VANISHED is allowed only with UID FETCH"}},
		{"vanished without changedsince", "a UID FETCH 1 FLAGS (VANISHED)\r\n", []string{"Command!a|UID FETCH: VANISHED requires CHANGEDSINCE"}},
		{"append without message", "a APPEND INBOX\r\n", []string{"Command!a|APPEND: expected SP, got end of line"}},
		{"trailing argument", "a LOGIN a b c\r\n", []string{"Command!a|LOGIN: unexpected ' ' after arguments"}},
		{"bad store item", "a STORE 1 +FLAGX (\\Seen)\r\n", []string{"Command!a|STORE: expected FLAGS or FLAGS.SILENT, got FLAGX"}},
		{"bad date", "a SEARCH BEFORE 31-Feb-2020\r\n", []string{"Command!a|SEARCH: invalid date"}},
		{"bad month", "a SEARCH ON 1-Foo-2020\r\n", []string{`Command!a|SEARCH: invalid month "Foo"`}},
		{"bad escape", "a LOGIN \"a\\b\" c\r\n", []string{"Command!a|LOGIN: invalid escape in quoted string"}},
		{"unterminated quote", "a LOGIN \"abc\r\n", []string{"Command!a|LOGIN: unterminated quoted string"}},
		{"nul in literal", "a LOGIN {3+}\r\na\x00b c\r\n", []string{"Command!a|LOGIN: NUL in literal"}},
		{"literal8 as string", "a LOGIN ~{1+}\r\na b\r\n", []string{"Command!a|LOGIN: literal8 is allowed only for message data"}},
		{"unknown fetch att", "a FETCH 1 (FLAGS BOGUS)\r\n", []string{"Command!a|FETCH: unknown fetch attribute BOGUS"}},
		{"mime without part", "a FETCH 1 BODY[MIME]\r\n", []string{"Command!a|FETCH: MIME requires a part number"}},
		{"peek without section", "a FETCH 1 BODY.PEEK\r\n", []string{"Command!a|FETCH: BODY.PEEK requires a section"}},
		{"partial zero length", "a FETCH 1 BODY[]<0.0>\r\n", []string{"Command!a|FETCH: partial length must not be zero"}},
		{"unknown status item", "a STATUS INBOX (FOO)\r\n", []string{"Command!a|STATUS: unknown status item FOO"}},
		{"unknown sort key", "a SORT (COLOR) UTF-8 ALL\r\n", []string{"Command!a|SORT: unknown sort key COLOR"}},
		{"thread without charset", "a THREAD REFERENCES\r\n", []string{"Command!a|THREAD: expected SP, got end of line"}},
		{"modseq zero", "a SEARCH MODSEQ 0\r\n", []string{"Command!a|SEARCH: MODSEQ must not be zero"}},
		{"or with one key", "a SEARCH OR SEEN\r\n", []string{"Command!a|SEARCH: expected SP, got end of line"}},
		{"changedsince zero", "a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n", []string{"Command!a|FETCH: CHANGEDSINCE must not be zero"}},
		{"huge number", "a FETCH 4294967296 FLAGS\r\n", []string{"Command!a|FETCH: number 4294967296 in sequence set out of range"}},
		{"bad base64 ir", "a AUTHENTICATE PLAIN AGZ\r\n", []string{"Command!a|AUTHENTICATE: invalid base64 initial response"}},
		{"empty lines ignored", "\r\n\r\na NOOP\r\n", []string{"Command:a NOOP"}},
		// A command that is invalid before its literal is answered at
		// once: the client gets no "+" and the literal never comes.
		{"invalid before sync literal", "a FOO {3}\r\nb NOOP\r\n", []string{"Command!a|unknown command FOO", "Command:b NOOP"}},
		// A non-synchronising literal of an invalid command is skipped.
		// Between MULTIAPPEND messages only the new syntax is parsed, and
		// an error there is still reported before the next literal.
		{"invalid between messages", "a APPEND INBOX {1+}\r\nx (\\Seen {1+}\r\ny\r\nb NOOP\r\n",
			[]string{"Literal:a APPEND", "Command!a|APPEND: expected flag, got '{'", "Command:b NOOP"}},
		{"invalid before nonsync literal", "a FOO {6+}\r\nb NO\r\n more {2+}\r\nxx\r\nc NOOP\r\n", []string{"Command!a|unknown command FOO", "Command:c NOOP"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := eventsOf(runAllSplits(t, Limits{}, tc.input))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		lim   Limits
		input string
		want  []string
	}{
		{"line too long", Limits{MaxLine: 20}, "a NOOP " + strings.Repeat("x", 30) + "\r\nb NOOP\r\n",
			[]string{"LineTooLong:a", "Command:b NOOP"}},
		{"line exactly at limit", Limits{MaxLine: 8}, "abc NOOP\r\nb NOOP\r\n", []string{"Command:abc NOOP", "Command:b NOOP"}},
		{"line one over limit", Limits{MaxLine: 7}, "abc NOOP\r\nb NOOP\r\n", []string{"LineTooLong:abc", "Command:b NOOP"}},
		{"too long line ending in nonsync literal", Limits{MaxLine: 16}, "a LOGIN xxxxxxxxxxxxxxxxxxxxx {4+}\r\nb NO\r\nc NOOP\r\n",
			[]string{"LineTooLong:a", "Command:c NOOP"}},
		{"continuation line too long", Limits{MaxLine: 16}, "a LOGIN {1+}\r\nx " + strings.Repeat("y", 20) + "\r\nb NOOP\r\n",
			[]string{"LineTooLong:a", "Command:b NOOP"}},
		{"command too long", Limits{MaxLine: 16, MaxCommand: 24}, "a LOGIN {1+}\r\nx {1+}\r\ny {1+}\r\nz zzzzzzzzzzzz\r\nb NOOP\r\n",
			[]string{"LineTooLong:a", "Command:b NOOP"}},
		{"literal over command budget", Limits{MaxLine: 16, MaxCommand: 30}, "a LOGIN {1+}\r\nx {10+}\r\n0123456789\r\nb NOOP\r\n",
			[]string{"LiteralTooBig:a command exceeds 30 bytes", "Command:b NOOP"}},
		{"sync string literal too big", Limits{MaxStringLiteral: 10}, "a LOGIN {11}\r\nb NOOP\r\n",
			[]string{"LiteralTooBig:a literal of 11 bytes exceeds 10", "Command:b NOOP"}},
		{"nonsync string literal too big", Limits{MaxStringLiteral: 10}, "a LOGIN {11+}\r\n01234567890 x\r\nb NOOP\r\n",
			[]string{"LiteralTooBig:a literal of 11 bytes exceeds 10", "Command:b NOOP"}},
		{"message literal too big", Limits{MaxLiteral: 100}, "a APPEND INBOX {101}\r\nb NOOP\r\n",
			[]string{"LiteralTooBig:a message literal of 101 bytes exceeds 100", "Command:b NOOP"}},
		{"literal minus", Limits{MaxNonSyncLiteral: LiteralMinusMax}, "a APPEND INBOX {5000+}\r\n" + strings.Repeat("m", 5000) + "\r\nb NOOP\r\n",
			[]string{"LiteralTooBig:a non-synchronizing literal of 5000 bytes exceeds 4096 (LITERAL-)", "Command:b NOOP"}},
		{"literal minus sync allowed", Limits{MaxNonSyncLiteral: LiteralMinusMax}, "a APPEND INBOX {5000}\r\n" + strings.Repeat("m", 5000) + "\r\nb NOOP\r\n",
			[]string{"Literal:a APPEND", "Command:a APPEND", "Command:b NOOP"}},
		{"too many literals", Limits{MaxLiterals: 2}, "a LOGIN {1+}\r\nx {1+}\r\ny\r\nb SEARCH TEXT {1+}\r\nx TEXT {1+}\r\ny TEXT {1+}\r\nz\r\nc NOOP\r\n",
			[]string{"Command:a LOGIN", "LiteralTooBig:b more than 2 literals in one command", "Command:c NOOP"}},
		{"nesting", Limits{MaxDepth: 3}, "a SEARCH ((((ALL))))\r\nb NOOP\r\n",
			[]string{"Command!a|lists nested deeper than 3", "Command:b NOOP"}},
		{"nesting at limit", Limits{MaxDepth: 3}, "a SEARCH (((ALL)))\r\n", []string{"Command:a SEARCH"}},
		{"nesting quoted parens ignored", Limits{MaxDepth: 1}, "a SEARCH (SUBJECT \"((((\")\r\n", []string{"Command:a SEARCH"}},
		{"nesting across literal", Limits{MaxDepth: 2}, "a SEARCH ((SUBJECT {1+}\r\nx (ALL)))\r\nb NOOP\r\n",
			[]string{"Command!a|lists nested deeper than 2", "Command:b NOOP"}},
		{"not nesting", Limits{MaxDepth: 4}, "a SEARCH NOT NOT NOT NOT NOT ALL\r\n",
			[]string{"Command!a|SEARCH: search keys nested deeper than 4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := eventsOf(runAllSplits(t, tc.lim, tc.input))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPipelineLimit(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{MaxPipeline: 2})
	in := []byte("a NOOP\r\nb NOOP\r\nc NOOP\r\n")
	var got []string
	for len(in) > 0 {
		n, ev, err := p.Feed(in)
		if err != nil {
			t.Fatal(err)
		}
		in = in[n:]
		got = append(got, ev.String())
		if ev == EventPipelineFull {
			if n != 0 {
				t.Fatalf("EventPipelineFull consumed %d bytes", n)
			}
			if p.Pending() != 2 {
				t.Fatalf("Pending = %d", p.Pending())
			}
			// Feeding again without finishing a command changes nothing.
			if n2, ev2, _ := p.Feed(in); n2 != 0 || ev2 != EventPipelineFull {
				t.Fatalf("second Feed = %d %v", n2, ev2)
			}
			p.CommandDone()
		}
	}
	want := []string{"Command", "Command", "PipelineFull", "Command"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestRejectLiteral(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input string
		want  []string
	}{
		// The client waits for "+"; after the rejection it sends the next command.
		{"sync", "a APPEND INBOX {10}\r\nb NOOP\r\n", []string{"Literal:a APPEND", "Command:b NOOP"}},
		{"sync string", "a LOGIN {3}\r\nb NOOP\r\n", []string{"Literal:a LOGIN", "Command:b NOOP"}},
		// RFC 7888 §4: the bytes of a non-synchronising literal still come.
		{"nonsync", "a APPEND INBOX {3+}\r\nabc\r\nb NOOP\r\n", []string{"Literal:a APPEND", "Command:b NOOP"}},
		{"nonsync multiappend", "a APPEND INBOX {3+}\r\nabc {4+}\r\ndefg\r\nb NOOP\r\n", []string{"Literal:a APPEND", "Command:b NOOP"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, chunk := range []int{0, 1, 5} {
				d := newDriver(Limits{})
				d.reject = true
				d.feed(t, []byte(tc.input), chunk)
				if got := eventsOf(d.steps); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("chunk %d: events\n got %q\nwant %q", chunk, got, tc.want)
				}
			}
		})
	}
}

func TestLiteralProtocolMisuse(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{})
	if err := p.AcceptLiteral(nil); err == nil {
		t.Fatal("AcceptLiteral without literal succeeded")
	}
	if err := p.RejectLiteral(); err == nil {
		t.Fatal("RejectLiteral without literal succeeded")
	}
	in := []byte("a LOGIN {3}\r\nabc x\r\n")
	n, ev, err := p.Feed(in)
	if ev != EventLiteral || err != nil {
		t.Fatalf("Feed = %v %v", ev, err)
	}
	if _, _, err := p.Feed(in[n:]); !errors.Is(err, ErrLiteralUndecided) {
		t.Fatalf("Feed while undecided: %v", err)
	}
	if err := p.AcceptLiteral(io.Discard); err == nil {
		t.Fatal("a string literal was accepted into a sink")
	}
	big := NewParser(Limits{})
	if _, ev, _ := big.Feed([]byte("a APPEND INBOX {100000}\r\n")); ev != EventLiteral {
		t.Fatalf("event %v", ev)
	}
	if err := big.AcceptLiteral(nil); err == nil {
		t.Fatal("a big message literal was accepted without a sink")
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return 0, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestSinkErrorDiscardsCommand(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{})
	in := []byte("a APPEND INBOX {10}\r\n0123456789 {2+}\r\nxy\r\nb NOOP\r\n")
	n, ev, _ := p.Feed(in)
	if ev != EventLiteral {
		t.Fatalf("event %v", ev)
	}
	in = in[n:]
	if err := p.AcceptLiteral(&failingWriter{after: 4}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(in) > 0 {
		n, ev, err := p.Feed(in[:min(3, len(in))])
		in = in[n:]
		if err != nil {
			got = append(got, "error:"+err.Error())
			continue
		}
		if ev != EventNone {
			c, _ := p.Command()
			got = append(got, ev.String()+":"+c.Tag)
		}
	}
	want := []string{"error:imap4: literal sink: disk full", "Command:b"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestIdleMode(t *testing.T) {
	t.Parallel()
	for _, chunk := range []int{0, 1} {
		d := newDriver(Limits{})
		d.feed(t, []byte("a IDLE\r\n"), chunk)
		d.p.SetMode(ModeIdle)
		d.feed(t, []byte("done\r\n"), chunk)
		d.p.SetMode(ModeIdle)
		d.feed(t, []byte("FOO (((\r\nb NOOP\r\n"), chunk)
		want := []string{"Command:a IDLE", "IdleDone", "IdleBad:FOO (((", "Command:b NOOP"}
		if got := eventsOf(d.steps); !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk %d: got %q want %q", chunk, got, want)
		}
	}
}

func TestIdleDoneBypassesPipelineLimit(t *testing.T) {
	t.Parallel()
	d := newDriver(Limits{MaxPipeline: 1})
	d.holdCommands = true
	d.feed(t, []byte("a IDLE\r\n"), 0)
	d.p.SetMode(ModeIdle)
	d.feed(t, []byte("DONE\r\n"), 0)
	want := []string{"Command:a IDLE", "IdleDone"}
	if got := eventsOf(d.steps); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestAuthMode(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{})
	p.SetMode(ModeAuth)
	n, ev, err := p.Feed([]byte("AGZyZWQAdGVzdA==\r\n*\r\n"))
	if err != nil || ev != EventAuthResponse || n != 18 {
		t.Fatalf("Feed = %d %v %v", n, ev, err)
	}
	data, err := p.AuthResponse()
	if err != nil || string(data) != "\x00fred\x00test" {
		t.Fatalf("AuthResponse = %q %v", data, err)
	}
	if p.Mode() != ModeCommand {
		t.Fatalf("mode after one line = %v", p.Mode())
	}
	p.SetMode(ModeAuth)
	if _, ev, _ = p.Feed([]byte("*\r\n")); ev != EventAuthResponse {
		t.Fatalf("event %v", ev)
	}
	if _, err := p.AuthResponse(); !errors.Is(err, ErrAuthCancelled) {
		t.Fatalf("cancel: %v", err)
	}
	p.SetMode(ModeAuth)
	if _, ev, _ = p.Feed([]byte("!!!\r\n")); ev != EventAuthResponse {
		t.Fatalf("event %v", ev)
	}
	if _, err := p.AuthResponse(); err == nil {
		t.Fatal("invalid base64 accepted")
	}
	p.SetMode(ModeAuth)
	if _, ev, _ = p.Feed([]byte(strings.Repeat("A", DefaultMaxLine+10))); ev != EventLineTooLong {
		t.Fatalf("long auth line: event %v", ev)
	}
}

// hashSink counts and hashes streamed bytes without keeping them.
type hashSink struct {
	n int64
	h hash.Hash
}

func (s *hashSink) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	return s.h.Write(p)
}

// TestStreamLargeAppend streams a 25 MB APPEND through the parser in 64 KiB
// reads and checks that the parser's retained buffers stay bounded.
func TestStreamLargeAppend(t *testing.T) {
	t.Parallel()
	const size = 25 << 20
	p := NewParser(Limits{})
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	want := sha256.New()
	sink := &hashSink{h: sha256.New()}
	head := []byte("A1 APPEND INBOX (\\Seen) {26214400}\r\n")
	n, ev, err := p.Feed(head)
	if err != nil || ev != EventLiteral || n != len(head) {
		t.Fatalf("Feed = %d %v %v", n, ev, err)
	}
	if info := p.Literal(); !info.Message || info.Size != size || info.Mailbox != "INBOX" {
		t.Fatalf("literal info %+v", info)
	}
	if err := p.AcceptLiteral(sink); err != nil {
		t.Fatal(err)
	}
	maxRetained := 0
	for sent := 0; sent < size; sent += len(chunk) {
		want.Write(chunk)
		n, ev, err := p.Feed(chunk)
		if err != nil || ev != EventNone || n != len(chunk) {
			t.Fatalf("Feed at %d = %d %v %v", sent, n, ev, err)
		}
		maxRetained = max(maxRetained, p.Retained())
	}
	if _, ev, err = p.Feed([]byte("\r\n")); ev != EventCommand || err != nil {
		t.Fatalf("end: %v %v", ev, err)
	}
	cmd, err := p.Command()
	if err != nil {
		t.Fatal(err)
	}
	m := cmd.Args.(*AppendArgs).Messages[0]
	if !m.Streamed || m.Size != size || m.Data != nil {
		t.Fatalf("message %+v", m)
	}
	if sink.n != size || string(sink.h.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatalf("sink got %d bytes, hash mismatch", sink.n)
	}
	if maxRetained > 4096 {
		t.Fatalf("parser retained %d bytes while streaming", maxRetained)
	}
}

// TestRetainedShrinks: a large buffered command does not pin its buffer.
func TestRetainedShrinks(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{})
	big := "a SEARCH TEXT {60000+}\r\n" + strings.Repeat("x", 60000) + " TEXT {60000+}\r\n" + strings.Repeat("y", 60000) + "\r\n"
	n, ev, err := p.Feed([]byte(big))
	if err != nil || ev != EventCommand || n != len(big) {
		t.Fatalf("Feed = %d %v %v", n, ev, err)
	}
	if r := p.Retained(); r > 64<<10 {
		t.Fatalf("retained %d bytes after a big command", r)
	}
}
