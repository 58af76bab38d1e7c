//go:build linux

package server

import (
	"bytes"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitParked waits until c has given up its goroutine.
func waitParked(t *testing.T, c *Conn) {
	t.Helper()
	end := time.Now().Add(5 * time.Second)
	for c.parkState.Load() != parkParked {
		if time.Now().After(end) {
			t.Fatalf("connection %d did not park (state %d)", c.id, c.parkState.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// loopGoroutines counts goroutines running a connection's loop.
func loopGoroutines() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return bytes.Count(buf[:n], []byte("server.(*Conn).loop("))
}

// A plain-text connection waiting for input holds no goroutine; input,
// Wake and the state dump work on it as on a running one.
func TestParkIdleConnection(t *testing.T) {
	for _, kind := range []string{kindPlain, kindUnix} {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.LoginTimeout = time.Hour
			ts := startServer(t, cfg, Options{ParkAfter: -1}, kind)
			cl := ts.dial(t, kind)
			c := ts.conn(t)
			waitParked(t, c)
			if n := loopGoroutines(); n != 0 {
				t.Fatalf("%d goroutines in Conn.loop with the only connection parked", n)
			}
			if err := cl.send("hello\r\n"); err != nil {
				t.Fatal(err)
			}
			if err := cl.expect("hello"); err != nil {
				t.Fatal(err)
			}
			waitParked(t, c)
			c.Wake()
			if err := cl.expect("* WAKE"); err != nil {
				t.Fatal(err)
			}
			waitParked(t, c)
			// The dump lists a parked session with its idle time.
			c.lastActive.Store(time.Now().Add(-42 * time.Second).UnixNano())
			var b bytes.Buffer
			if err := ts.WriteState(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), fmt.Sprintf("session id=%d ", c.id)) || !strings.Contains(b.String(), " idle=42 ") {
				t.Fatalf("dump does not list the parked session idle 42 s:\n%s", b.String())
			}
			if c.parkState.Load() != parkParked {
				t.Fatal("the dump resumed the parked connection")
			}
			if n := ts.proto.overlaps.Load(); n != 0 {
				t.Fatalf("%d overlapping callbacks", n)
			}
		})
	}
}

// Wake from many goroutines racing with input and with the connection
// parking: every line is echoed in order, no wake-up is lost (one after
// the last Wake always arrives), and callbacks never overlap.
func TestParkWakeRace(t *testing.T) {
	const lines = 500
	cfg := testConfig(t)
	cfg.Limits.MaxPipeline = lines // lines may arrive in one read
	ts := startServer(t, cfg, Options{ParkAfter: -1}, kindPlain)
	cl := ts.dial(t, kindPlain)
	c := ts.conn(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c.Wake()
				runtime.Gosched()
			}
		}()
	}
	go func() {
		for i := range lines {
			if err := cl.send(fmt.Sprintf("line %d\r\n", i)); err != nil {
				return
			}
			if i%50 == 0 {
				time.Sleep(time.Millisecond) // let it park now and then
			}
		}
	}()
	next := 0
	for next < lines {
		l, err := cl.readLine()
		if err != nil {
			t.Fatalf("after line %d: %v", next, err)
		}
		switch l {
		case "* WAKE":
		case fmt.Sprintf("line %d", next):
			next++
		default:
			t.Fatalf("got %q, want line %d or a wake-up", l, next)
		}
	}
	close(stop)
	wg.Wait()
	// Drain the wake-ups in flight, then one more Wake must come through.
	waitParked(t, c)
	_ = cl.conn.(net.Conn).SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	for {
		if _, err := cl.readLine(); err != nil {
			break
		}
	}
	cl.r.Reset(cl.conn)
	_ = cl.conn.(net.Conn).SetReadDeadline(time.Now().Add(5 * time.Second))
	c.Wake()
	if err := cl.expect("* WAKE"); err != nil {
		t.Fatal(err)
	}
	if n := ts.proto.overlaps.Load(); n != 0 {
		t.Fatalf("%d overlapping callbacks", n)
	}
}

// A parked connection closes when another goroutine closes it and when the
// client hangs up.
func TestParkCloseAndHangup(t *testing.T) {
	cfg := testConfig(t)
	cfg.LoginTimeout = time.Hour
	ts := startServer(t, cfg, Options{ParkAfter: -1}, kindPlain)

	cl := ts.dial(t, kindPlain)
	c := ts.conn(t)
	waitParked(t, c)
	c.Close(CloseTooManyErrors)
	ev, err := ts.proto.waitClose(5 * time.Second)
	if err != nil || ev.reason != CloseTooManyErrors {
		t.Fatalf("close of a parked connection: %v %v", ev.reason, err)
	}
	if _, err := cl.readLine(); err == nil {
		t.Fatal("client still connected")
	}

	cl = ts.dial(t, kindPlain)
	waitParked(t, ts.conn(t))
	cl.conn.Close()
	ev, err = ts.proto.waitClose(5 * time.Second)
	if err != nil || ev.reason != CloseEOF {
		t.Fatalf("hang-up of a parked connection: %v %v", ev.reason, err)
	}
}

// Parked connections time out at their own deadlines, kept by one shared
// timer: connections opened one after another close in the same order.
func TestParkIdleTimeouts(t *testing.T) {
	cfg := testConfig(t)
	cfg.LoginTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg, Options{ParkAfter: -1}, kindPlain)
	var ids []uint64
	var cls []*client
	for range 5 {
		cls = append(cls, ts.dial(t, kindPlain))
		ids = append(ids, ts.conn(t).id)
		time.Sleep(30 * time.Millisecond)
	}
	for i, id := range ids {
		ev, err := ts.proto.waitClose(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ev.id != id || ev.reason != CloseLoginTimeout {
			t.Fatalf("close %d: session %d %v, want session %d login-timeout", i, ev.id, ev.reason, id)
		}
		if err := cls[i].expect("* BYE timeout"); err != nil {
			t.Fatal(err)
		}
	}
	ts.parkTimers.mu.Lock()
	left := len(ts.parkTimers.h)
	ts.parkTimers.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d closed connections still in the timer heap", left)
	}
}

// Shutdown resumes parked connections for their goodbye and stops the
// poller goroutine.
func TestParkShutdown(t *testing.T) {
	cfg := testConfig(t)
	cfg.LoginTimeout = time.Hour
	ts := startServer(t, cfg, Options{ParkAfter: -1}, kindPlain)
	var cls []*client
	for range 3 {
		cls = append(cls, ts.dial(t, kindPlain))
		waitParked(t, ts.conn(t))
	}
	ts.stop()
	for _, cl := range cls {
		if err := cl.expect("* BYE shutdown"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-ts.poll.done:
	default:
		t.Fatal("poller goroutine still running after shutdown")
	}
}

// A connection parks only after Options.ParkAfter without input: a client
// sending a command every few milliseconds keeps its goroutine (no epoll
// arming and no new goroutine per command); once it stops, the connection
// parks, and it still answers afterwards.
func TestParkAfterIdle(t *testing.T) {
	cfg := testConfig(t)
	cfg.LoginTimeout = time.Hour
	const after = 300 * time.Millisecond
	ts := startServer(t, cfg, Options{ParkAfter: after}, kindPlain)
	cl := ts.dial(t, kindPlain)
	c := ts.conn(t)
	for i := 0; i < 20; i++ {
		if err := cl.send(fmt.Sprintf("busy %d\r\n", i)); err != nil {
			t.Fatal(err)
		}
		if err := cl.expect(fmt.Sprintf("busy %d", i)); err != nil {
			t.Fatal(err)
		}
		if st := c.parkState.Load(); st == parkParked {
			t.Fatalf("parked after command %d of a busy client", i)
		}
		if n := loopGoroutines(); n != 1 {
			t.Fatalf("%d goroutines in Conn.loop for one busy connection", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	waitParked(t, c)
	if waited := time.Since(start); waited < after/2 {
		t.Fatalf("parked %v after the last command, ParkAfter is %v", waited, after)
	}
	if err := cl.send("again\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := cl.expect("again"); err != nil {
		t.Fatal(err)
	}
}
