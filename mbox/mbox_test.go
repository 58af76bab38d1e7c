package mbox

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	msgs := []string{
		"Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n>>From twice\r\nFrom\r\n",
		"Subject: two\n\nno newline at end",
		"Subject: three\n\nFrom \nFro\n>Fro\n",
		"",
	}
	for _, split := range []int{0, 1, 2, 5} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, m := range msgs {
			if err := w.Begin("a@example.org", time.Date(2002, 8, 22, 12, 36, 23, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			b := []byte(m)
			for len(b) > 0 {
				k := len(b)
				if split > 0 && split < k {
					k = split
				}
				if _, err := w.Write(b[:k]); err != nil {
					t.Fatal(err)
				}
				b = b[k:]
			}
			if err := w.End(); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasPrefix(buf.String(), "From a@example.org Thu Aug 22 12:36:23 2002\n") {
			t.Fatalf("separator: %q", buf.String()[:60])
		}
		if strings.Contains(buf.String(), "\nFrom the start") {
			t.Fatalf("split %d: body From line not quoted:\n%s", split, buf.String())
		}
		r := NewReader(&buf)
		for i, want := range msgs {
			got, err := r.Next()
			if err != nil {
				t.Fatalf("split %d message %d: %v", split, i, err)
			}
			w := want
			if w != "" && !strings.HasSuffix(w, "\n") {
				w += "\n" // the writer ends an unterminated last line
			}
			if string(got.Data) != w {
				t.Fatalf("split %d message %d: %q, want %q", split, i, got.Data, w)
			}
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("after the last message: %v", err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("From x\n>From y\nz"), uint8(1))
	f.Fuzz(func(t *testing.T, msg []byte, split uint8) {
		if !bytes.HasSuffix(msg, []byte("\n")) {
			msg = append(msg, '\n')
		}
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.Begin("s", time.Unix(0, 0))
		n := int(split)%9 + 1
		for b := msg; len(b) > 0; {
			k := min(n, len(b))
			w.Write(b[:k])
			b = b[k:]
		}
		w.End()
		got, err := NewReader(&buf).Next()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, msg) {
			t.Fatalf("round trip: %q -> %q", msg, got.Data)
		}
	})
}
