// Command pop3 benchmarks dbmail-pop3d (issue: dbmail-pop3d, item 5): 50
// users with 60 corpus messages each; 8 parallel sessions each doing
// USER/PASS, STAT, UIDL, RETR of every message and QUIT, over 3 rounds of
// all users. It prints messages/s and MB/s, verifying every byte of every
// RETR against the message as delivered, and the machine's load average.
//
// The daemon runs in this process on a fresh database of the chosen
// backend (-dburi, default $DBMAIL_TEST_PG, or sqlite). With -dovecot, the
// same workload is run against a private Dovecot (dovecot-pop3d) on a
// loopback high port with a passwd-file and maildirs holding the same
// messages, and the ratio is printed.
//
//	go run ./bench/pop3 -dburi postgresql://root@127.0.0.1:5432/test -dovecot
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/pop3"
	"github.com/dbmail-go/dbmail/server"
)

type options struct {
	corpus   string
	dburi    string
	users    int
	per      int
	sessions int
	rounds   int
	workers  int
	dovecot  bool
	keep     bool
	cpuprof  string
}

func main() {
	var o options
	flag.StringVar(&o.corpus, "corpus", "../shared/corpus", "corpus directory (ham/ and spam/)")
	flag.StringVar(&o.dburi, "dburi", os.Getenv("DBMAIL_TEST_PG"), "server dburi (a fresh database is created on it); empty: SQLite")
	flag.IntVar(&o.users, "users", 50, "users")
	flag.IntVar(&o.per, "per", 60, "messages per user")
	flag.IntVar(&o.sessions, "sessions", 8, "parallel sessions")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds over all users")
	flag.IntVar(&o.workers, "workers", 8, "SQL worker pool size of the daemon")
	flag.BoolVar(&o.dovecot, "dovecot", false, "also run the workload against a private Dovecot and print the ratio")
	flag.BoolVar(&o.keep, "keep", false, "keep the benchmark database")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the dbmail-go run (daemon and clients) to this file")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/pop3:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	mail, err := loadCorpus(o.corpus, o.users*o.per)
	if err != nil {
		return err
	}
	var total int64
	for _, m := range mail {
		total += int64(len(m))
	}
	fmt.Printf("corpus: %d messages, %.1f MB; %d users x %d, %d sessions, %d rounds\n",
		len(mail), float64(total)/1e6, o.users, o.per, o.sessions, o.rounds)

	d, cleanup, err := freshDB(ctx, o.dburi)
	if err != nil {
		return err
	}
	if !o.keep {
		defer cleanup()
	}
	want, err := populate(ctx, d, mail, o)
	if err != nil {
		return err
	}
	addr, stop, err := startDaemon(ctx, d, o.workers)
	if err != nil {
		return err
	}
	if o.cpuprof != "" {
		f, err := os.Create(o.cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	res, err := workload(addr, want, o)
	if o.cpuprof != "" {
		pprof.StopCPUProfile()
	}
	stop()
	if err != nil {
		return fmt.Errorf("dbmail-go: %w", err)
	}
	res.print("dbmail-go (" + d.Dialect.String() + ")")
	if !o.dovecot {
		return nil
	}
	daddr, dstop, err := startDovecot(want)
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	dres, err := workload(daddr, want, o)
	dstop()
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	dres.print("dovecot")
	fmt.Printf("ratio dbmail-go/dovecot: %.2fx messages/s\n", res.msgsPerSec()/dres.msgsPerSec())
	return nil
}

// loadCorpus reads n corpus messages (ham then spam, sorted).
func loadCorpus(dir string, n int) ([][]byte, error) {
	var files []string
	for _, sub := range []string{"ham", "spam"} {
		m, err := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	if len(files) < n {
		return nil, fmt.Errorf("corpus %s has %d messages, need %d", dir, len(files), n)
	}
	out := make([][]byte, n)
	for i := range out {
		b, err := os.ReadFile(files[i])
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// freshDB creates a private database on the server named by uri (or a
// SQLite file) and migrates it; cleanup drops it.
func freshDB(ctx context.Context, uri string) (*db.DB, func(), error) {
	name := "dbmailbench_" + randHex(6)
	if uri == "" {
		dir, err := os.MkdirTemp("", "pop3bench")
		if err != nil {
			return nil, nil, err
		}
		uri = "sqlite://" + filepath.Join(dir, "bench.db")
		d, err := open(ctx, uri)
		return d, func() { d.Close(); os.RemoveAll(dir) }, err
	}
	admin, err := open(ctx, uri)
	if err != nil {
		return nil, nil, err
	}
	create := "CREATE DATABASE " + name
	if admin.Dialect == db.MySQL {
		create += " CHARACTER SET utf8mb4"
	}
	if _, err := admin.SQL.ExecContext(ctx, create); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("%s: %w", create, err)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil, nil, err
	}
	u.Path = "/" + name
	d, err := open(ctx, u.String())
	drop := func() {
		if d != nil {
			d.Close()
		}
		q := "DROP DATABASE IF EXISTS " + name
		if admin.Dialect == db.Postgres {
			q += " WITH (FORCE)"
		}
		if _, err := admin.SQL.ExecContext(context.Background(), q); err != nil {
			fmt.Fprintln(os.Stderr, "drop benchmark database:", err)
		}
		admin.Close()
	}
	if err != nil {
		drop()
		return nil, nil, err
	}
	return d, drop, nil
}

func open(ctx context.Context, uri string) (*db.DB, error) {
	t, err := db.ParseURI(uri, "pop3bench")
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, t, "dbmail_", 24)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// userMail is what one user's maildrop must hold: the wire form of each
// message, in delivery order.
type userMail struct {
	name string
	msgs [][]byte
}

// populate creates user1..userN (password "pass") and delivers their
// messages; it returns the expected RETR bytes per user.
func populate(ctx context.Context, d *db.DB, mail [][]byte, o options) ([]userMail, error) {
	start := time.Now()
	out := make([]userMail, o.users)
	for u := range out {
		name := fmt.Sprintf("user%d", u+1)
		id, err := d.CreateUser(ctx, db.User{Name: name, Passwd: "pass", Active: true})
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", name, err)
		}
		mb, err := d.FindMailbox(ctx, id, "INBOX")
		if err != nil {
			return nil, err
		}
		out[u].name = name
		for i := 0; i < o.per; i++ {
			raw := mail[u*o.per+i]
			m, err := message.Parse(raw, message.Options{})
			if err != nil {
				return nil, err
			}
			phys, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: mb.ID, QuotaUser: id}})
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if _, err := d.WriteMessage(ctx, phys, &buf, message.FormCRLF); err != nil {
				return nil, err
			}
			out[u].msgs = append(out[u].msgs, buf.Bytes())
		}
	}
	fmt.Printf("populated %d users in %v\n", o.users, time.Since(start).Round(time.Millisecond))
	return out, nil
}

// startDaemon runs dbmail-pop3d's protocol in this process on a loopback
// port.
func startDaemon(ctx context.Context, d *db.DB, workers int) (string, func(), error) {
	pool := server.NewPool(d.SQL, workers, 1000)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := &pop3.Protocol{Hostname: "bench", DB: d, Pool: pool, Log: quiet}
	if err := p.Init(ctx); err != nil {
		pool.Close()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := server.Defaults("dbmail-pop3d", port)
	cfg.PidDirectory = os.TempDir()
	cfg.MaxDBConnections = workers
	srv, err := server.New(cfg, p, server.Options{Logger: quiet, Pool: pool, DB: d.SQL})
	if err != nil {
		return "", nil, err
	}
	if err := srv.Listen(); err != nil {
		return "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(sctx)
	}()
	return srv.Addrs()[0].String(), func() { cancel(); <-done; pool.Close() }, nil
}

// result is one workload run.
type result struct {
	phases   [4]time.Duration // connect+login, STAT+UIDL, RETRs, QUIT (summed over sessions)
	msgs     int
	bytes    int64
	elapsed  time.Duration
	loadFrom string
	loadTo   string
}

func (r result) msgsPerSec() float64 { return float64(r.msgs) / r.elapsed.Seconds() }

func (r result) print(name string) {
	fmt.Printf("%-24s %6d messages %8.1f MB in %7.2fs: %8.0f messages/s %7.1f MB/s (load avg %s -> %s)\n",
		name, r.msgs, float64(r.bytes)/1e6, r.elapsed.Seconds(), r.msgsPerSec(),
		float64(r.bytes)/1e6/r.elapsed.Seconds(), r.loadFrom, r.loadTo)
	sum := r.phases[0] + r.phases[1] + r.phases[2] + r.phases[3]
	if sum > 0 {
		fmt.Printf("%-24s session time: login %.0f%%, STAT+UIDL %.0f%%, RETR %.0f%%, QUIT %.0f%%\n", "",
			100*r.phases[0].Seconds()/sum.Seconds(), 100*r.phases[1].Seconds()/sum.Seconds(),
			100*r.phases[2].Seconds()/sum.Seconds(), 100*r.phases[3].Seconds()/sum.Seconds())
	}
}

// workload runs rounds x users sessions on o.sessions parallel clients;
// a user is never in two sessions at once.
func workload(addr string, want []userMail, o options) (result, error) {
	jobs := make(chan int)
	locks := make([]sync.Mutex, len(want))
	var mu sync.Mutex
	var res result
	var firstErr error
	var wg sync.WaitGroup
	res.loadFrom = benchutil.LoadAvg()
	start := time.Now()
	for w := 0; w < o.sessions; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				locks[u].Lock()
				var ph [4]time.Duration
				n, b, err := session(addr, want[u], &ph)
				locks[u].Unlock()
				mu.Lock()
				for k := range ph {
					res.phases[k] += ph[k]
				}
				res.msgs += n
				res.bytes += b
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", want[u].name, err)
				}
				mu.Unlock()
			}
		}()
	}
	for r := 0; r < o.rounds; r++ {
		for u := range want {
			jobs <- u
		}
	}
	close(jobs)
	wg.Wait()
	res.elapsed = time.Since(start)
	res.loadTo = benchutil.LoadAvg()
	return res, firstErr
}

// session is one client session: USER/PASS, STAT, UIDL, RETR of every
// message (each byte compared), QUIT.
func session(addr string, u userMail, ph *[4]time.Duration) (int, int64, error) {
	t0 := time.Now()
	mark := func(k int) {
		now := time.Now()
		ph[k] += now.Sub(t0)
		t0 = now
	}
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(2 * time.Minute))
	c := &client{r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriter(nc)}
	if _, err := c.ok(""); err != nil {
		return 0, 0, fmt.Errorf("greeting: %w", err)
	}
	if _, err := c.ok("USER " + u.name); err != nil {
		return 0, 0, err
	}
	if _, err := c.ok("PASS pass"); err != nil {
		return 0, 0, err
	}
	mark(0)
	line, err := c.ok("STAT")
	if err != nil {
		return 0, 0, err
	}
	var n int
	var size int64
	if _, err := fmt.Sscanf(line, "+OK %d %d", &n, &size); err != nil || n != len(u.msgs) {
		return 0, 0, fmt.Errorf("STAT %q, want %d messages", line, len(u.msgs))
	}
	if _, err := c.ok("UIDL"); err != nil {
		return 0, 0, err
	}
	uidls := 0
	if err := c.body(func(line []byte) error { uidls++; return nil }); err != nil {
		return 0, 0, err
	}
	if uidls != n {
		return 0, 0, fmt.Errorf("UIDL listed %d of %d", uidls, n)
	}
	mark(1)
	var bytesOut int64
	for i, want := range u.msgs {
		if _, err := c.ok(fmt.Sprintf("RETR %d", i+1)); err != nil {
			return i, bytesOut, err
		}
		rest := want
		if err := c.body(func(line []byte) error {
			if !bytes.HasPrefix(rest, line) {
				return fmt.Errorf("RETR %d: bytes differ at offset %d", i+1, len(want)-len(rest))
			}
			rest = rest[len(line):]
			return nil
		}); err != nil {
			return i, bytesOut, err
		}
		if len(rest) != 0 {
			return i, bytesOut, fmt.Errorf("RETR %d: %d bytes missing", i+1, len(rest))
		}
		bytesOut += int64(len(want))
	}
	mark(2)
	if _, err := c.ok("QUIT"); err != nil {
		return n, bytesOut, err
	}
	mark(3)
	return n, bytesOut, nil
}

type client struct {
	r *bufio.Reader
	w *bufio.Writer
}

// ok sends cmd (unless empty) and reads a "+OK" line.
func (c *client) ok(cmd string) (string, error) {
	if cmd != "" {
		c.w.WriteString(cmd)
		c.w.WriteString("\r\n")
		if err := c.w.Flush(); err != nil {
			return "", err
		}
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%s: %w", cmd, err)
	}
	if !strings.HasPrefix(line, "+OK") {
		return "", fmt.Errorf("%s: %s", cmd, strings.TrimSpace(line))
	}
	return strings.TrimSpace(line), nil
}

// body reads a multi-line response, un-stuffing dots, calling fn with each
// line (or piece of a line longer than the read buffer) including its CRLF.
func (c *client) body(fn func([]byte) error) error {
	bol := true
	for {
		line, err := c.r.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !full {
			return err
		}
		if bol && len(line) == 3 && line[0] == '.' && line[1] == '\r' {
			return nil
		}
		if bol && line[0] == '.' {
			line = line[1:]
		}
		if err := fn(line); err != nil {
			return err
		}
		bol = !full
	}
}
