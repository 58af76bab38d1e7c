package server

import (
	"container/heap"
	"sync"
	"time"
)

// Parking (README.md, "Goroutine model"): a plain-text connection on Linux
// that waits for input with nothing else to do registers its socket in the
// server's epoll set, arms a timer for its idle deadline and lets its
// goroutine end. Whoever wants it running again — the poller (input, end of
// stream), the timer, or Wake/Close/shutdown/reload from another goroutine —
// calls kick, which starts a fresh goroutine for it. park is the only
// place that gives the connection up; kick the only place that resumes it.

// Park states of a connection (Conn.park).
const (
	parkRunning uint32 = iota // a goroutine owns the connection
	parkParked                // no goroutine; kick resumes it
	parkKicked                // running, and a kick arrived: do not park on the current look
)

// parkable reports whether the connection waits for input by parking:
// readiness through the socket probe (not TLS, whose buffered input the
// socket cannot show), a poller on this platform, and not served on a
// caller's goroutine (ServeConn).
func (c *Conn) parkable() bool { return canPark && c.raw != nil && !c.noPark }

// park gives the connection up until kick: the socket is armed in the
// poller (one-shot: readable, end of stream, error), the idle timer set for
// deadline, and the state switched to parked. It returns false, keeping the
// connection, when a kick arrived since the last park (a flag, input or
// the timer may be waiting: look again) or arming failed (the connection
// then waits inside Read from now on). After true the caller must not touch
// the connection: another goroutine may already run it.
func (c *Conn) park(deadline time.Time) bool {
	if err := c.arm(); err != nil {
		c.Logger().Warn("cannot park idle connection; waiting on its goroutine", "err", err)
		c.noPark = true
		return false
	}
	c.srv.parkTimers.set(c, deadline.UnixNano())
	c.timed = true
	if c.parkState.CompareAndSwap(parkRunning, parkParked) {
		return true
	}
	c.parkState.Store(parkRunning) // consume the kick; the loop looks again
	return false
}

// kick resumes a parked connection on a new goroutine, or tells a running
// one not to park on what it has seen so far. Safe from any goroutine; it
// never blocks.
func (c *Conn) kick() {
	for {
		switch c.parkState.Load() {
		case parkParked:
			if c.parkState.CompareAndSwap(parkParked, parkRunning) {
				go c.resume()
				return
			}
		case parkRunning:
			if c.parkState.CompareAndSwap(parkRunning, parkKicked) {
				return
			}
		default:
			return // already kicked
		}
	}
}

// resume runs a kicked connection until it parks again or closes.
func (c *Conn) resume() {
	reason, parked := c.resumeLoop()
	if !parked {
		c.finish(reason)
	}
}

func (c *Conn) resumeLoop() (reason CloseReason, parked bool) {
	defer c.recoverPanic(&reason)
	return c.loop()
}

// stopTimer takes a closing connection out of the idle timers (they would
// keep it reachable until its deadline).
func (c *Conn) stopTimer() {
	if c.timed {
		c.srv.parkTimers.remove(c)
	}
}

// parkTimers fires the idle deadlines of parked connections from one
// runtime timer set to the earliest of them: no timer per connection and
// no periodic wake-up. Connections stay in the heap while they run (their
// entry is moved when they park again, removed when they close); a kick at
// an outdated deadline only makes the connection look again.
type parkTimers struct {
	mu    sync.Mutex
	h     timerHeap
	timer *time.Timer
	next  int64 // unix nanoseconds the timer is set for; 0: not set
}

// set (re)places c's entry at due (unix nanoseconds).
func (t *parkTimers) set(c *Conn, due int64) {
	t.mu.Lock()
	c.parkDue = due
	if c.parkIdx >= 0 {
		heap.Fix(&t.h, c.parkIdx)
	} else {
		heap.Push(&t.h, c)
	}
	t.rearm()
	t.mu.Unlock()
}

// remove takes c's entry out, if it has one.
func (t *parkTimers) remove(c *Conn) {
	t.mu.Lock()
	if c.parkIdx >= 0 {
		heap.Remove(&t.h, c.parkIdx)
	}
	t.mu.Unlock()
}

// rearm sets the timer for the earliest entry unless it already fires
// before it; t.mu held.
func (t *parkTimers) rearm() {
	if len(t.h) == 0 {
		return
	}
	due := t.h[0].parkDue
	if t.next != 0 && t.next <= due {
		return
	}
	t.next = due
	d := time.Duration(due - time.Now().UnixNano())
	if t.timer == nil {
		t.timer = time.AfterFunc(d, t.fire)
	} else {
		t.timer.Reset(d)
	}
}

// fire kicks every connection whose deadline has come.
func (t *parkTimers) fire() {
	now := time.Now().UnixNano()
	var due []*Conn
	t.mu.Lock()
	t.next = 0
	for len(t.h) > 0 && t.h[0].parkDue <= now {
		due = append(due, heap.Pop(&t.h).(*Conn))
	}
	t.rearm()
	t.mu.Unlock()
	for _, c := range due {
		c.kick()
	}
}

// stop ends the timer (server shutdown, no connection left).
func (t *parkTimers) stop() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
	}
	t.next = 0
	t.mu.Unlock()
}

// timerHeap is a min-heap of connections by parkDue (container/heap).
type timerHeap []*Conn

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].parkDue < h[j].parkDue }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].parkIdx, h[j].parkIdx = i, j
}

func (h *timerHeap) Push(x any) {
	c := x.(*Conn)
	c.parkIdx = len(*h)
	*h = append(*h, c)
}

func (h *timerHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.parkIdx = -1
	return c
}
