package imap4

import (
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
)

// TestSessionIdleKeepalive: IDLE answers "+ idling", sends "* OK Still
// here" every keepalive interval, ends with DONE, and answers another line
// with BAD (RFC 2177, spec 6.2).
func TestSessionIdleKeepalive(t *testing.T) {
	e := startIMAPWith(t, dbtest.Backends(t)[0], func(_ *server.Config, pc *Config) {
		pc.IdleKeepalive = 50 * time.Millisecond
	})
	c := e.login("alice")
	c.cmd("s SELECT INBOX")
	c.send("i IDLE\r\n")
	for _, want := range []string{"+ idling", "* OK Still here", "* OK Still here"} {
		if l := c.line(); l != want {
			t.Fatalf("got %q want %q", l, want)
		}
	}
	c.send("DONE\r\n")
	for {
		l := c.line()
		if l == "* OK Still here" {
			continue // a keepalive may cross DONE on the wire
		}
		if l != "i OK IDLE terminated" {
			t.Fatalf("DONE: %q", l)
		}
		break
	}
	c.send("j IDLE\r\n")
	if l := c.line(); l != "+ idling" {
		t.Fatalf("IDLE: %q", l)
	}
	c.send("NOOP\r\n")
	for {
		l := c.line()
		if l == "* OK Still here" {
			continue
		}
		if l != "j BAD Expecting DONE" {
			t.Fatalf("bad line in IDLE: %q", l)
		}
		break
	}
	c.expect("k NOOP", "k OK NOOP completed")
}
