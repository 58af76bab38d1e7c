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
	c.srv.parkTimers.set(&c.parkT, deadline.UnixNano())
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

// stopTimer takes a closing connection out of the server's timers (they
// would keep it reachable until its deadline).
func (c *Conn) stopTimer() {
	c.srv.parkTimers.remove(&c.parkT)
	c.srv.wakeTimers.remove(&c.wakeT)
}

// connTimers fires per-connection deadlines (parked connections' idle
// deadlines; WakeAt) from one runtime timer set to the earliest of them:
// no timer per connection and no periodic wake-up. An entry stays in the
// heap until its time comes, it is moved, or the connection closes; the
// action on an outdated deadline must be harmless (a kick only makes the
// connection look again).
type connTimers struct {
	mu    sync.Mutex
	h     timerHeap
	timer *time.Timer
	next  int64 // unix nanoseconds the timer is set for; 0: not set
	fire  func(c *Conn)
}

// timerEntry is a connection's place in one connTimers; guarded by its mu.
type timerEntry struct {
	c   *Conn
	due int64 // unix nanoseconds
	idx int   // index in the heap; -1 when not in it
}

// set (re)places e at due (unix nanoseconds).
func (t *connTimers) set(e *timerEntry, due int64) {
	t.mu.Lock()
	e.due = due
	if e.idx >= 0 {
		heap.Fix(&t.h, e.idx)
	} else {
		heap.Push(&t.h, e)
	}
	t.rearm()
	t.mu.Unlock()
}

// remove takes e out, if it is in.
func (t *connTimers) remove(e *timerEntry) {
	t.mu.Lock()
	if e.idx >= 0 {
		heap.Remove(&t.h, e.idx)
	}
	t.mu.Unlock()
}

// rearm sets the timer for the earliest entry unless it already fires
// before it; t.mu held.
func (t *connTimers) rearm() {
	if len(t.h) == 0 {
		return
	}
	due := t.h[0].due
	if t.next != 0 && t.next <= due {
		return
	}
	t.next = due
	d := time.Duration(due - time.Now().UnixNano())
	if t.timer == nil {
		t.timer = time.AfterFunc(d, t.expire)
	} else {
		t.timer.Reset(d)
	}
}

// expire runs the action of every entry whose time has come.
func (t *connTimers) expire() {
	now := time.Now().UnixNano()
	var due []*Conn
	t.mu.Lock()
	t.next = 0
	for len(t.h) > 0 && t.h[0].due <= now {
		due = append(due, heap.Pop(&t.h).(*timerEntry).c)
	}
	t.rearm()
	t.mu.Unlock()
	for _, c := range due {
		t.fire(c)
	}
}

// stop ends the timer (server shutdown, no connection left).
func (t *connTimers) stop() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
	}
	t.next = 0
	t.mu.Unlock()
}

// timerHeap is a min-heap of entries by due (container/heap).
type timerHeap []*timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}

func (h *timerHeap) Push(x any) {
	e := x.(*timerEntry)
	e.idx = len(*h)
	*h = append(*h, e)
}

func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.idx = -1
	return e
}
