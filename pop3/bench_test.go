package pop3

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkDotWriter measures the RETR framing of a 64 KiB CRLF message
// with a dot line every 16 lines.
func BenchmarkDotWriter(b *testing.B) {
	var msg bytes.Buffer
	for i := 0; msg.Len() < 64<<10; i++ {
		if i%16 == 0 {
			msg.WriteString(".leading dot line\r\n")
		} else {
			msg.WriteString("an ordinary line of a message body, about seventy characters long\r\n")
		}
	}
	b.SetBytes(int64(msg.Len()))
	b.ReportAllocs()
	for b.Loop() {
		w := newDotWriter(io.Discard)
		if _, err := w.Write(msg.Bytes()); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineReader measures splitting a pipelined session's commands.
func BenchmarkLineReader(b *testing.B) {
	var in bytes.Buffer
	for i := 0; i < 100; i++ {
		in.WriteString("RETR 12\r\nDELE 12\r\n")
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	r := NewLineReader(65536)
	for b.Loop() {
		p := in.Bytes()
		for len(p) > 0 {
			line, n, err := r.Next(p)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
			if _, err := ParseCommand(line); err != nil && line != nil {
				b.Fatal(err)
			}
		}
	}
}
