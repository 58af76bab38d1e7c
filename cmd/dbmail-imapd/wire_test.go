package main

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// wire is a raw IMAP connection for the daemon tests: lines in, tagged
// completions awaited, literals read from R.
type wire struct {
	t  testing.TB
	nc net.Conn
	R  *bufio.Reader
}

// dialWire connects to addr with a deadline for the whole conversation.
func dialWire(t testing.TB, addr string, life time.Duration) *wire {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(life))
	return &wire{t: t, nc: nc, R: bufio.NewReader(nc)}
}

// Write sends raw bytes (a command line with its CRLF, literals).
func (w *wire) Write(p []byte) (int, error) { return w.nc.Write(p) }

// read returns the next line without its CRLF.
func (w *wire) read() string {
	w.t.Helper()
	l, err := w.R.ReadString('\n')
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// until returns the lines up to and including tag's completion.
func (w *wire) until(tag string) []string {
	w.t.Helper()
	var out []string
	for {
		l := w.read()
		out = append(out, l)
		if strings.HasPrefix(l, tag+" ") {
			return out
		}
	}
}
