package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemontest"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

// TestDaemonBigFetch runs the real binary on every backend and fetches
// BODY[] of a 25 MB message (more than MariaDB's default 16 MiB
// max_allowed_packet): the literal must be the stored message byte for
// byte, RFC822.SIZE its length, and the daemon's resident memory may grow
// by at most 4 MB while it streams (RFC 3501 §6.4.5, §7.4.2). BODY[1] and
// a partial BODY[2] across a boundary between body rows are checked too.
func TestDaemonBigFetch(t *testing.T) {
	bin := daemontest.Build(t, "dbmail-imapd")
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			d := dbtest.Connect(t, uri, "dbmail_")
			ctx := context.Background()
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			inbox, err := d.FindMailbox(ctx, uid, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			raws := [][]byte{[]byte("Subject: small\r\n\r\nhello\r\n"), testutil.BigMessage(25<<20, "")}
			var sums [][32]byte
			for _, raw := range raws {
				m, err := message.Parse(raw, message.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}}); err != nil {
					t.Fatalf("store %d bytes: %v", len(raw), err)
				}
				sums = append(sums, sha256.Sum256(raw)) // CRLF input: the wire form is the input
			}
			bigLen := int64(len(raws[1]))
			// BODY[2]<518000.2000> crosses the first boundary between
			// the attachment's body rows (about 518,600 wire bytes
			// each); BODY[1] is the text part (RFC 3501 §6.4.5).
			body2 := raws[1][bytes.Index(raws[1], []byte("base64\r\n\r\n"))+len("base64\r\n\r\n"):]
			wantPartial := string(body2[518000 : 518000+2000])
			raws = nil

			imapd := startDaemon(t, bin, uri, t.TempDir())
			addr := imapd.Addr
			nc := dialWire(t, addr, 5*time.Minute)
			r, read, until := nc.R, nc.read, nc.until
			// fetch reads "* n FETCH (RFC822.SIZE s BODY[] {k}" and the
			// literal, and returns s, k and the literal's digest.
			fetch := func(tag string, n int) (int64, int64, [32]byte) {
				fmt.Fprintf(nc, "%s FETCH %d (RFC822.SIZE BODY.PEEK[])\r\n", tag, n)
				l := read()
				var size, lit int64
				if _, err := fmt.Sscanf(l, fmt.Sprintf("* %d FETCH (RFC822.SIZE %%d BODY[] {%%d}", n), &size, &lit); err != nil {
					t.Fatalf("FETCH %d: %q: %v", n, l, err)
				}
				h := sha256.New()
				if _, err := io.CopyN(h, r, lit); err != nil {
					t.Fatalf("FETCH %d literal: %v", n, err)
				}
				var sum [32]byte
				copy(sum[:], h.Sum(nil))
				if got := until(tag); got[0] != ")" || got[len(got)-1] != tag+" OK FETCH completed" {
					t.Fatalf("FETCH %d: %q", n, got)
				}
				return size, lit, sum
			}
			read()
			fmt.Fprintf(nc, "a LOGIN alice secret\r\n")
			until("a")
			fmt.Fprintf(nc, "b SELECT INBOX\r\n")
			if got := until("b"); got[len(got)-1] != "b OK [READ-WRITE] SELECT completed" {
				t.Fatalf("SELECT: %q", got)
			}
			if size, lit, sum := fetch("c", 1); sum != sums[0] || size != lit {
				t.Fatalf("FETCH 1: RFC822.SIZE %d, %d bytes, digest mismatch %v", size, lit, sum != sums[0])
			}

			stopRSS := daemontest.WatchRSS(t, imapd.Cmd.Process.Pid)
			size, lit, sum := fetch("d", 2)
			before, peak := stopRSS()
			if size != bigLen || lit != bigLen || sum != sums[1] {
				t.Fatalf("FETCH 2: RFC822.SIZE %d, %d bytes of %d, digest mismatch %v", size, lit, bigLen, sum != sums[1])
			}
			growth := peak - before
			t.Logf("%s: %d byte FETCH BODY[]: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, bigLen, before>>10, peak>>10, growth>>10)
			if growth > 4<<20 {
				t.Errorf("RSS grew by %d KiB during a %d byte FETCH BODY[] (limit 4096 KiB)", growth>>10, bigLen)
			}
			// section fetches one item and returns its literal.
			section := func(tag, item, echo string) string {
				fmt.Fprintf(nc, "%s FETCH 2 (%s)\r\n", tag, item)
				l := read()
				prefix := "* 2 FETCH (" + echo + " {"
				if !strings.HasPrefix(l, prefix) || !strings.HasSuffix(l, "}") {
					t.Fatalf("%s: %q", item, l)
				}
				n, err := strconv.Atoi(l[len(prefix) : len(l)-1])
				if err != nil {
					t.Fatalf("%s: %q", item, l)
				}
				lit := make([]byte, n)
				if _, err := io.ReadFull(r, lit); err != nil {
					t.Fatal(err)
				}
				if got := until(tag); got[0] != ")" || got[len(got)-1] != tag+" OK FETCH completed" {
					t.Fatalf("%s: %q", item, got)
				}
				return string(lit)
			}
			if got := section("f", "BODY.PEEK[1]", "BODY[1]"); got != "hello" {
				t.Errorf("BODY[1] = %q", got)
			}
			if got := section("g", "BODY.PEEK[2]<518000.2000>", "BODY[2]<518000>"); got != wantPartial {
				t.Errorf("BODY[2]<518000.2000> = %q..., want %q...", got[:40], wantPartial[:40])
			}
			fmt.Fprintf(nc, "e LOGOUT\r\n")
			until("e")
		})
	}
}
