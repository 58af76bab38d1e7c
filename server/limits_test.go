package server

import (
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestConnLimiter(t *testing.T) {
	t.Parallel()
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	lim := Limits{MaxConnections: 3, MaxPerIP: 2}
	l := newConnLimiter()
	steps := []struct {
		ip   netip.Addr
		want CloseReason
	}{
		{a, CloseNone}, {a, CloseNone}, {a, CloseTooManyFromIP}, {b, CloseNone}, {b, CloseTooManyConnections}, {netip.Addr{}, CloseTooManyConnections},
	}
	for i, s := range steps {
		if got := l.acquire(s.ip, lim); got != s.want {
			t.Fatalf("step %d: acquire(%v) = %s, want %s", i, s.ip, got, s.want)
		}
	}
	l.release(a)
	if got := l.acquire(netip.Addr{}, lim); got != CloseNone {
		t.Fatalf("after release: %s", got)
	}
	if total, fromA := l.counts(a); total != 3 || fromA != 1 {
		t.Fatalf("counts = %d, %d; want 3, 1", total, fromA)
	}
}

func TestLoginTracker(t *testing.T) {
	t.Parallel()
	ip := netip.MustParseAddr("192.0.2.7")
	lim := Limits{MaxLoginFailures: 3, LoginFailWindow: time.Minute, LoginFailDelay: 100 * time.Millisecond}
	tr := newLoginTracker()
	now := time.Unix(1000, 0)
	wantDelay := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	for i, w := range wantDelay {
		d, locked := tr.failed(ip, now, lim)
		if d != w || locked != (i == 2) {
			t.Fatalf("failure %d: delay %v locked %v", i+1, d, locked)
		}
	}
	if !tr.lockedOut(ip, now.Add(59*time.Second), lim) {
		t.Fatal("not locked inside the window")
	}
	if tr.lockedOut(ip, now.Add(61*time.Second), lim) {
		t.Fatal("still locked after the window")
	}
	if d, _ := tr.failed(ip, now.Add(2*time.Minute), lim); d != 100*time.Millisecond {
		t.Fatalf("count not reset after window: delay %v", d)
	}
	tr.succeeded(ip)
	if tr.size() != 0 {
		t.Fatal("success did not forget the address")
	}
	// The delay growth is capped.
	for range 40 {
		tr.failed(ip, now, Limits{LoginFailDelay: time.Millisecond, LoginFailWindow: time.Hour})
	}
	if d, _ := tr.failed(ip, now, Limits{LoginFailDelay: time.Millisecond, LoginFailWindow: time.Hour}); d != maxDelaySteps*time.Millisecond {
		t.Fatalf("delay not capped: %v", d)
	}
}

func TestLoginTrackerSweep(t *testing.T) {
	t.Parallel()
	tr := newLoginTracker()
	lim := Limits{MaxLoginFailures: 5, LoginFailWindow: time.Second}
	now := time.Unix(0, 0)
	for i := range sweepAt {
		tr.failed(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), now, lim)
	}
	tr.failed(netip.MustParseAddr("10.9.9.9"), now.Add(2*time.Second), lim)
	if n := tr.size(); n != 1 {
		t.Fatalf("expired entries not swept: %d left", n)
	}
}

func TestMaxConnections(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxConnections = 2
	ts := startServer(t, cfg, Options{}, kindPlain)
	c1 := ts.dial(t, kindPlain)
	ts.dial(t, kindPlain)
	nc, err := net.Dial("tcp", ts.addr(kindPlain))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c3 := newClient(nc)
	if err := c3.expect("* BYE too-many-connections"); err != nil {
		t.Fatal(err)
	}
	if _, err := c3.readLine(); err == nil {
		t.Fatal("refused connection left open")
	}
	c1.send("QUIT\r\n")
	c1.expect("BYE")
	ts.expectClose(t, CloseClientQuit)
	ts.dial(t, kindPlain) // a slot is free again
}

func TestMaxPerIP(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxPerIP = 1
	ts := startServer(t, cfg, Options{}, kindPlain)
	ts.dial(t, kindPlain)
	nc, err := net.Dial("tcp", ts.addr(kindPlain))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := newClient(nc).expect("* BYE too-many-from-ip"); err != nil {
		t.Fatal(err)
	}
	// Another source address is still welcome (Linux routes all of 127/8 to lo).
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	nc2, err := d.Dial("tcp", ts.addr(kindPlain))
	if err != nil {
		t.Skipf("cannot use 127.0.0.2 as source: %v", err)
	}
	defer nc2.Close()
	if err := newClient(nc2).expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
}

func TestLineTooLong(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxLineLength = 1024
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	ok := strings.Repeat("a", 1024)
	c.send(ok + "\r\n")
	if err := c.expect(ok); err != nil {
		t.Fatal(err)
	}
	c.send(strings.Repeat("b", 1025)) // no newline yet: the carry-over is checked
	if err := c.expect("BAD line too long"); err != nil {
		t.Fatal(err)
	}
	ts.expectClose(t, CloseLineTooLong)
}

func TestPipelineDepth(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxPipeline = 3
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("a\r\nb\r\nc\r\n")
	if err := c.expect("a", "b", "c"); err != nil {
		t.Fatal(err)
	}
	if n := ts.conn(t).Pipelined(); n != 0 {
		t.Fatalf("pipelined after responses: %d", n)
	}
	c.send("a\r\nb\r\nc\r\nd\r\n")
	if err := c.expect("NO too deep"); err != nil {
		t.Fatal(err)
	}
	ts.expectClose(t, ClosePipelineTooDeep)
}

func TestLoginFailuresDelayAndLockout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxLoginFailures = 3
	cfg.Limits.LoginFailDelay = 50 * time.Millisecond
	cfg.Limits.LoginFailWindow = time.Minute
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	for i := 1; i <= 3; i++ {
		start := time.Now()
		c.send("LOGIN bob wrong\r\n")
		if err := c.expect("NO bad"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < time.Duration(i)*50*time.Millisecond {
			t.Fatalf("failure %d answered after %v, before its delay", i, d)
		}
	}
	ts.expectClose(t, CloseLoginLockout)
	c2 := ts.dial(t, kindPlain)
	c2.send("LOGIN bob ok\r\n")
	if err := c2.expect("NO locked"); err != nil {
		t.Fatal(err)
	}
}

func TestLoginSuccessClearsFailures(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Limits.MaxLoginFailures = 2
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("LOGIN bob wrong\r\nLOGIN bob ok\r\n")
	if err := c.expect("NO bad", "OK"); err != nil {
		t.Fatal(err)
	}
	if ts.fails.size() != 0 {
		t.Fatal("failures kept after a successful login")
	}
	if !ts.conn(t).Authenticated() {
		t.Fatal("not authenticated")
	}
}

func TestLoginTimeout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.LoginTimeout = 150 * time.Millisecond
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	if err := c.expect("* BYE timeout"); err != nil {
		t.Fatal(err)
	}
	ts.expectClose(t, CloseLoginTimeout)
}

func TestIdleTimeoutAfterLogin(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.LoginTimeout = 150 * time.Millisecond
	cfg.Timeout = 400 * time.Millisecond
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("LOGIN bob ok\r\n")
	if err := c.expect("OK"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.expect("* BYE timeout"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("timed out after %v: login_timeout used after authentication", d)
	}
	ts.expectClose(t, CloseTimeout)
}

func TestActivityResetsTimeout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.LoginTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	for i := range 4 {
		time.Sleep(150 * time.Millisecond)
		c.send("ping\r\n")
		if err := c.expect("ping"); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
}

func TestSlowConsumer(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.WriteTimeout = 200 * time.Millisecond
	cfg.Limits.MaxOutbound = 16 << 10
	ts := startServer(t, cfg, Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	// Ask for far more than socket buffers hold, and never read it.
	c.send("BIG 268435456\r\n")
	ts.expectClose(t, CloseSlowConsumer)
}

func TestWake(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	conn := ts.conn(t)
	go conn.Wake()
	if err := c.expect("* WAKE"); err != nil {
		t.Fatal(err)
	}
	// Wake-ups that arrive before the loop handles them coalesce (one or
	// two OnWake for two Wake calls), and the connection keeps working.
	conn.Wake()
	conn.Wake()
	c.send("still here\r\n")
	wakes, echoed := 0, false
	for wakes < 1 || !echoed {
		l, err := c.readLine()
		if err != nil {
			t.Fatal(err)
		}
		switch l {
		case "still here":
			echoed = true
		case "* WAKE":
			wakes++
		default:
			t.Fatalf("unexpected %q", l)
		}
	}
	c.send("sync\r\n")
	for {
		l, err := c.readLine()
		if err != nil {
			t.Fatal(err)
		}
		if l == "sync" {
			break
		}
		if l != "* WAKE" {
			t.Fatalf("unexpected %q", l)
		}
		wakes++
	}
	if wakes > 2 {
		t.Fatalf("%d wake-ups for two Wake calls", wakes)
	}
}

func TestCloseFromOtherGoroutine(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	go ts.conn(t).Close(CloseTooManyErrors)
	if _, err := c.readLine(); err == nil {
		t.Fatal("connection open after Close")
	}
	ts.expectClose(t, CloseTooManyErrors)
}

func TestUseTimeoutWithoutUser(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.LoginTimeout = 100 * time.Millisecond
	cfg.Timeout = time.Hour
	s, err := New(cfg, newEchoProto(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	srv, cli := net.Pipe()
	defer cli.Close()
	defer srv.Close()
	c := newConn(s, srv, kindPlain, 1, time.Now())
	before := c.deadline()
	c.UseTimeout()
	if after := c.deadline(); after.Sub(before) != time.Hour-100*time.Millisecond {
		t.Fatalf("deadline moved by %v", after.Sub(before))
	}
	if !c.Authenticated() || c.Snapshot(time.Now()).User != "" {
		t.Fatal("UseTimeout must not set a user")
	}
}

// panicProto panics in its callbacks; the server must survive.
type panicProto struct{ closed chan CloseReason }

func (p panicProto) NewSession(c *Conn) Session    { return panicSession{p} }
func (p panicProto) Refuse(io.Writer, CloseReason) {}

type panicSession struct{ p panicProto }

func (panicSession) Greet() error            { return nil }
func (panicSession) OnData([]byte) error     { panic("handler bug") }
func (panicSession) OnWake() error           { return nil }
func (panicSession) OnTimeout()              {}
func (panicSession) OnShutdown()             {}
func (s panicSession) OnClose(r CloseReason) { s.p.closed <- r; panic("close bug") }

func TestPanicInSessionIsContained(t *testing.T) {
	t.Parallel()
	p := panicProto{closed: make(chan CloseReason, 1)}
	s, err := New(testConfig(t), p, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	srv, cli := net.Pipe()
	defer cli.Close()
	done := make(chan CloseReason, 1)
	go func() { done <- s.ServeConn(srv) }()
	cli.Write([]byte("boom\r\n"))
	if r := <-done; r != CloseProtocolError {
		t.Fatalf("reason %s", r)
	}
	if r := <-p.closed; r != CloseProtocolError {
		t.Fatalf("OnClose reason %s", r)
	}
}
