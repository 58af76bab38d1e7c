package imaptest

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want string // FormatArgs of the result
		n    int
	}{
		{`a "b c" NIL (d (e)) {3}` + "\r\nxyz f", `a "b c" NIL (d (e)) {3}` + "\r\nxyz f", 6},
		{`BODY[HEADER.FIELDS (FROM)] {2}` + "\r\nab", `BODY[HEADER.FIELDS (FROM) ] {2}` + "\r\nab", 4},
		{`a) b(c`, `a) b(c`, 2},
		{`x ~{2}` + "\r\n\x00b", `x ~{2}` + "\r\n\x00b", 2},
		{`"q\"uote\\"`, `"q\"uote\\"`, 1},
		{`(a)(b)`, `(a) (b)`, 2},
		{`nil Nil`, `NIL NIL`, 2},
		{`x {3+}` + "\r\nabc", `x {3}` + "\r\nabc", 2},
		{``, ``, 0},
	}
	for _, c := range cases {
		args, err := ParseArgs([]byte(c.in))
		if err != nil {
			t.Errorf("ParseArgs(%q): %v", c.in, err)
			continue
		}
		if len(args) != c.n || FormatArgs(args) != c.want {
			t.Errorf("ParseArgs(%q) = %d args %q, want %d %q", c.in, len(args), FormatArgs(args), c.n, c.want)
		}
	}
	bad := []struct{ in, msg string }{
		{`(a`, "unterminated list"},
		{`)`, "unexpected ')'"},
		{`"abc`, "unterminated quoted string"},
		{"{5}\r\nab", "literal shorter"},
		{"{x}\r\nab", "bad literal size"},
		{"{2}ab", "not followed by CRLF"},
	}
	for _, c := range bad {
		if _, err := ParseArgs([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseArgs(%q) error %v, want %q", c.in, err, c.msg)
		}
	}
}

func TestResponseReader(t *testing.T) {
	t.Parallel()
	stream := "* OK ready\r\n* 1 FETCH (BODY[] {5}\r\nab\r\nc UID 3)\r\n+ go\r\nt1 OK done\r\n"
	// One byte at a time: the reader must not depend on read sizes.
	rr := NewResponseReader(iotest.OneByteReader(strings.NewReader(stream)), 1024)
	want := []string{"* OK ready", "* 1 FETCH (BODY[] {5}\r\nab\r\nc UID 3)", "+ go", "t1 OK done"}
	for _, w := range want {
		got, err := rr.ReadResponse()
		if err != nil || string(got) != w {
			t.Fatalf("ReadResponse = %q, %v; want %q", got, err, w)
		}
	}
	if _, err := rr.ReadResponse(); !errors.Is(err, io.EOF) {
		t.Errorf("at end: %v, want EOF", err)
	}
	short := NewResponseReader(strings.NewReader("* 1 FETCH (BODY[] {9}\r\nab"), 1024)
	if _, err := short.ReadResponse(); err == nil || !strings.Contains(err.Error(), "9-byte literal") {
		t.Errorf("truncated literal: %v", err)
	}
	long := NewResponseReader(strings.NewReader(strings.Repeat("x", 40000)+"\r\n"), 20000)
	if _, err := long.ReadResponse(); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long line: %v", err)
	}
}

func TestParseResponse(t *testing.T) {
	t.Parallel()
	r, err := ParseResponse([]byte(`a1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).`))
	if err != nil || r.Tag != "a1" || FormatArgs(r.Args) != `OK [READ-WRITE] Select completed (0.001 + 0.000 secs) .` {
		t.Errorf("tagged = %+v, %v", r, err)
	}
	// Free text with an unbalanced quote in a status response is kept.
	r, err = ParseResponse([]byte(`* OK [ALERT] it's "odd`))
	if err != nil || len(r.Args) != 4 || r.Args[3].Str != `"odd` {
		t.Errorf("lenient = %q, %v", FormatArgs(r.Args), err)
	}
	if _, err := ParseResponse([]byte(`* 1 FETCH (UID`)); err == nil {
		t.Error("broken FETCH accepted")
	}
	r, err = ParseResponse([]byte(`+ send literal`))
	if err != nil || r.Tag != "+" {
		t.Errorf("continuation = %+v, %v", r, err)
	}
}

func TestSplitCommand(t *testing.T) {
	t.Parallel()
	parts := splitCommand("APPEND x {3}\r\nabc (y {2+}\r\nde)")
	want := []cmdPart{
		{text: "APPEND x {3}\r\n"}, {text: "abc", literal: true, sync: true},
		{text: " (y {2+}\r\n"}, {text: "de", literal: true},
		{text: ")"},
	}
	if len(parts) != len(want) {
		t.Fatalf("parts = %+v", parts)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Errorf("part %d = %+v, want %+v", i, parts[i], want[i])
		}
	}
}

// TestAppendResponseSmallBuffer: lines longer than the read buffer are
// assembled, and one buffer is reused response after response.
func TestAppendResponseSmallBuffer(t *testing.T) {
	t.Parallel()
	long := "* 1 FETCH (FLAGS (" + strings.Repeat(`\Seen `, 20) + "))"
	stream := long + "\r\n* OK {3}\r\nabc rest\r\nA1 OK done\r\n"
	rr := newResponseReaderSize(iotest.HalfReader(strings.NewReader(stream)), 16, 1024)
	var buf []byte
	for _, want := range []string{long, "* OK {3}\r\nabc rest", "A1 OK done"} {
		got, err := rr.AppendResponse(buf[:0])
		if err != nil || string(got) != want {
			t.Fatalf("AppendResponse = %q, %v; want %q", got, err, want)
		}
		buf = got
	}
	if _, err := rr.AppendResponse(buf[:0]); !errors.Is(err, io.EOF) {
		t.Errorf("at the end: %v", err)
	}
}

func TestDecodeMUTF7(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"imaptest":        "imaptest",
		"p&AOQA5A-":       "pää",
		"a&-b":            "a&b",
		"&ZeVnLIqe-":      "日本語",
		"broken&AOQ":      "broken&AOQ",
		"x&Jjo-y&AOQ-end": "x☺yäend",
	}
	for in, want := range cases {
		if got := decodeMUTF7(in); got != want {
			t.Errorf("decodeMUTF7(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range cases {
		if in == "broken&AOQ" {
			continue
		}
		if got := encodeMUTF7(want); got != in {
			t.Errorf("encodeMUTF7(%q) = %q, want %q", want, got, in)
		}
	}
	if got := mailboxURL("p&AOQA5A- x"); got != "p%C3%A4%C3%A4%20x" {
		t.Errorf("mailboxURL = %q", got)
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add([]byte(`* 1 FETCH (UID 4 BODY[HEADER.FIELDS (FROM)] {3}` + "\r\nabc FLAGS (\\Seen))"))
	f.Add([]byte(`a OK [CAPABILITY IMAP4rev1] "q\"x" ~{1}` + "\r\n\x00"))
	f.Add([]byte(`((((a)))) NIL {0}` + "\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		args, err := ParseArgs(data)
		if err != nil {
			return
		}
		// What parses must re-parse to the same rendering.
		s := FormatArgs(args)
		again, err := ParseArgs([]byte(s))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", s, err)
		}
		if FormatArgs(again) != s {
			t.Fatalf("round trip %q -> %q", s, FormatArgs(again))
		}
	})
}

func BenchmarkParseResponse(b *testing.B) {
	raw := []byte(`* 12 FETCH (UID 4711 FLAGS (\Seen \Flagged) RFC822.SIZE 2048 BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 1024 20 NIL NIL NIL NIL))`)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := ParseResponse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
