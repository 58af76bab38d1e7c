// Command imap benchmarks dbmail-imapd (issue #4, item 7). It creates a
// fresh database, users user1..userN (password "pass") whose INBOXes are
// filled from the corpus, starts the real bin/dbmail-imapd on a loopback
// port and runs the project's imaptest stress mode (the default mixed
// workload: Dovecot imaptest's weights) with each client count of -clients
// for -secs seconds, printing per-command ops/s, p50 and p99, total ops/s
// and the error count. With -dovecot the same workload runs against a
// private Dovecot 2.3 (imaptest/dovecot/run-dovecot.sh) on another loopback
// port holding the same users and mail, and the dbmail/Dovecot ratio is
// printed.
//
// With -idle N it then holds N connections logged in, INBOX selected, in
// IDLE (raw sockets, a tiny state machine each) and prints the daemon's RSS
// per connection (VmRSS delta / N) and its wake-ups per second while idle.
//
//	go run ./bench/imap -bin bin/dbmail-imapd [-dovecot] [-clients 50,500] [-secs 30] [-idle 10000]
//
// PostgreSQL comes from DBMAIL_TEST_PG (MariaDB: -backend mysql and
// DBMAIL_TEST_MYSQL).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
	"github.com/dbmail-go/dbmail/imaptest"
)

type options struct {
	bin, corpus, backend string
	clients              []int
	secs                 int
	users                int
	per                  int
	appendMsgs           int
	checkpoint           int
	dovecot              bool
	dovecotScript        string
	dovecotClientLimit   int
	idle                 int
	idleUsers            int
	idlePer              int
	idleHold             time.Duration
	maxDB                int
	verbose              bool
	keep                 bool
}

func main() {
	var o options
	var clients string
	flag.StringVar(&o.bin, "bin", "bin/dbmail-imapd", "dbmail-imapd binary")
	flag.StringVar(&o.corpus, "corpus", "../shared/corpus", "corpus directory (ham/ and spam/)")
	flag.StringVar(&o.backend, "backend", "postgresql", "postgresql, mysql or sqlite")
	flag.StringVar(&clients, "clients", "50,500", "imaptest client counts, one stress run each (empty: no stress run)")
	flag.IntVar(&o.secs, "secs", 30, "seconds per stress run")
	flag.IntVar(&o.users, "users", 500, "users; a stress run with C clients uses user1..user min(C, users)")
	flag.IntVar(&o.per, "per", 20, "corpus messages in each user's INBOX before the runs")
	flag.IntVar(&o.appendMsgs, "append", 200, "corpus messages in imaptest's mbox (what APPEND sends)")
	flag.IntVar(&o.checkpoint, "checkpoint", 0, "imaptest checkpoint= seconds (0: none, as the default workload)")
	flag.BoolVar(&o.dovecot, "dovecot", false, "also run the workload against a private Dovecot 2.3 and print the ratio")
	flag.StringVar(&o.dovecotScript, "dovecot-script", "imaptest/dovecot/run-dovecot.sh", "script that starts the private Dovecot")
	flag.IntVar(&o.dovecotClientLimit, "dovecot-client-limit", 1, "Dovecot imap service client_limit (1 = its default: one process per session)")
	flag.IntVar(&o.idle, "idle", 10000, "connections to hold in IDLE for the memory figure (0 = skip)")
	flag.IntVar(&o.idleUsers, "idle-users", 500, "users the IDLE connections are spread over")
	flag.IntVar(&o.idlePer, "idle-per", 5, "messages in each idle user's INBOX")
	flag.DurationVar(&o.idleHold, "idle-hold", 0, "keep the IDLE connections open this much longer after measuring (for profiling the daemon)")
	flag.IntVar(&o.maxDB, "max-db-connections", 8, "max_db_connections of the daemon")
	flag.BoolVar(&o.verbose, "v", false, "print imaptest's per-second progress lines")
	flag.BoolVar(&o.keep, "keep", false, "keep the database and the daemon directory")
	flag.Parse()
	for _, s := range strings.Split(clients, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench/imap: bad client count %q\n", s)
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench/imap:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	benchutil.RaiseFileLimit()
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	fmt.Printf("file descriptor limit (ulimit -n after raising): %d (hard %d); %d cores\n", lim.Cur, lim.Max, numCPU())
	if len(o.clients) > 0 {
		if err := stressRuns(ctx, o); err != nil {
			return err
		}
	}
	if o.idle > 0 {
		return idleRun(ctx, o)
	}
	return nil
}

// stressRuns fills the users' INBOXes, then runs every client count
// against dbmail-imapd and, with -dovecot, against Dovecot.
func stressRuns(ctx context.Context, o options) error {
	maxClients := 0
	for _, c := range o.clients {
		maxClients = max(maxClients, c)
	}
	nusers := min(o.users, maxClients)
	msgs, total, err := loadCorpus(o.corpus)
	if err != nil {
		return err
	}
	fmt.Printf("corpus: %d messages, %.1f MB; backend %s; %d users x %d messages in INBOX; %ds per run\n",
		len(msgs), float64(total)/1e6, o.backend, nusers, o.per, o.secs)
	dir, err := os.MkdirTemp("", "imapbench")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	mbox := filepath.Join(dir, "append.mbox")
	if err := writeMbox(mbox, o.corpus, o.appendMsgs); err != nil {
		return err
	}
	fill := func(u int) [][]byte { // user u's INBOX: a window of the corpus
		out := make([][]byte, o.per)
		for i := range out {
			out[i] = msgs[(u*o.per+i)%len(msgs)]
		}
		return out
	}

	dm, err := startDaemon(ctx, o, nusers, fill, o.maxDB)
	if err != nil {
		return err
	}
	var mine []*imaptest.StressReport
	for i, c := range o.clients {
		if i > 0 {
			if err := dm.restart(); err != nil {
				dm.stop(o.keep)
				return err
			}
		}
		rep, err := stress(ctx, "dbmail-imapd", dm.addr, mbox, c, min(c, nusers), o)
		if err != nil {
			dm.stop(o.keep)
			return err
		}
		// Where the time went: SQL worker pool waits and run times, and
		// all commands as the daemon timed them.
		for _, l := range dm.stateLines("workers", "commands") {
			fmt.Println("daemon state:", l)
		}
		if rep.NErrors > 0 {
			for _, l := range dm.logTail(10) {
				fmt.Println("daemon log:", l)
			}
		}
		mine = append(mine, rep)
	}
	dm.stop(o.keep)
	if !o.dovecot {
		return nil
	}
	daddr, dstop, err := startDovecot(o, filepath.Join(dir, "dovecot"), nusers, fill)
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	var theirs []*imaptest.StressReport
	for _, c := range o.clients {
		rep, err := stress(ctx, "dovecot", daddr, mbox, c, min(c, nusers), o)
		if err != nil {
			dstop()
			return err
		}
		theirs = append(theirs, rep)
	}
	dstop()
	fmt.Printf("\n== dbmail-imapd / Dovecot (%s, same users, mail and workload)\n", o.backend)
	fmt.Printf("%8s %14s %14s %7s %14s %14s\n", "clients", "dbmail ops/s", "dovecot ops/s", "ratio", "dbmail LOGIN", "dovecot LOGIN")
	for i, c := range o.clients {
		a, b := opsPerSec(mine[i]), opsPerSec(theirs[i])
		fmt.Printf("%8d %14.1f %14.1f %6.2fx %14s %14s\n", c, a, b, a/b,
			p50(mine[i], imaptest.CmdLogin), p50(theirs[i], imaptest.CmdLogin))
	}
	return nil
}

// stress runs imaptest's stress mode (as a package) against addr.
func stress(ctx context.Context, name, addr, mbox string, clients, users int, o options) (*imaptest.StressReport, error) {
	host, port, _ := strings.Cut(addr, ":")
	args := []string{"host=" + host, "port=" + port, "user=user%d", "pass=pass",
		fmt.Sprintf("users=1-%d", users), "mbox=" + mbox,
		fmt.Sprintf("clients=%d", clients), fmt.Sprintf("secs=%d", o.secs),
		fmt.Sprintf("checkpoint=%d", o.checkpoint)}
	cfg, err := imaptest.ParseConfig(args)
	if err != nil {
		return nil, err
	}
	fmt.Printf("\n== %s: %d clients, users 1-%d, %d s (imaptest %s)\n", name, clients, users, o.secs, strings.Join(args, " "))
	var progress io.Writer = io.Discard
	if o.verbose {
		progress = os.Stdout
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	load0 := benchutil.LoadAvg()
	rep, err := imaptest.RunStress(ctx, cfg, progress, quiet)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !o.verbose {
		rep.Print(os.Stdout)
	}
	fmt.Printf("load average %s -> %s\n", load0, benchutil.LoadAvg())
	return rep, nil
}

func opsPerSec(r *imaptest.StressReport) float64 {
	var n int64
	for _, s := range r.Stats {
		n += s.Total
	}
	return float64(n) / r.Duration.Seconds()
}

func p50(r *imaptest.StressReport, c imaptest.Cmd) string {
	for _, s := range r.Stats {
		if s.Cmd == c {
			return s.P50.Round(10 * time.Microsecond).String()
		}
	}
	return "-"
}

// writeMbox concatenates the first n ham messages (each file starts with
// its mbox From line) as imaptest/ci.sh does.
func writeMbox(path, corpus string, n int) error {
	files, err := filepath.Glob(filepath.Join(corpus, "ham", "*.eml"))
	if err != nil {
		return err
	}
	if len(files) > n {
		files = files[:n]
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Close()
			return err
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
