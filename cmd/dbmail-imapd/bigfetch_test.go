package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
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
//
// A 25 MB message with several big parts (testutil.BigMultipart: a text
// part, a base64 attachment, a message/rfc822 part) is then fetched with
// every form that needs its MIME structure or decoded content: the
// structure comes from a streamed pass, the ranges and the decoding are
// streamed, and each reply is the in-memory parser's byte for byte while
// RSS grows by at most 4 MB (RFC 3501 §6.4.5, §7.4.2; RFC 3516 §4.2).
func TestDaemonBigFetch(t *testing.T) {
	bin := daemontest.Build(t, "dbmail-imapd")
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri, d := dbtest.OpenURI(t, b)
			ctx := context.Background()
			uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			inbox, err := d.FindMailbox(ctx, uid, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			raws := [][]byte{[]byte("Subject: small\r\n\r\nhello\r\n"), testutil.BigMessage(25<<20, ""), testutil.BigMultipart(6<<20, 14<<20)}
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
			multi := bigMultipartWants(t, raws[2])
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
			// fetchOne sends "FETCH 3 item" and returns what follows
			// echo: the literal's digest and length, or the atom text.
			fetchOne := func(tag, item, echo string) (sum [32]byte, n int64, atom string) {
				fmt.Fprintf(nc, "%s FETCH 3 (%s)\r\n", tag, item)
				l := read()
				prefix := "* 3 FETCH (" + echo + " "
				if !strings.HasPrefix(l, prefix) {
					t.Fatalf("%s: %q", item, l)
				}
				rest := strings.TrimPrefix(l[len(prefix):], "~")
				if strings.HasPrefix(rest, "{") && strings.HasSuffix(rest, "}") {
					if n, err = strconv.ParseInt(rest[1:len(rest)-1], 10, 64); err != nil {
						t.Fatalf("%s: %q", item, l)
					}
					h := sha256.New()
					if _, err := io.CopyN(h, r, n); err != nil {
						t.Fatalf("%s literal: %v", item, err)
					}
					copy(sum[:], h.Sum(nil))
					if got := until(tag); got[0] != ")" || got[len(got)-1] != tag+" OK FETCH completed" {
						t.Fatalf("%s: %q", item, got)
					}
					return sum, n, ""
				}
				if got := until(tag); got[len(got)-1] != tag+" OK FETCH completed" {
					t.Fatalf("%s: %q", item, got)
				}
				return sum, 0, strings.TrimSuffix(rest, ")")
			}
			// each form is watched on its own: the daemon's memory between
			// them also holds each pool connection's SQLite page cache
			// (bounded by cache_size), which is not the FETCH's
			first, err := daemontest.RSS(imapd.Cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range multi {
				tag := "m" + strconv.Itoa(i)
				stop := daemontest.WatchRSS(t, imapd.Cmd.Process.Pid)
				sum, n, atom := fetchOne(tag, w.item, w.echo)
				before, peak := stop()
				switch {
				case w.atom != "" && atom != w.atom:
					t.Errorf("%s = %.200s, want %.200s", w.item, atom, w.atom)
				case w.atom == "" && (n != w.size || sum != w.sum):
					t.Errorf("%s: %d bytes (want %d), digest mismatch %v", w.item, n, w.size, sum != w.sum)
				}
				t.Logf("%s: FETCH %s of %d bytes: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, w.item, multi[0].msgSize, before>>10, peak>>10, (peak-before)>>10)
				if peak-before > 4<<20 {
					t.Errorf("RSS grew by %d KiB during FETCH %s (limit 4096 KiB)", (peak-before)>>10, w.item)
				}
			}
			if last, err := daemontest.RSS(imapd.Cmd.Process.Pid); err == nil {
				t.Logf("%s: RSS %d KiB before the %d FETCHes of the multipart message, %d KiB after", b.Name, first>>10, len(multi), last>>10)
			}
			fmt.Fprintf(nc, "e LOGOUT\r\n")
			until("e")
		})
	}
}

// multiWant is one FETCH of the big multipart message and its expected
// reply: an atom, or a literal's length and digest.
type multiWant struct {
	item, echo string
	atom       string
	size       int64
	sum        [32]byte
	msgSize    int64
}

// bigMultipartWants computes from the message in memory (ParseStructure,
// Extract, base64 decoding) what each streamed FETCH must return.
func bigMultipartWants(t *testing.T, raw []byte) []multiWant {
	t.Helper()
	tree := message.ParseStructure(raw)
	parsed, err := message.Parse(raw, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sec := func(s string) []byte {
		ms, err := message.ParseSection(s)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := tree.Extract(raw, ms)
		if !ok {
			t.Fatalf("no section %s", s)
		}
		return b
	}
	body2 := sec("2")
	decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(body2), "\r\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	lit := func(item, echo string, b []byte) multiWant {
		return multiWant{item: item, echo: echo, size: int64(len(b)), sum: sha256.Sum256(b)}
	}
	ws := []multiWant{
		{item: "BODYSTRUCTURE", echo: "BODYSTRUCTURE", atom: tree.BodyStructure(true)},
		{item: "BODY", echo: "BODY", atom: tree.BodyStructure(false)},
		{item: "ENVELOPE", echo: "ENVELOPE", atom: parsed.Envelope()},
		lit("BODY.PEEK[1]", "BODY[1]", sec("1")),
		lit("BODY.PEEK[1]<4000000.100000>", "BODY[1]<4000000>", sec("1")[4000000:4100000]),
		lit("BODY.PEEK[2]", "BODY[2]", body2),
		lit("BODY.PEEK[2]<9000000.3000000>", "BODY[2]<9000000>", body2[9000000:12000000]),
		lit("BODY.PEEK[2.MIME]", "BODY[2.MIME]", sec("2.MIME")),
		lit("BODY.PEEK[3.HEADER]", "BODY[3.HEADER]", sec("3.HEADER")),
		lit("BODY.PEEK[TEXT]<100.2000000>", "BODY[TEXT]<100>", sec("TEXT")[100:2000100]),
		lit("BINARY.PEEK[2]", "BINARY[2]", decoded),
		lit("BINARY.PEEK[2]<5000000.1000000>", "BINARY[2]<5000000>", decoded[5000000:6000000]),
		{item: "BINARY.SIZE[2]", echo: "BINARY.SIZE[2]", atom: strconv.Itoa(len(decoded))},
		lit("BINARY.PEEK[1]", "BINARY[1]", sec("1")),
	}
	for i := range ws {
		ws[i].msgSize = int64(len(raw))
	}
	return ws
}
