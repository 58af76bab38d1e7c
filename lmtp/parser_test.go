package lmtp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

type collected struct {
	cmds    []string
	data    bytes.Buffer
	ends    int
	tooLong int
}

func (c *collected) emit(p *Parser) func(Event) error {
	return func(ev Event) error {
		switch ev.Kind {
		case EventCommand:
			c.cmds = append(c.cmds, ev.Verb+"|"+ev.Arg)
			if ev.Verb == "DATA" {
				p.StartData()
			}
		case EventData:
			c.data.Write(ev.Data)
		case EventDataEnd:
			c.ends++
		case EventLineTooLong:
			c.tooLong++
		}
		return nil
	}
}

// feedSplit feeds input in pieces of size n (0 = all at once).
func feedSplit(t *testing.T, input string, n int, maxLine int) *collected {
	t.Helper()
	p := NewParser(maxLine)
	c := &collected{}
	b := []byte(input)
	for len(b) > 0 {
		k := len(b)
		if n > 0 && n < k {
			k = n
		}
		if _, err := p.Feed(b[:k], c.emit(p)); err != nil {
			t.Fatal(err)
		}
		b = b[k:]
	}
	return c
}

// The RFC 2033 §4.2 example transaction, fed whole and one byte at a time.
func TestTranscriptSplits(t *testing.T) {
	in := "LHLO foo.edu\r\nMAIL FROM:<chris@bar.com>\r\nRCPT TO:<pat@foo.edu>\r\nRCPT TO:<jones@foo.edu>\r\n" +
		"DATA\r\nSubject: x\r\n\r\n..leading dot\r\n\r\n..\r\nlast line\r\n.\r\nQUIT\r\n"
	wantData := "Subject: x\r\n\r\n.leading dot\r\n\r\n.\r\nlast line\r\n"
	for _, n := range []int{0, 1, 2, 3, 7, 13} {
		c := feedSplit(t, in, n, 512)
		want := []string{"LHLO|foo.edu", "MAIL|FROM:<chris@bar.com>", "RCPT|TO:<pat@foo.edu>", "RCPT|TO:<jones@foo.edu>", "DATA|", "QUIT|"}
		if fmt.Sprint(c.cmds) != fmt.Sprint(want) {
			t.Fatalf("split %d: commands %q, want %q", n, c.cmds, want)
		}
		if c.data.String() != wantData {
			t.Fatalf("split %d: data %q, want %q", n, c.data.String(), wantData)
		}
		if c.ends != 1 {
			t.Fatalf("split %d: %d ends", n, c.ends)
		}
	}
}

func TestDataEdgeCases(t *testing.T) {
	cases := []struct{ in, data string }{
		{".\r\n", ""},
		{".\n", ""},                          // bare-LF terminator
		{"a\n.\n", "a\n"},                    // LF-only sender
		{".\rx\r\n.\r\n", "\rx\r\n"},         // stuffed dot before a CR
		{"...\r\n.\r\n", "..\r\n"},           // only the first dot is removed
		{"a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n"}, // dots inside lines stay
		{"x\x00y\r\n.\r\n", "x\x00y\r\n"},
	}
	for _, tc := range cases {
		for _, n := range []int{0, 1, 2} {
			c := feedSplit(t, "DATA\r\n"+tc.in, n, 512)
			if c.data.String() != tc.data || c.ends != 1 {
				t.Fatalf("%q split %d: data %q ends %d, want %q", tc.in, n, c.data.String(), c.ends, tc.data)
			}
		}
	}
}

func TestLineTooLong(t *testing.T) {
	long := "RCPT TO:<" + strings.Repeat("a", 100) + ">\r\n"
	for _, n := range []int{0, 1, 10} {
		c := feedSplit(t, "NOOP\r\n"+long+"NOOP\r\n", n, 64)
		if c.tooLong != 1 || len(c.cmds) != 2 {
			t.Fatalf("split %d: tooLong %d, cmds %q", n, c.tooLong, c.cmds)
		}
	}
}

func TestBufferedBounded(t *testing.T) {
	p := NewParser(64)
	c := &collected{}
	for i := 0; i < 10000; i++ {
		p.Feed([]byte("x"), c.emit(p))
		if p.Buffered() > 128 {
			t.Fatalf("parser holds %d bytes for a 64-byte limit", p.Buffered())
		}
	}
}

func FuzzParser(f *testing.F) {
	f.Add([]byte("LHLO x\r\nMAIL FROM:<>\r\nDATA\r\n..a\r\n.\r\nQUIT\r\n"), uint8(3))
	f.Add([]byte("DATA\n.\n"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		whole := &collected{}
		p := NewParser(128)
		p.Feed(in, whole.emit(p))
		parts := &collected{}
		q := NewParser(128)
		n := int(split)%7 + 1
		for b := in; len(b) > 0; {
			k := min(n, len(b))
			q.Feed(b[:k], parts.emit(q))
			b = b[k:]
		}
		if fmt.Sprint(whole.cmds) != fmt.Sprint(parts.cmds) || whole.data.String() != parts.data.String() ||
			whole.ends != parts.ends || whole.tooLong != parts.tooLong {
			t.Fatalf("split feeding differs: %q vs %q", whole.cmds, parts.cmds)
		}
		if q.Buffered() > 256 {
			t.Fatalf("buffered %d", q.Buffered())
		}
	})
}
