package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

// buildDaemon compiles this command into dir.
func buildDaemon(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dbmail-pop3d")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a running dbmail-pop3d process.
type proc struct {
	cmd  *exec.Cmd
	addr string
	log  string
}

// start runs bin -f conf -D on a fresh config for uri and waits until it
// accepts connections.
func start(t *testing.T, bin, uri string) *proc {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf(`[DBMAIL]
authdriver = sql
dburi = %s
logfile = %s
errorlog = %s
pid_directory = %s
effective_user = root
effective_group = root
max_db_connections = 4
file_logging_levels = 127

[POP]
bindip = 127.0.0.1
port = %d
timeout = 60
`, uri, filepath.Join(dir, "pop3.log"), filepath.Join(dir, "pop3.err"), dir, port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &proc{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), log: filepath.Join(dir, "pop3.log")}
	var stderr bytes.Buffer
	d.cmd = exec.Command(bin, "-f", conf, "-D")
	d.cmd.Stderr = &stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case err := <-exited:
			t.Errorf("dbmail-pop3d exited during the test: %v", err)
			exited <- err
		default:
		}
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = d.cmd.Process.Kill()
			<-exited
			t.Errorf("dbmail-pop3d did not stop on SIGTERM")
		}
		if t.Failed() { // the daemon's side of the story
			logText, _ := os.ReadFile(d.log)
			t.Logf("dbmail-pop3d stderr:\n%s\nlog:\n%s", stderr.String(), logText)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", d.addr, time.Second)
		if err == nil {
			nc.Close()
			return d
		}
		select {
		case err := <-exited:
			t.Fatalf("dbmail-pop3d exited: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dbmail-pop3d not listening on %s: %v", d.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rss returns the process's resident set size in bytes (/proc/PID/status).
func rss(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

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
	bin := buildDaemon(t)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			d := start(t, bin, uri)
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

			c := dial(t, d.addr)
			c.cmd("USER nia", "+OK Password required for nia")
			c.cmd("PASS pw", fmt.Sprintf("+OK nia has 2 messages (%d octets)", total))
			c.cmd("RETR 1", fmt.Sprintf("+OK %d octets", sizes[0]))
			if sum, n := c.body(); sum != sums[0] || n != sizes[0] {
				t.Fatalf("RETR 1: %d bytes, digest mismatch %v", n, sum != sums[0])
			}
			pid := d.cmd.Process.Pid
			before := rss(t, pid, "VmRSS")
			var peak int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if r := rss(t, pid, "VmRSS"); r > peak {
						peak = r
					}
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
			}()
			c.cmd("RETR 2", fmt.Sprintf("+OK %d octets", sizes[1]))
			sum, n := c.body()
			close(stop)
			wg.Wait()
			if sum != sums[1] || n != sizes[1] {
				t.Fatalf("RETR 2: %d bytes of %d, digest mismatch %v", n, sizes[1], sum != sums[1])
			}
			growth := peak - before
			t.Logf("%s: %d byte RETR: RSS before %d KiB, peak %d KiB, growth %d KiB", b.Name, sizes[1], before>>10, peak>>10, growth>>10)
			if growth > 4<<20 {
				t.Errorf("RSS grew by %d KiB during a %d byte RETR (limit 4096 KiB)", growth>>10, sizes[1])
			}
			c.cmd("QUIT", "+OK see ya later")

			c = dial(t, d.addr)
			c.cmd("USER nia", "+OK Password required for nia")
			c.cmd("PASS pw", fmt.Sprintf("+OK nia has 2 messages (%d octets)", total))
			c.cmd("DELE 1", "+OK message 1 deleted")
			c.cmd("DELE 2", "+OK message 2 deleted")
			c.cmd("QUIT", "+OK see ya later")
			c = dial(t, d.addr)
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
