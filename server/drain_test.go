package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestGracefulDrain(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.ShutdownGrace = 5 * time.Second
	ts := startServer(t, cfg, Options{}, kindPlain)
	idle := ts.dial(t, kindPlain)
	busy := ts.dial(t, kindPlain)
	busy.send("SLEEP 400\r\n")
	conn := ts.conn(t)
	waitFor(t, func() bool { return conn.Snapshot(time.Now()).Command == "SLEEP" })
	stopped := make(chan struct{})
	go func() { ts.stop(); close(stopped) }()
	// The idle session says goodbye at once; the busy one finishes first.
	if err := idle.expect("* BYE shutdown"); err != nil {
		t.Fatal(err)
	}
	if err := busy.expect("OK slept", "* BYE shutdown"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the drain")
	}
	for range 2 {
		ts.expectClose(t, CloseServerShutdown)
	}
	// No longer accepting.
	if nc, err := net.DialTimeout("tcp", ts.addr(kindPlain), time.Second); err == nil {
		nc.Close()
		t.Fatal("still accepting after shutdown")
	}
}

func TestDrainGraceExpires(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	cfg := testConfig(t)
	cfg.ShutdownGrace = 200 * time.Millisecond
	ts := startServer(t, cfg, Options{Pool: p}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 60000\r\n") // a job that only ends when cancelled
	waitFor(t, func() bool { return p.Stats().Busy == 1 })
	start := time.Now()
	ts.stop()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %v despite a 200ms grace", d)
	}
	if err := <-ts.proto.queries; err == nil {
		t.Fatal("stuck query was not cancelled")
	}
	ts.expectClose(t, CloseServerShutdown)
}

func TestRefusedDuringShutdown(t *testing.T) {
	t.Parallel()
	s, err := New(testConfig(t), newEchoProto(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	s.drainOnce.Do(func() { close(s.draining) })
	srv, cli := net.Pipe()
	defer cli.Close()
	s.admit(srv, kindPlain) // a connection accepted just as the drain began
	line, _ := bufio.NewReader(cli).ReadString('\n')
	if line != "* BYE server-shutdown\r\n" {
		t.Fatalf("got %q", line)
	}
	s.refuseWG.Wait()
	if len(s.sessions()) != 0 {
		t.Fatal("session started during shutdown")
	}
}

func TestPidFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.pid")
	if err := WritePidFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Fatalf("pid file %q", b)
	}
	// A live other process: refuse. Use our parent, which is running.
	os.WriteFile(path, []byte(strconv.Itoa(os.Getppid())+"\n"), 0o644)
	if err := WritePidFile(path); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("live pid not refused: %v", err)
	}
	// A stale pid: replaced.
	os.WriteFile(path, []byte("999999999\n"), 0o644)
	if err := WritePidFile(path); err != nil {
		t.Fatalf("stale pid file not replaced: %v", err)
	}
	if err := RemovePidFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("pid file not removed")
	}
	// Someone else's pid file is left alone.
	os.WriteFile(path, []byte("1\n"), 0o644)
	RemovePidFile(path)
	if _, err := os.Stat(path); err != nil {
		t.Fatal("removed a pid file of another process")
	}
}

// TestRunProcess runs Run in a child process (this test binary) and drives
// it with real signals: SIGHUP reloads, SIGTERM drains and exits 0; the pid
// file and sockets are created after binding and removed at exit. As root
// the child also drops privileges to nobody/nogroup.
func TestRunProcess(t *testing.T) {
	if os.Getenv("DBMAIL_SERVER_RUN_CHILD") != "" {
		runChild()
		return
	}
	t.Parallel()
	dir := t.TempDir()
	// As root the child drops to nobody, which must reach and write dir.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunProcess$")
	cmd.Env = append(os.Environ(), "DBMAIL_SERVER_RUN_CHILD="+dir, "DBMAIL_SERVER_RUN_PORT="+strconv.Itoa(port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pidPath := filepath.Join(dir, "dbmail-echo.pid")
	statePath := filepath.Join(dir, "dbmail-echo.state")
	waitFor(t, func() bool { _, err := os.Stat(statePath); return err == nil })
	b, err := os.ReadFile(pidPath)
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("pid file %q %v, child %d", b, err, cmd.Process.Pid)
	}
	nc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(nc)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The child's Reload hook prints "reloaded" on stdout.
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil || line != "reloaded\n" {
		t.Fatalf("child said %q %v", line, err)
	}
	c.send("still open\r\n")
	if err := c.expect("still open"); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		st, _ := os.Stat(pidPath)
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 65534 {
			t.Errorf("pid file owned by uid %d: privileges not dropped", uid)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.expect("* BYE shutdown"); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v", err)
	}
	for _, p := range []string{pidPath, statePath} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
}

func runChild() {
	dir := os.Getenv("DBMAIL_SERVER_RUN_CHILD")
	port, _ := strconv.Atoi(os.Getenv("DBMAIL_SERVER_RUN_PORT"))
	cfg := Defaults("dbmail-echo", port)
	cfg.PidDirectory = dir
	cfg.ShutdownGrace = 2 * time.Second
	if os.Geteuid() == 0 {
		cfg.EffectiveUser, cfg.EffectiveGroup = "nobody", "nogroup"
	}
	opts := Options{
		Logger: discard(),
		Reload: func() (Config, error) {
			fmt.Println("reloaded")
			return cfg, nil
		},
	}
	if err := Run(context.Background(), cfg, newEchoProto(), opts); err != nil {
		fmt.Fprintln(os.Stderr, "Run:", err)
		os.Exit(3)
	}
	os.Exit(0)
}
