package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
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

type conn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dial(t *testing.T, addr string) *conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(5 * time.Minute))
	t.Cleanup(func() { nc.Close() })
	c := &conn{t: t, nc: nc, r: bufio.NewReaderSize(nc, 4096)}
	if g := c.line(); !strings.HasPrefix(g, "+OK DBMAIL pop3 server ready to rock <") {
		t.Fatalf("greeting %q", g)
	}
	return c
}

func (c *conn) line() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return strings.TrimSuffix(s, "\r\n")
}

func (c *conn) cmd(line, want string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, line+"\r\n"); err != nil {
		c.t.Fatal(err)
	}
	if got := c.line(); got != want {
		c.t.Fatalf("%s: got %q, want %q", line, got, want)
	}
}

// body reads a dot-stuffed body and returns its SHA-256 and length.
func (c *conn) body() ([32]byte, int64) {
	c.t.Helper()
	h := sha256.New()
	var n int64
	for {
		s, err := c.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			h.Write(s)
			n += int64(len(s))
			continue
		}
		if err != nil {
			c.t.Fatalf("read body: %v", err)
		}
		if string(s) == ".\r\n" {
			var sum [32]byte
			copy(sum[:], h.Sum(nil))
			return sum, n
		}
		if s[0] == '.' {
			s = s[1:]
		}
		h.Write(s)
		n += int64(len(s))
	}
}

// TestDaemon runs the real binary with a dbmail.conf on every backend: a
// keep-mode and a delete-mode session, and a 25 MB RETR that must grow the
// daemon's resident memory by at most 4 MB on every backend.
func TestDaemon(t *testing.T) {
	bin := daemontest.Build(t, "dbmail-pop3d")
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			d := daemontest.Start(t, bin, uri, t.TempDir(), "POP", "timeout = 60\n")
			h := dbtest.Connect(t, uri, "dbmail_")
			ctx := context.Background()
			uid, err := h.CreateUser(ctx, db.User{Name: "nia", Passwd: "pw", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			mb, err := h.FindMailbox(ctx, uid, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			files := testutil.CorpusFiles(t)
			// 25 MB: more than MariaDB's default max_allowed_packet
			// (16 MiB), which the body rows of at most
			// message.DefaultMaxRowSize each stay under.
			bigSize := 25 << 20
			raws := [][]byte{mustRead(t, files[0]), testutil.BigMessage(bigSize, "")}
			var sums [][32]byte
			var sizes []int64
			for _, raw := range raws {
				m, err := message.Parse(raw, message.Options{})
				if err != nil {
					t.Fatal(err)
				}
				phys, _, err := h.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: mb.ID, QuotaUser: uid}})
				if err != nil {
					t.Fatal(err)
				}
				hs := sha256.New()
				n, err := h.WriteMessage(ctx, phys, hs, message.FormCRLF)
				if err != nil {
					t.Fatal(err)
				}
				var sum [32]byte
				copy(sum[:], hs.Sum(nil))
				sums = append(sums, sum)
				sizes = append(sizes, n)
			}
			raws = nil
			total := sizes[0] + sizes[1]

			c := dial(t, d.Addr)
			c.cmd("USER nia", "+OK Password required for nia")
			c.cmd("PASS pw", fmt.Sprintf("+OK nia has 2 messages (%d octets)", total))
			c.cmd("RETR 1", fmt.Sprintf("+OK %d octets", sizes[0]))
			if sum, n := c.body(); sum != sums[0] || n != sizes[0] {
				t.Fatalf("RETR 1: %d bytes, digest mismatch %v", n, sum != sums[0])
			}
			stopRSS := daemontest.WatchRSS(t, d.Cmd.Process.Pid)
			c.cmd("RETR 2", fmt.Sprintf("+OK %d octets", sizes[1]))
			sum, n := c.body()
			before, peak := stopRSS()
			if sum != sums[1] || n != sizes[1] {
				t.Fatalf("RETR 2: %d bytes of %d, digest mismatch %v", n, sizes[1], sum != sums[1])
			}
			growth := peak - before
			t.Logf("%s: %d byte RETR: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, sizes[1], before>>10, peak>>10, growth>>10)
			if growth > 4<<20 {
				t.Errorf("RSS grew by %d KiB during a %d byte RETR (limit 4096 KiB)", growth>>10, sizes[1])
			}
			c.cmd("QUIT", "+OK see ya later")

			c = dial(t, d.Addr)
			c.cmd("USER nia", "+OK Password required for nia")
			c.cmd("PASS pw", fmt.Sprintf("+OK nia has 2 messages (%d octets)", total))
			c.cmd("DELE 1", "+OK message 1 deleted")
			c.cmd("DELE 2", "+OK message 2 deleted")
			c.cmd("QUIT", "+OK see ya later")
			c = dial(t, d.Addr)
			c.cmd("USER nia", "+OK Password required for nia")
			c.cmd("PASS pw", "+OK nia has 0 messages (0 octets)")
			c.cmd("QUIT", "+OK see ya later")
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
