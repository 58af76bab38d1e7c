package server

import (
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
	d := time.Until(deadline)
	if c.timer == nil {
		c.timer = time.AfterFunc(d, c.kick)
	} else {
		c.timer.Reset(d)
	}
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

// stopTimer stops the idle timer of a parked life (the timer would keep the
// closed connection reachable until it fired).
func (c *Conn) stopTimer() {
	if c.timer != nil {
		c.timer.Stop()
	}
}
