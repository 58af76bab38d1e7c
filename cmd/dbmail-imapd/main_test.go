package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemontest"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// startDaemon runs dbmail-imapd on a config for uri in dir (see
// daemontest.Start) and returns its address.
func startDaemon(t testing.TB, bin, uri, dir string) *daemontest.Proc {
	t.Helper()
	return daemontest.Start(t, bin, uri, dir, "IMAP", "login_disabled = no\n")
}

// TestDaemon runs the real binary on every backend: greeting, LOGIN,
// APPEND, SELECT, FETCH and LOGOUT over TCP.
func TestDaemon(t *testing.T) {
	bin := daemontest.Build(t, "dbmail-imapd")
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri, d := dbtest.OpenURI(t, b)
			ctx := context.Background()
			if _, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true}); err != nil {
				t.Fatal(err)
			}
			addr := startDaemon(t, bin, uri, t.TempDir()).Addr
			nc := dialWire(t, addr, 30*time.Second)
			read, until := nc.read, nc.until
			if g := read(); g != "* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5 SASL-IR ID LITERAL+ ENABLE] dbmail-go ready." {
				t.Fatalf("greeting %q", g)
			}
			fmt.Fprintf(nc, "a LOGIN alice secret\r\n")
			if got := until("a"); !strings.HasPrefix(got[0], "a OK [CAPABILITY IMAP4rev1 ") {
				t.Fatalf("LOGIN: %q", got)
			}
			msg := "Subject: daemon\r\n\r\nhello\r\n"
			fmt.Fprintf(nc, "b APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg)
			if got := until("b"); !strings.HasPrefix(got[0], "b OK [APPENDUID ") {
				t.Fatalf("APPEND: %q", got)
			}
			fmt.Fprintf(nc, "c SELECT INBOX\r\n")
			if got := until("c"); got[0] != "* 1 EXISTS" || got[len(got)-1] != "c OK [READ-WRITE] SELECT completed" {
				t.Fatalf("SELECT: %q", got)
			}
			fmt.Fprintf(nc, "d FETCH 1 (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n")
			got := until("d")
			if !strings.HasPrefix(got[0], fmt.Sprintf("* 1 FETCH (RFC822.SIZE %d BODY[HEADER.FIELDS (SUBJECT)] {", len(msg))) || got[len(got)-1] != "d OK FETCH completed" {
				t.Fatalf("FETCH: %q", got)
			}
			fmt.Fprintf(nc, "e LOGOUT\r\n")
			if got := until("e"); got[0] != "* BYE Requested" || got[1] != "e OK LOGOUT completed" {
				t.Fatalf("LOGOUT: %q", got)
			}
		})
	}
}
