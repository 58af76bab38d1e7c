package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemontest"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

// dotStuff gives a CRLF message its DATA form (RFC 5321 §4.5.2): a
// leading period doubled on each line, then the terminating line.
func dotStuff(msg []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(msg) + 16)
	for len(msg) > 0 {
		i := bytes.IndexByte(msg, '\n')
		line := msg
		if i >= 0 {
			line = msg[:i+1]
		}
		if line[0] == '.' {
			b.WriteByte('.')
		}
		b.Write(line)
		msg = msg[len(line):]
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}

// TestDaemonBigData delivers a 25 MB message to two recipients over LMTP
// on every backend (RFC 2033 §4.2): DATA is dot-unstuffed into a spool
// file as it arrives and stored row by row, so the daemon's resident
// memory may grow by at most 4 MB (the bar of FETCH); both users get one
// physmessage that reads back byte for byte with the Return-Path line
// (spec 2.2). A client that disconnects mid-DATA leaves no row and no
// spool file open.
func TestDaemonBigData(t *testing.T) {
	big := testutil.BigMessage(25<<20, "")
	// lines with a leading period exercise the unstuffing
	big = bytes.Replace(big, []byte("hello\r\n"), []byte("hello\r\n.\r\n..two dots\r\n.x\r\n"), 1)
	wire := dotStuff(big)
	want := sha256.Sum256(append([]byte("Return-Path: <t@example.org>\r\n"), big...))
	binary(t) // built before TMPDIR points at the spool directory
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			spoolDir := t.TempDir()
			t.Setenv("TMPDIR", spoolDir)
			dm := newDaemon(t, uri, "")
			dm.start()
			dm.open(uri)
			ctx := context.Background()
			bob, err := dm.d.CreateUser(ctx, db.User{Name: "bob", Passwd: "x", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			pid := dm.cmd.Process.Pid
			c := dialConn(t, mustDial(t, dm.addr))
			c.c.SetDeadline(time.Now().Add(5 * time.Minute))
			c.send("LHLO big")
			c.expect("250 ")
			// send delivers data to the recipients and returns their
			// replies.
			send := func(data []byte, rcpts ...string) []string {
				c.send("MAIL FROM:<t@example.org>")
				c.expect("250 ")
				for _, r := range rcpts {
					c.send("RCPT TO:<" + r + ">")
					c.expect("250 ")
				}
				c.send("DATA")
				c.expect("354 ")
				for rest := data; len(rest) > 0; {
					n := min(len(rest), 256<<10)
					if _, err := c.c.Write(rest[:n]); err != nil {
						t.Fatal(err)
					}
					rest = rest[n:]
				}
				var out []string
				for range rcpts {
					out = append(out, c.expect("")[0])
				}
				return out
			}
			// Warm-up: one spooled delivery per SQL worker and one more
			// (see TestDaemonBigAppend in cmd/dbmail-imapd).
			warm := dotStuff(testutil.BigMessage(2<<20, ""))
			for range 5 {
				if got := send(warm, "alice"); !strings.HasPrefix(got[0], "250 ") {
					t.Fatalf("2 MB delivery: %q", got)
				}
			}
			stopRSS := daemontest.WatchRSS(t, pid)
			got := send(wire, "alice", "bob")
			before, peak := stopRSS()
			if !strings.HasPrefix(got[0], "250 ") || !strings.HasPrefix(got[1], "250 ") {
				t.Fatalf("25 MB delivery: %q", got)
			}
			growth := peak - before
			t.Logf("%s: %d byte LMTP DATA to 2 recipients: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, len(big), before>>10, peak>>10, growth>>10)
			if growth > 4<<20 {
				t.Errorf("RSS grew by %d KiB during a %d byte delivery (limit 4096 KiB)", growth>>10, len(big))
			}
			var physA, physB int64
			for _, u := range []struct {
				id   int64
				phys *int64
			}{{dm.alice, &physA}, {bob, &physB}} {
				mb, err := dm.d.FindMailbox(ctx, u.id, "INBOX")
				if err != nil {
					t.Fatal(err)
				}
				msgs, err := dm.d.MailboxMessages(ctx, mb.ID)
				if err != nil || len(msgs) == 0 {
					t.Fatalf("inbox of user %d: %v, %d messages", u.id, err, len(msgs))
				}
				*u.phys = msgs[len(msgs)-1].PhysID
			}
			if physA != physB {
				t.Fatalf("two physmessages (%d, %d) for one delivery", physA, physB)
			}
			h := sha256.New()
			n, err := dm.d.WriteMessage(ctx, physA, h, message.FormCRLF)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(big))+int64(len("Return-Path: <t@example.org>\r\n")) || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Fatalf("read back %d bytes, digest equal %v", n, bytes.Equal(h.Sum(nil), want[:]))
			}
			if n := daemontest.OpenFiles(t, pid, spoolDir); n != 0 {
				t.Errorf("%d spool files open after the delivery", n)
			}

			// A disconnect mid-DATA: nothing stored, the spool released.
			var rows [4]int64
			count := func() [4]int64 {
				var r [4]int64
				for i, tb := range []string{"physmessage", "mimeparts", "partlists", "messages"} {
					if err := dm.d.QueryRow(ctx, `SELECT COUNT(*) FROM {`+tb+`}`).Scan(&r[i]); err != nil {
						t.Fatal(err)
					}
				}
				return r
			}
			rows = count()
			gone := dialConn(t, mustDial(t, dm.addr))
			gone.send("LHLO gone")
			gone.expect("250 ")
			gone.send("MAIL FROM:<t@example.org>")
			gone.expect("250 ")
			gone.send("RCPT TO:<alice>")
			gone.expect("250 ")
			gone.send("DATA")
			gone.expect("354 ")
			if _, err := gone.c.Write(wire[:5<<20]); err != nil {
				t.Fatal(err)
			}
			if n := daemontest.WaitOpenFiles(t, pid, spoolDir, 1); n != 1 {
				t.Fatalf("%d spool files open while DATA arrives, want 1", n)
			}
			gone.c.Close()
			if n := daemontest.WaitOpenFiles(t, pid, spoolDir, 0); n != 0 {
				t.Errorf("%d spool files open after the client went away", n)
			}
			if after := count(); after != rows {
				t.Errorf("abandoned DATA: rows %v, before %v", after, rows)
			}
			if ents, _ := os.ReadDir(spoolDir); len(ents) != 0 {
				t.Errorf("%d files left in the spool directory", len(ents))
			}
			c.send("QUIT")
			c.expect("221 ")
		})
	}
}

func mustDial(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}
