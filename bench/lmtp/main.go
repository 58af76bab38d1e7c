// Command lmtp benchmarks dbmail-lmtpd (issue: daemon core, item 6): it
// starts the real daemon binary on a fresh database, delivers the shared
// corpus over LMTP with 1, 8 and 32 parallel connections to random users of
// 500, verifies that every message arrived, and prints messages/s, MB/s and
// the daemon's CPU seconds. Then it opens idle connections (after LHLO) and
// prints the daemon's RSS per connection and its wake-ups per second.
//
//	go run ./bench/lmtp -bin bin/dbmail-lmtpd [-backend postgresql] [-idle 10000]
//
// PostgreSQL and MariaDB come from DBMAIL_TEST_PG / DBMAIL_TEST_MYSQL.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
	"github.com/dbmail-go/dbmail/db"
)

func main() {
	bin := flag.String("bin", "bin/dbmail-lmtpd", "dbmail-lmtpd binary")
	corpus := flag.String("corpus", "../shared/corpus", "corpus directory")
	backend := flag.String("backend", "sqlite", "sqlite, postgresql or mysql")
	conns := flag.String("conns", "1,8,32", "parallel LMTP connections per run")
	users := flag.Int("users", 500, "recipients")
	limit := flag.Int("n", 0, "messages per run (0 = the whole corpus)")
	idle := flag.Int("idle", 10000, "idle connections to hold for the memory figure (0 = skip)")
	flag.Parse()
	if err := run(*bin, *corpus, *backend, *conns, *users, *limit, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "bench/lmtp:", err)
		os.Exit(1)
	}
}

func run(bin, corpus, backend, connList string, nusers, limit, idle int) error {
	msgs, total, err := benchutil.LoadCorpus(corpus, limit, true)
	if err != nil {
		return err
	}
	benchutil.RaiseFileLimit()
	fmt.Printf("corpus: %d messages, %.1f MB; backend %s; %d users\n", len(msgs), float64(total)/1e6, backend, nusers)
	fmt.Printf("%6s %9s %8s %10s %12s\n", "conns", "msgs/s", "MB/s", "cpu_s", "cpu_ms/msg")
	for _, cs := range strings.Split(connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(cs))
		if err != nil || n < 1 {
			return fmt.Errorf("bad connection count %q", cs)
		}
		if err := deliveryRun(bin, backend, n, nusers, msgs, total); err != nil {
			return err
		}
	}
	if idle > 0 {
		return idleRun(bin, backend, idle)
	}
	return nil
}

type daemon struct {
	cmd  *exec.Cmd
	addr string
	d    *db.DB
	drop func()
	dir  string
}

// startDaemon makes a fresh database and config and starts the binary.
func startDaemon(bin, backend string, nusers int) (*daemon, error) {
	ctx := context.Background()
	d, uri, _, drop, err := benchutil.OpenFresh(ctx, backend, "bench", 4) // drop closes d too
	if err != nil {
		return nil, err
	}
	for i := 1; i <= nusers; i++ {
		if _, err := d.CreateUser(ctx, db.User{Name: fmt.Sprintf("user%d", i), Passwd: "x", Active: true}); err != nil {
			drop()
			return nil, err
		}
	}
	port, err := benchutil.FreePort()
	if err != nil {
		drop()
		return nil, err
	}
	dir, err := os.MkdirTemp("", "benchlmtp")
	if err != nil {
		drop()
		return nil, err
	}
	conf := filepath.Join(dir, "dbmail.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`[DBMAIL]
dburi = %s
authdriver = sql
pid_directory = %s
logfile = %s/log
file_logging_levels = error
syslog_logging_levels = nothing
effective_user = root
effective_group = root
max_db_connections = 8
[LMTP]
bindip = 127.0.0.1
port = %d
max_connections = 30000
max_connections_per_ip = 30000
`, uri, dir, dir, port)), 0o600)
	cmd := exec.Command(bin, "-f", conf, "-D")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		drop()
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return &daemon{cmd: cmd, addr: addr, d: d, drop: drop, dir: dir}, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	drop()
	return nil, fmt.Errorf("dbmail-lmtpd did not start listening on %s", addr)
}

func (dm *daemon) stop() {
	dm.cmd.Process.Signal(syscall.SIGTERM)
	dm.cmd.Wait()
	dm.drop()
	os.RemoveAll(dm.dir)
}

func deliveryRun(bin, backend string, conns, nusers int, msgs [][]byte, total int64) error {
	dm, err := startDaemon(bin, backend, nusers)
	if err != nil {
		return err
	}
	defer dm.stop()
	cpu0 := benchutil.CPUSeconds(dm.cmd.Process.Pid)
	elapsed, err := benchutil.RunWorkers(len(msgs), conns, func(work <-chan int) error {
		return client(dm.addr, nusers, msgs, work)
	})
	if err != nil {
		return err
	}
	cpu := benchutil.CPUSeconds(dm.cmd.Process.Pid) - cpu0
	var n int
	if err := dm.d.QueryRow(context.Background(), `SELECT COUNT(*) FROM {messages} WHERE status < 2`).Scan(&n); err != nil {
		return err
	}
	if n != len(msgs) {
		return fmt.Errorf("%d messages stored, %d delivered", n, len(msgs))
	}
	fmt.Printf("%6d %9.0f %8.2f %10.2f %12.3f\n", conns, float64(len(msgs))/elapsed.Seconds(), float64(total)/1e6/elapsed.Seconds(), cpu, cpu*1000/float64(len(msgs)))
	return nil
}

// client delivers messages over one LMTP connection, one transaction each,
// with pipelined MAIL/RCPT/DATA.
func client(addr string, nusers int, msgs [][]byte, work <-chan int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriterSize(c, 64<<10)
	expect := func(prefix string) error {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, prefix) {
				return fmt.Errorf("got %q, want %s", strings.TrimSpace(line), prefix)
			}
			if len(line) < 4 || line[3] != '-' {
				return nil
			}
		}
	}
	if err := expect("220"); err != nil {
		return err
	}
	fmt.Fprintf(w, "LHLO bench\r\n")
	w.Flush()
	if err := expect("250"); err != nil {
		return err
	}
	for i := range work {
		u, _ := rand.Int(rand.Reader, big.NewInt(int64(nusers)))
		fmt.Fprintf(w, "MAIL FROM:<bench@example.org>\r\nRCPT TO:<user%d>\r\nDATA\r\n", u.Int64()+1)
		w.Flush()
		for _, p := range []string{"250", "250", "354"} {
			if err := expect(p); err != nil {
				return err
			}
		}
		writeDotStuffed(w, msgs[i])
		w.WriteString(".\r\n")
		w.Flush()
		if err := expect("250"); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	fmt.Fprintf(w, "QUIT\r\n")
	w.Flush()
	return nil
}

func writeDotStuffed(w *bufio.Writer, m []byte) {
	start := true
	for _, b := range m {
		if start && b == '.' {
			w.WriteByte('.')
		}
		w.WriteByte(b)
		start = b == '\n'
	}
	if !start {
		w.WriteString("\r\n")
	}
}

// idleRun holds n connections after LHLO and reports the daemon's memory
// per connection and its wake-ups per second while idle.
func idleRun(bin, backend string, n int) error {
	dm, err := startDaemon(bin, backend, 1)
	if err != nil {
		return err
	}
	defer dm.stop()
	pid := dm.cmd.Process.Pid
	time.Sleep(500 * time.Millisecond)
	base := benchutil.RSSKiB(pid)
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	buf := make([]byte, 512)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", dm.addr)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		c.Read(buf) // greeting
		c.Write([]byte("LHLO idle\r\n"))
		got := 0
		for !strings.Contains(string(buf[:got]), "250 ") {
			k, err := c.Read(buf[got:])
			if err != nil {
				return fmt.Errorf("connection %d LHLO: %w", i, err)
			}
			got += k
		}
		held = append(held, c)
	}
	time.Sleep(3 * time.Second)
	rss := benchutil.RSSKiB(pid)
	sw0 := benchutil.ContextSwitches(pid)
	time.Sleep(10 * time.Second)
	sw1 := benchutil.ContextSwitches(pid)
	fmt.Printf("idle: %d connections after LHLO: RSS %d KiB -> %d KiB, %.2f KiB per connection; %.1f wake-ups/s (context switches of all threads over 10 s)\n",
		n, base, rss, float64(rss-base)/float64(n), float64(sw1-sw0)/10)
	return nil
}
