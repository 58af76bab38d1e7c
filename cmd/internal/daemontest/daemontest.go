// Package daemontest runs a daemon binary of this repository for the tests
// of its command: build it, start it on a generated dbmail.conf, wait until
// it listens, stop it with SIGTERM at cleanup, and watch its memory.
package daemontest

import (
	"bytes"
	"fmt"
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
)

// Build compiles the command in the current directory (the test's own
// package) into a temporary binary named name.
func Build(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Proc is a running daemon.
type Proc struct {
	Addr string // 127.0.0.1:port of its listener
	Cmd  *exec.Cmd
	Log  string // its logfile
}

// Start runs bin -f conf -D in dir, where conf has a [DBMAIL] section for
// dburi uri and a section (IMAP, POP, …) listening on a free 127.0.0.1
// port followed by the lines of extra, and waits until it accepts
// connections. At cleanup it is stopped with SIGTERM (it must exit within
// 20 s); a daemon that exited during the test is an error, and when the
// test failed its stderr and log are printed.
func Start(t testing.TB, bin, uri, dir, section, extra string) *Proc {
	t.Helper()
	port := freePort(t)
	name := filepath.Base(bin)
	conf := filepath.Join(dir, "dbmail.conf")
	p := &Proc{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Log: filepath.Join(dir, name+".log")}
	text := fmt.Sprintf(`[DBMAIL]
authdriver = sql
dburi = %s
logfile = %s
file_logging_levels = 127
pid_directory = %s
effective_user = root
effective_group = root
max_db_connections = 4

[%s]
bindip = 127.0.0.1
port = %d
%s`, uri, p.Log, dir, section, port, extra)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	p.Cmd = exec.Command(bin, "-f", conf, "-D")
	p.Cmd.Stderr = &stderr
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.Cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case err := <-exited:
			t.Errorf("%s exited during the test: %v", name, err)
			exited <- err
		default:
		}
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = p.Cmd.Process.Kill()
			<-exited
			t.Errorf("%s did not stop on SIGTERM", name)
		}
		if t.Failed() { // the daemon's side of the story
			logText, _ := os.ReadFile(p.Log)
			t.Logf("%s stderr:\n%s\nlog:\n%s", name, stderr.String(), logText)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", p.Addr, time.Second)
		if err == nil {
			nc.Close()
			return p
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", name, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s: %v", name, p.Addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// RSS returns the process's resident set size in bytes (VmRSS of
// /proc/PID/status).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// WatchRSS samples pid's resident set size every 2 ms until the returned
// function is called, which returns the size before watching began and the
// peak seen.
func WatchRSS(t testing.TB, pid int) (stop func() (before, peak int64)) {
	t.Helper()
	before, err := RSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	peak := before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if r, err := RSS(pid); err == nil && r > peak {
				peak = r
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() (int64, int64) {
		close(done)
		wg.Wait()
		return before, peak
	}
}

// OpenFiles counts the files pid holds open below dir. The daemons unlink
// their spool files at once, so /proc/PID/fd is the only place they show.
func OpenFiles(t testing.TB, pid int, dir string) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			n++
		}
	}
	return n
}

// WaitOpenFiles waits up to 30 s for pid to hold want files open below dir
// and returns the count it saw last.
func WaitOpenFiles(t testing.TB, pid int, dir string, want int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	n := OpenFiles(t, pid, dir)
	for n != want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = OpenFiles(t, pid, dir)
	}
	return n
}
