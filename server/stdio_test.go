package server

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestServeConnPipe(t *testing.T) {
	t.Parallel()
	s, err := New(testConfig(t), newEchoProto(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	srv, cli := net.Pipe()
	defer cli.Close()
	done := make(chan CloseReason, 1)
	go func() { done <- s.ServeConn(srv) }()
	c := newClient(cli)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	c.send("one\r\nQUIT\r\n")
	if err := c.expect("one", "BYE"); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r != CloseClientQuit {
		t.Fatalf("reason %s", r)
	}
	if n := len(s.sessions()); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
}

// TestPipeConnTimeout runs a session over a pair of OS pipes, as inetd mode
// does when standard input is not a socket: non-blocking pipes support the
// idle deadline.
func TestPipeConnTimeout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.LoginTimeout = 200 * time.Millisecond
	p := newEchoProto()
	s, err := New(cfg, p, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	// Non-blocking descriptors, as stdioConn makes them, so that the
	// runtime poller (and with it the deadlines) can use them.
	var in, out [2]int
	if err := syscall.Pipe2(in[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Pipe2(out[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, inW := os.NewFile(uintptr(in[0]), "in"), os.NewFile(uintptr(in[1]), "in-w")
	outR, w := os.NewFile(uintptr(out[0]), "out-r"), os.NewFile(uintptr(out[1]), "out")
	defer inW.Close()
	defer outR.Close()
	done := make(chan CloseReason, 1)
	go func() { done <- s.ServeConn(newPipeConn(r, w)) }()
	cl := newClient(rw{outR, inW})
	if err := cl.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	cl.send("over pipes\r\n")
	if err := cl.expect("over pipes", "* BYE timeout"); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r != CloseLoginTimeout {
		t.Fatalf("reason %s", r)
	}
}

type rw struct{ r, w *os.File }

func (x rw) Read(b []byte) (int, error)  { return x.r.Read(b) }
func (x rw) Write(b []byte) (int, error) { return x.w.Write(b) }
func (x rw) Close() error                { x.r.Close(); return x.w.Close() }
