package imap4

import (
	"errors"
	"reflect"
	"testing"
)

// The header capture finds the end of the header wherever the writes
// split the text.
func TestHeaderCaptureSplits(t *testing.T) {
	cases := []struct{ in, want string }{
		{"A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n\r\n"},
		{"\r\nbody only\r\n", ""},
		{"A: 1\n\nlf body\n", "A: 1\n\n"},
		{"A: 1\r\nno blank line", "A: 1\r\nno blank line"},
		{"", ""},
	}
	for _, c := range cases {
		for chunk := 1; chunk <= len(c.in)+1; chunk++ {
			hc := &headerCapture{}
			in := []byte(c.in)
			for len(in) > 0 && !hc.done {
				k := min(chunk, len(in))
				if _, err := hc.Write(in[:k]); err != nil && !errors.Is(err, errRangeDone) {
					t.Fatal(err)
				}
				in = in[k:]
			}
			if string(hc.buf) != c.want {
				t.Errorf("%q in chunks of %d: got %q, want %q", c.in, chunk, hc.buf, c.want)
			}
		}
	}
}

func TestParseHeaderFields(t *testing.T) {
	h := parseHeaderFields([]byte("Subject: a\r\n  folded\r\n\tagain\r\nnot a field\r\nX-Y :  v\r\nContent-Type: text/plain; charset=\"ISO-8859-1\"\r\n\r\nBody: no\r\n"))
	want := []hdrField{{"Subject", " a  folded\tagain"}, {"X-Y", "  v"}, {"Content-Type", ` text/plain; charset="ISO-8859-1"`}}
	if !reflect.DeepEqual(h.fields, want) {
		t.Errorf("fields %q, want %q", h.fields, want)
	}
	if h.charset != "ISO-8859-1" {
		t.Errorf("charset %q", h.charset)
	}
	if v, _ := h.first("subject"); v != "a  folded\tagain" {
		t.Errorf("subject %q", v)
	}
}
