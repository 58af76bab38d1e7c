package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

func numCPU() int { return runtime.NumCPU() }

// loadCorpus reads the whole corpus without the mbox From lines (what an
// MTA hands over).
func loadCorpus(dir string) ([][]byte, int64, error) {
	return benchutil.LoadCorpus(dir, 0, true)
}

type daemon struct {
	bin  string
	conf string
	cmd  *exec.Cmd
	addr string
	d    *db.DB
	drop func()
	dir  string
}

// startDaemon makes a fresh database with user1..userN whose INBOXes hold
// fill(u), writes a dbmail.conf and starts the dbmail-imapd binary.
func startDaemon(ctx context.Context, o options, nusers int, fill func(u int) [][]byte, maxDB int) (*daemon, error) {
	d, uri, _, drop, err := benchutil.OpenFresh(ctx, o.backend, "imapbench", 8) // drop closes d too
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*daemon, error) {
		drop()
		return nil, err
	}
	if err := populate(ctx, d, nusers, fill); err != nil {
		return fail(err)
	}
	port, err := benchutil.FreePort()
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "imapd") // short: socket paths are limited
	if err != nil {
		return fail(err)
	}
	conf := filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf(`[DBMAIL]
dburi = %s
authdriver = sql
pid_directory = %s
logfile = %s/log
errorlog = %s/err
file_logging_levels = warning
syslog_logging_levels = nothing
effective_user = root
effective_group = root
max_db_connections = %d
[IMAP]
bindip = 127.0.0.1
port = %d
login_disabled = no
max_connections = 30000
max_connections_per_ip = 30000
`, uri, dir, dir, dir, maxDB, port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		os.RemoveAll(dir)
		return fail(err)
	}
	dm := &daemon{bin: o.bin, conf: conf, addr: fmt.Sprintf("127.0.0.1:%d", port), d: d, drop: drop, dir: dir}
	if err := dm.start(); err != nil {
		os.RemoveAll(dir)
		return fail(err)
	}
	return dm, nil
}

// start runs the binary and waits until it listens.
func (dm *daemon) start() error {
	cmd := exec.Command(dm.bin, "-f", dm.conf, "-D")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	for i := 0; i < 200; i++ {
		c, err := net.Dial("tcp", dm.addr)
		if err == nil {
			c.Close()
			dm.cmd = cmd
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return fmt.Errorf("dbmail-imapd did not start listening on %s", dm.addr)
}

// restart stops the process and starts it again on the same database, so
// that the state dump's counters cover one run.
func (dm *daemon) restart() error {
	dm.terminate()
	return dm.start()
}

// terminate sends SIGTERM and waits (30 s, then SIGKILL).
func (dm *daemon) terminate() {
	if dm.cmd == nil {
		return
	}
	_ = dm.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { dm.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = dm.cmd.Process.Kill()
		<-done
	}
	dm.cmd = nil
}

func (dm *daemon) stop(keep bool) {
	dm.terminate()
	if keep {
		dm.d.Close()
		fmt.Printf("kept the daemon directory %s and its database\n", dm.dir)
		return
	}
	dm.drop()
	os.RemoveAll(dm.dir)
}

// logTail returns the last n lines of the daemon's log file (warnings and
// worse), to explain errors the clients saw.
func (dm *daemon) logTail(n int) []string {
	b, err := os.ReadFile(filepath.Join(dm.dir, "log"))
	if err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// stateLines returns the lines of the daemon's state dump (server/README.md
// "State dump format") whose first word is one of names.
func (dm *daemon) stateLines(names ...string) []string {
	c, err := net.DialTimeout("unix", filepath.Join(dm.dir, "dbmail-imapd.state"), 5*time.Second)
	if err != nil {
		return []string{"state dump: " + err.Error()}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		return []string{"state dump: " + err.Error()}
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f, _, _ := strings.Cut(l, " "); slices.Contains(names, f) {
			out = append(out, l)
		}
	}
	return out
}

// populate creates user1..userN (password "pass") and delivers fill(u-1)
// into each INBOX, on 8 parallel SQL connections.
func populate(ctx context.Context, d *db.DB, nusers int, fill func(u int) [][]byte) error {
	start := time.Now()
	ids := make([]int64, nusers)
	boxes := make([]int64, nusers)
	for u := range ids {
		id, err := d.CreateUser(ctx, db.User{Name: fmt.Sprintf("user%d", u+1), Passwd: "pass", Active: true})
		if err != nil {
			return fmt.Errorf("create user%d: %w", u+1, err)
		}
		mb, err := d.FindMailbox(ctx, id, "INBOX")
		if err != nil {
			return err
		}
		ids[u], boxes[u] = id, mb.ID
	}
	work := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	n := 0
	var mu sync.Mutex
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				for _, raw := range fill(u) {
					m, err := message.Parse(raw, message.Options{})
					if err != nil {
						errs <- err
						return
					}
					if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: boxes[u], QuotaUser: ids[u]}}); err != nil {
						errs <- fmt.Errorf("deliver to user%d: %w", u+1, err)
						return
					}
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		}()
	}
	var err error
feed:
	for u := 0; u < nusers; u++ {
		select {
		case work <- u:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return err
	}
	fmt.Printf("populated %d users, %d messages in %v\n", nusers, n, time.Since(start).Round(time.Millisecond))
	return nil
}
