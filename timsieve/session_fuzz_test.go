package timsieve

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
)

// FuzzSession sends arbitrary input to a running server on a throwaway
// SQLite store, before and after logging in. Every response line must be
// well formed (OK, NO, BYE, a string, or a literal), and the server must
// keep serving the next connection.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"CAPABILITY\r\n",
		"PUTSCRIPT \"s\" {9+}\r\nkeep;\r\n\r\n\r\nSETACTIVE \"s\"\r\nGETSCRIPT \"s\"\r\n",
		"AUTHENTICATE \"LOGIN\"\r\n\"YWxpY2U=\"\r\n\"c2VjcmV0\"\r\n",
		"HAVESPACE \"x\" 99999999999999999999\r\n",
		"RENAMESCRIPT \"s\" \"t\"\r\nDELETESCRIPT \"t\"\r\nNOOP {2+}\r\nab\r\n",
		"{5}\r\nabc",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	var b dbtest.Backend
	for _, x := range dbtest.Backends(f) {
		if x.Name == "sqlite" {
			b = x
		}
	}
	e := start(f, b, options{maxScript: 1024})
	f.Fuzz(func(t *testing.T, data []byte, login bool) {
		e.t = t
		c := e.dial()
		c.greeting(false)
		if login {
			c.login()
		}
		// A literal the input announced but did not send keeps the server
		// waiting: a short deadline ends such a run.
		c.c.SetDeadline(time.Now().Add(2 * time.Second))
		go func() {
			c.c.Write(data)
			c.c.Write([]byte("\r\nLOGOUT\r\n"))
		}()
		for {
			l, err := c.r.ReadString('\n')
			var ne net.Error
			switch {
			case err == io.EOF, errors.Is(err, syscall.ECONNRESET), errors.As(err, &ne) && ne.Timeout():
				// Closed (with our input unread: a reset), or waiting for
				// the rest of a literal the input announced: all correct.
				return
			case err != nil:
				t.Fatalf("read: %v", err)
			case !strings.HasSuffix(l, "\r\n"):
				t.Fatalf("line %q without CRLF", l)
			}
			l = strings.TrimSuffix(l, "\r\n")
			first := l
			// A line ending in a literal marker (GETSCRIPT, a TAG holding
			// CRLF) continues after n raw octets.
			for n, ok := literalSize(l); ok; n, ok = literalSize(l) {
				if _, err := io.CopyN(io.Discard, c.r, n); err != nil {
					t.Fatalf("literal of %d bytes: %v", n, err)
				}
				if l, err = c.r.ReadString('\n'); err != nil {
					t.Fatalf("after a literal: %v", err)
				}
				l = strings.TrimSuffix(l, "\r\n")
			}
			switch l := first; {
			case l == "OK", l == "NO", l == "BYE",
				strings.HasPrefix(l, "OK "), strings.HasPrefix(l, "NO "), strings.HasPrefix(l, "BYE "),
				strings.HasPrefix(l, "\""), l == "", literalOnly(l):
			default:
				t.Fatalf("malformed response line %q", l)
			}
		}
	})
}

// literalSize parses the "{n}" marker ending a line.
func literalSize(l string) (int64, bool) {
	i := strings.LastIndexByte(l, '{')
	if i < 0 || !strings.HasSuffix(l, "}") {
		return 0, false
	}
	n, err := strconv.ParseInt(l[i+1:len(l)-1], 10, 64)
	return n, err == nil && n >= 0
}

// literalOnly reports whether l is just a "{n}" marker (GETSCRIPT).
func literalOnly(l string) bool {
	_, ok := literalSize(l)
	return ok && strings.HasPrefix(l, "{")
}
