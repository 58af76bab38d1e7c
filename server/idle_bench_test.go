package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// idleConns is how many idle connections the memory benchmark holds.
const idleConns = 10000

// BenchmarkIdleConnections opens 10,000 connections to the echo protocol
// from a child process (so client sockets do not count here), waits until
// every session has greeted and gone idle, and reports the server's heap
// and goroutine-stack bytes per connection from runtime.MemStats.
// Run: go test -run '^$' -bench IdleConnections -benchtime 1x ./server/
func BenchmarkIdleConnections(b *testing.B) {
	for _, useTLS := range []bool{false, true} {
		name := "plain"
		if useTLS {
			name = "tls"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				heap, stack := measureIdle(b, useTLS)
				b.ReportMetric(float64(heap)/idleConns, "heap-B/conn")
				b.ReportMetric(float64(stack)/idleConns, "stack-B/conn")
				b.ReportMetric(float64(heap+stack)/idleConns, "B/conn")
			}
		})
	}
}

func measureIdle(b *testing.B, useTLS bool) (heap, stack int64) {
	cfg := testConfig(b)
	cfg.LoginTimeout = time.Hour
	kind, caFile := kindPlain, ""
	if useTLS {
		kind = kindTLS
		cfg.TLS.CertFile, cfg.TLS.KeyFile, _ = writeCert(b, b.TempDir(), "idle", 9)
		caFile = cfg.TLS.CertFile
	}
	p := newEchoProto()
	p.closed = make(chan closeEvent, idleConns+10)
	s, err := New(cfg, p, Options{Logger: discard(), ParkAfter: -1})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := listenTCP("127.0.0.1", 0, 4096, false)
	if err != nil {
		b.Fatal(err)
	}
	s.listeners = append(s.listeners, boundListener{ln: ln, kind: kind})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { defer close(served); _ = s.Serve(ctx) }()
	defer func() { cancel(); <-served }()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsChild$")
	cmd.Env = append(os.Environ(), "DBMAIL_IDLE_ADDR="+ln.Addr().String(), "DBMAIL_IDLE_N="+strconv.Itoa(idleConns), "DBMAIL_IDLE_CA="+caFile)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		b.Fatalf("child: %q %v", line, err)
	}
	deadline := time.Now().Add(time.Minute)
	for len(s.sessions()) < idleConns {
		if time.Now().After(deadline) {
			b.Fatalf("only %d sessions", len(s.sessions()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let every session reach its idle wait
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	stack = int64(after.StackInuse) - int64(before.StackInuse)
	b.Logf("sessions %d heap %+d B stack %+d B goroutines %d sys %+d B", len(s.sessions()), heap, stack,
		runtime.NumGoroutine(), int64(after.Sys)-int64(before.Sys))
	return heap, stack
}

// TestIdleClientsChild is the client side of BenchmarkIdleConnections when
// run as a child process; otherwise it does nothing.
func TestIdleClientsChild(t *testing.T) {
	addr := os.Getenv("DBMAIL_IDLE_ADDR")
	if addr == "" {
		t.Skip("helper process for BenchmarkIdleConnections")
	}
	n, _ := strconv.Atoi(os.Getenv("DBMAIL_IDLE_N"))
	var tcfg *tls.Config
	if ca := os.Getenv("DBMAIL_IDLE_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tcfg = tlsClientConfig(pool)
	}
	conns := make([]net.Conn, 0, n)
	greeting := make([]byte, len("* OK echo ready\r\n"))
	for i := range n {
		var c net.Conn
		var err error
		if tcfg != nil {
			c, err = tls.Dial("tcp", addr, tcfg)
		} else {
			c, err = net.Dial("tcp", addr)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "dial %d: %v\n", i, err)
			os.Exit(2)
		}
		if _, err := io.ReadFull(c, greeting); err != nil {
			fmt.Fprintf(os.Stderr, "greeting %d: %v\n", i, err)
			os.Exit(2)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // hold the connections until the parent is done
	for _, c := range conns {
		c.Close()
	}
	os.Exit(0)
}
