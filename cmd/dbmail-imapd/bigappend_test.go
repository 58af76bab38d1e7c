package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemontest"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
)

// rowCounts counts the rows a stored message adds.
func rowCounts(t testing.TB, d *db.DB) string {
	t.Helper()
	var out []string
	for _, tb := range []string{"physmessage", "mimeparts", "partlists", "messages"} {
		var n int64
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM {`+tb+`}`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", tb, n))
	}
	return strings.Join(out, " ")
}

// TestDaemonBigAppend runs the real binary on every backend and APPENDs a
// 25 MB message (RFC 3501 §6.3.11): the literal is spooled to a file as it
// arrives and stored row by row, so the daemon's resident memory may grow
// by at most 4 MB (the bar of FETCH, TestDaemonBigFetch); FETCH BODY[]
// returns it byte for byte. A big APPEND refused by quota and a client
// that disconnects mid-literal leave no row and no spool file open.
func TestDaemonBigAppend(t *testing.T) {
	bin := daemontest.Build(t, "dbmail-imapd")
	big := testutil.BigMessage(25<<20, "")
	bigSum := sha256.Sum256(big)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri, d := dbtest.OpenURI(t, b)
			ctx := context.Background()
			for _, u := range []db.User{{Name: "alice", Passwd: "secret", Active: true}, {Name: "poor", Passwd: "secret", Active: true, MaxMailSize: 1 << 20}} {
				if _, err := d.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			spoolDir := t.TempDir()
			t.Setenv("TMPDIR", spoolDir)
			imapd := startDaemon(t, bin, uri, t.TempDir())
			pid := imapd.Cmd.Process.Pid
			login := func(user string) *wire {
				nc := dialWire(t, imapd.Addr, 5*time.Minute)
				nc.read()
				fmt.Fprintf(nc, "a LOGIN %s secret\r\n", user)
				if got := nc.until("a"); !strings.HasPrefix(got[len(got)-1], "a OK") {
					t.Fatalf("LOGIN %s: %q", user, got)
				}
				return nc
			}
			// appendBig sends APPEND INBOX with msg as a synchronising
			// literal and returns the tagged completion.
			appendBig := func(nc *wire, tag string, msg []byte) string {
				fmt.Fprintf(nc, "%s APPEND INBOX {%d}\r\n", tag, len(msg))
				if l := nc.read(); !strings.HasPrefix(l, "+") {
					t.Fatalf("APPEND: %q", l)
				}
				for rest := msg; len(rest) > 0; {
					n := min(len(rest), 256<<10)
					if _, err := nc.Write(rest[:n]); err != nil {
						t.Fatal(err)
					}
					rest = rest[n:]
				}
				fmt.Fprintf(nc, "\r\n")
				got := nc.until(tag)
				return got[len(got)-1]
			}

			nc := login("alice")
			// Warm-up: a small APPEND, then one spooled APPEND per SQL
			// worker (max_db_connections is 4) and one more, so that
			// the measured growth is the big message's and not the
			// one-time growth of a worker (SQLite's page cache, 2 MB
			// per connection by default, fills on a connection's first
			// big write).
			if got := appendBig(nc, "b", []byte("Subject: small\r\n\r\nhello\r\n")); !strings.HasPrefix(got, "b OK") {
				t.Fatalf("small APPEND: %q", got)
			}
			warm := testutil.BigMessage(2<<20, "")
			for range 5 {
				if got := appendBig(nc, "w", warm); !strings.HasPrefix(got, "w OK") {
					t.Fatalf("2 MB APPEND: %q", got)
				}
			}
			stopRSS := daemontest.WatchRSS(t, pid)
			got := appendBig(nc, "c", big)
			before, peak := stopRSS()
			if !strings.HasPrefix(got, "c OK [APPENDUID ") {
				t.Fatalf("big APPEND: %q", got)
			}
			growth := peak - before
			t.Logf("%s: %d byte APPEND: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, len(big), before>>10, peak>>10, growth>>10)
			if growth > 4<<20 {
				t.Errorf("RSS grew by %d KiB during a %d byte APPEND (limit 4096 KiB)", growth>>10, len(big))
			}
			if n := daemontest.OpenFiles(t, pid, spoolDir); n != 0 {
				t.Errorf("%d spool files open after the APPEND", n)
			}
			fmt.Fprintf(nc, "d SELECT INBOX\r\ne FETCH 7 (RFC822.SIZE BODY.PEEK[])\r\n")
			nc.until("d")
			l := nc.read()
			var size, lit int64
			if _, err := fmt.Sscanf(l, "* 7 FETCH (RFC822.SIZE %d BODY[] {%d}", &size, &lit); err != nil {
				t.Fatalf("FETCH: %q: %v", l, err)
			}
			h := sha256.New()
			if _, err := io.CopyN(h, nc.R, lit); err != nil {
				t.Fatal(err)
			}
			if size != int64(len(big)) || lit != int64(len(big)) || string(h.Sum(nil)) != string(bigSum[:]) {
				t.Fatalf("FETCH BODY[]: RFC822.SIZE %d, %d bytes of %d, digest equal %v", size, lit, len(big), string(h.Sum(nil)) == string(bigSum[:]))
			}
			nc.until("e")

			// Over quota: refused after the literal, nothing written.
			rows := rowCounts(t, d)
			poor := login("poor")
			if got := appendBig(poor, "q", big[:2<<20]); !strings.HasPrefix(got, "q NO [OVERQUOTA]") {
				t.Fatalf("APPEND over quota: %q", got)
			}
			if after := rowCounts(t, d); after != rows {
				t.Errorf("refused APPEND: rows %s, before %s", after, rows)
			}
			if n := daemontest.OpenFiles(t, pid, spoolDir); n != 0 {
				t.Errorf("%d spool files open after the refused APPEND", n)
			}

			// A disconnect mid-literal: the spool is released and
			// nothing is stored.
			gone := login("alice")
			fmt.Fprintf(gone, "x APPEND INBOX {%d}\r\n", len(big))
			gone.read()
			if _, err := gone.Write(big[:5<<20]); err != nil {
				t.Fatal(err)
			}
			if n := daemontest.WaitOpenFiles(t, pid, spoolDir, 1); n != 1 {
				t.Fatalf("%d spool files open while the literal arrives, want 1", n)
			}
			gone.nc.Close()
			if n := daemontest.WaitOpenFiles(t, pid, spoolDir, 0); n != 0 {
				t.Errorf("%d spool files open after the client went away", n)
			}
			if after := rowCounts(t, d); after != rows {
				t.Errorf("abandoned APPEND: rows %s, before %s", after, rows)
			}
			if ents, _ := os.ReadDir(spoolDir); len(ents) != 0 {
				t.Errorf("%d files left in the spool directory", len(ents))
			}
			fmt.Fprintf(nc, "z LOGOUT\r\n")
			nc.until("z")
		})
	}
}
