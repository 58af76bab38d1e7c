package imap4

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// step is one event observed while driving a parser, in comparable form.
type step struct {
	Event Event
	Cmd   *Command
	Err   string // SyntaxError as "tag|msg"
	Lit   LiteralInfo
	Data  string // data streamed to the sink of a message literal
	Tag   string // LineTag for EventLineTooLong
	Line  string // Line for mode events
}

// driver feeds input to a parser in chunks and records the events. It
// accepts every literal (message literals into a sink), answers
// CommandDone after every command unless holdCommands is set.
type driver struct {
	p            *Parser
	steps        []step
	sinks        []*bytes.Buffer
	holdCommands bool
	reject       bool // reject every EventLiteral instead of accepting it
	maxRetained  int
}

func newDriver(lim Limits) *driver { return &driver{p: NewParser(lim)} }

// feed gives data to the parser in chunks of size chunk (0: all at once).
func (d *driver) feed(t testing.TB, data []byte, chunk int) {
	t.Helper()
	if chunk <= 0 {
		chunk = len(data)
	}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		d.feedChunk(t, data[off:end])
	}
}

func (d *driver) feedChunk(t testing.TB, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, ev, err := d.p.Feed(b)
		if n < 0 || n > len(b) {
			t.Fatalf("Feed consumed %d of %d bytes", n, len(b))
		}
		b = b[n:]
		if r := d.p.Retained(); r > d.maxRetained {
			d.maxRetained = r
		}
		if err != nil {
			d.steps = append(d.steps, step{Event: ev, Err: "feed: " + err.Error()})
			continue
		}
		if ev == EventNone {
			if len(b) != 0 {
				t.Fatalf("EventNone with %d bytes left", len(b))
			}
			return
		}
		d.record(t, ev)
		if ev == EventPipelineFull {
			if n != 0 {
				t.Fatalf("EventPipelineFull consumed %d bytes", n)
			}
			// Finish every queued command, as a session would.
			for d.p.Pending() > 0 {
				d.p.CommandDone()
			}
		}
	}
}

func (d *driver) record(t testing.TB, ev Event) {
	t.Helper()
	s := step{Event: ev}
	switch ev {
	case EventCommand:
		cmd, err := d.p.Command()
		s.Cmd = cmd
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Command error %T %v is not a *SyntaxError", err, err)
			}
			s.Err = se.Tag + "|" + se.Msg
		}
		if a, ok := cmd.argsAppend(); ok {
			for i := range a.Messages {
				if a.Messages[i].Streamed {
					s.Data += d.sinks[len(d.sinks)-len(a.Messages)+i].String()
				}
			}
		}
		if !d.holdCommands {
			d.p.CommandDone()
		}
	case EventLiteral:
		s.Lit = d.p.Literal()
		switch {
		case d.reject:
			if err := d.p.RejectLiteral(); err != nil {
				t.Fatal(err)
			}
		case s.Lit.Message:
			buf := &bytes.Buffer{}
			d.sinks = append(d.sinks, buf)
			if err := d.p.AcceptLiteral(buf); err != nil {
				t.Fatal(err)
			}
		default:
			if err := d.p.AcceptLiteral(nil); err != nil {
				t.Fatal(err)
			}
		}
	case EventLiteralTooBig:
		s.Lit = d.p.Literal()
	case EventLineTooLong:
		s.Tag = d.p.LineTag()
	case EventIdleBad, EventAuthResponse:
		s.Line = string(d.p.Line())
	}
	d.steps = append(d.steps, s)
}

// argsAppend returns the APPEND arguments of a command, if any.
func (c *Command) argsAppend() (*AppendArgs, bool) {
	if c == nil {
		return nil, false
	}
	a, ok := c.Args.(*AppendArgs)
	return a, ok
}

// run drives input through a fresh parser split into chunk-sized pieces.
func run(t testing.TB, lim Limits, input string, chunk int) []step {
	t.Helper()
	d := newDriver(lim)
	d.feed(t, []byte(input), chunk)
	return d.steps
}

// runAllSplits checks that one-shot feeding and several chunk sizes
// (including byte at a time) give identical events, and returns them.
func runAllSplits(t *testing.T, lim Limits, input string) []step {
	t.Helper()
	want := run(t, lim, input, 0)
	for _, chunk := range []int{1, 2, 3, 7, 64} {
		got := run(t, lim, input, chunk)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk %d: events differ from one-shot feeding:\n got %s\nwant %s", chunk, dumpSteps(got), dumpSteps(want))
		}
	}
	return want
}

func dumpSteps(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "\n  %v", s.Event)
		if s.Cmd != nil {
			fmt.Fprintf(&b, " cmd=%s %s uid=%v args=%#v", s.Cmd.Tag, s.Cmd.Name, s.Cmd.UID, s.Cmd.Args)
		}
		if s.Err != "" {
			fmt.Fprintf(&b, " err=%q", s.Err)
		}
		if s.Lit != (LiteralInfo{}) {
			fmt.Fprintf(&b, " lit=%+v", s.Lit)
		}
		if s.Data != "" {
			fmt.Fprintf(&b, " data=%q", s.Data)
		}
		if s.Tag != "" {
			fmt.Fprintf(&b, " tag=%q", s.Tag)
		}
		if s.Line != "" {
			fmt.Fprintf(&b, " line=%q", s.Line)
		}
	}
	return b.String()
}
