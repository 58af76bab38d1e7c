package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

// serve drives the connection until it closes or parks (README.md,
// "Goroutine model"). At any time at most one goroutine reads, writes, or
// calls the Session: this one, or after parking the one kick started.
func (c *Conn) serve() {
	reason, parked := c.start()
	if !parked {
		c.finish(reason)
	}
}

// run serves the connection on the calling goroutine until it closes
// (ServeConn: no parking).
func (c *Conn) run() CloseReason {
	c.noPark = true
	reason, _ := c.start()
	return reason
}

// start greets (after the TLS handshake of an implicit-TLS listener) and
// runs the loop.
func (c *Conn) start() (reason CloseReason, parked bool) {
	defer c.recoverPanic(&reason)
	if c.kind == kindTLS {
		if r := c.handshake(); r != CloseNone {
			return r, false
		}
	}
	c.sess = c.srv.proto.NewSession(c)
	if err := c.sess.Greet(); err != nil {
		_ = c.Flush()
		return c.errReason(err, CloseServiceUnavailable), false
	}
	if r := c.afterCallback(); r != CloseNone {
		return r, false
	}
	return c.loop()
}

// recoverPanic, deferred, turns a panic in a session callback into a
// protocol-error close.
func (c *Conn) recoverPanic(reason *CloseReason) {
	if p := recover(); p != nil {
		c.Logger().Error("panic in session", "panic", p, "stack", string(debug.Stack()))
		*reason = CloseProtocolError
	}
}

// loop handles flags and input until the connection closes (parked false)
// or parks (parked true: the goroutine must end without touching c).
func (c *Conn) loop() (reason CloseReason, parked bool) {
	// A connection parks only after waiting parkAfter for input on this
	// goroutine (idle): parking and resuming for every command of a busy
	// client would cost an epoll arming and a new goroutine each time.
	parkAfter := c.srv.parkAfter()
	idle := parkAfter < 0
	for {
		if r := c.handleFlags(); r != CloseNone {
			return r, false
		}
		canPark := c.parkable()
		park := canPark && idle
		deadline := c.deadline()
		switch {
		case park:
			_ = c.sock.SetReadDeadline(time.Time{}) // the timer keeps the deadline
		case canPark:
			_ = c.sock.SetReadDeadline(earliest(deadline, time.Now().Add(parkAfter)))
		default:
			_ = c.sock.SetReadDeadline(deadline)
		}
		if c.flags.Load() != 0 || c.closeReq.Load() != 0 {
			continue // raced with Wake/Close: handle before waiting
		}
		var r CloseReason
		again := true
		switch tc, isTLS := c.nc.(*tls.Conn); {
		case park:
			// Nothing to read: give the goroutine up (the idle cost of a
			// connection is then its heap only).
			ready, err := c.pollNow()
			switch {
			case err != nil:
				r, again = c.readFailed(err)
			case ready:
				idle = parkAfter < 0
				r, again = c.readOnce()
			case !time.Now().Before(deadline):
				r, again = c.timedOut(), false
			case c.park(deadline):
				return CloseNone, true
			}
		case c.raw != nil:
			// Wait for input holding no buffer (idle connections cost no
			// read buffer).
			if err := c.raw.Read(c.peekFn); err != nil {
				if canPark && errors.Is(err, os.ErrDeadlineExceeded) && time.Now().Before(deadline) {
					idle = true // parkAfter passed without input: park
					continue
				}
				r, again = c.readFailed(err)
				break
			}
			idle = parkAfter < 0
			r, again = c.readOnce()
		case isTLS:
			r, again = c.readTLS(tc)
		default:
			r, again = c.readOnce()
		}
		if !again {
			return r, false
		}
	}
}

// readTLS waits for input inside crypto/tls reading a single byte into the
// Conn's probe byte, so an idle TLS connection holds no pooled buffer; then
// it borrows one and takes only what crypto/tls already decrypted or
// buffered (the read deadline is moved into the past for that read), and
// feeds both to the session.
func (c *Conn) readTLS(tc *tls.Conn) (CloseReason, bool) {
	n, err := tc.Read(c.probe[:])
	if n == 0 {
		if err != nil {
			return c.readFailed(err)
		}
		return CloseNone, true
	}
	bp := c.srv.bufs.small
	if c.big {
		bp = c.srv.bufs.large
	}
	buf := bp.get()
	(*buf)[0] = c.probe[0]
	m := 0
	if err == nil {
		_ = c.sock.SetReadDeadline(aLongTimeAgo)
		var derr error
		m, derr = tc.Read((*buf)[1:])
		if derr != nil && !errors.Is(derr, os.ErrDeadlineExceeded) {
			err = derr
		}
	}
	r, again := c.feed(bp, buf, 1+m)
	if !again || err == nil {
		return r, again
	}
	return c.readFailed(err)
}

// readOnce borrows a buffer, reads what is there, feeds it to the session
// and returns the buffer.
func (c *Conn) readOnce() (CloseReason, bool) {
	bp := c.srv.bufs.small
	if c.big {
		bp = c.srv.bufs.large
	}
	buf := bp.get()
	n, err := c.nc.Read(*buf)
	if n == 0 {
		bp.put(buf)
	} else if r, again := c.feed(bp, buf, n); !again {
		return r, false
	}
	if err != nil {
		return c.readFailed(err)
	}
	return CloseNone, true
}

// feed passes (*buf)[:n] to the session, gives the buffer back, and runs
// the after-callback work.
func (c *Conn) feed(bp *bufPool, buf *[]byte, n int) (CloseReason, bool) {
	c.bytesIn.Add(uint64(n))
	c.lastActive.Store(time.Now().UnixNano())
	c.big = n == len(*buf)
	derr := c.sess.OnData((*buf)[:n])
	bp.put(buf)
	if derr != nil {
		_ = c.Flush() // the session's last words (BAD, BYE)
		return c.errReason(derr, CloseProtocolError), false
	}
	if r := c.afterCallback(); r != CloseNone {
		return r, false
	}
	return CloseNone, true
}

// readFailed classifies a read or wait error: an expired deadline is a
// wake-up, a settings nudge or the idle timeout.
func (c *Conn) readFailed(err error) (CloseReason, bool) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if c.flags.Load() != 0 || c.closeReq.Load() != 0 {
			return CloseNone, true
		}
		if time.Now().Before(c.deadline()) {
			return CloseNone, true // the timeout was lengthened by a reload
		}
		return c.timedOut(), false
	}
	if errors.Is(err, io.EOF) {
		return CloseEOF, false
	}
	if r := CloseReason(c.closeReq.Load()); r != CloseNone {
		return r, false // socket closed under us by a forced stop
	}
	c.Logger().Debug("read failed", "err", err)
	return CloseReadError, false
}

// timedOut says goodbye to a client idle past its deadline.
func (c *Conn) timedOut() CloseReason {
	c.sess.OnTimeout()
	_ = c.Flush()
	if c.authed {
		return CloseTimeout
	}
	return CloseLoginTimeout
}

// handleFlags runs the work other goroutines asked for.
func (c *Conn) handleFlags() CloseReason {
	if r := CloseReason(c.closeReq.Load()); r != CloseNone {
		return r
	}
	f := c.flags.Load()
	if f == 0 {
		return CloseNone
	}
	if f&flagShutdown != 0 {
		c.sess.OnShutdown()
		_ = c.Flush()
		return CloseServerShutdown
	}
	old := c.flags.And(^(flagWake | flagNudge))
	if old&flagWake != 0 {
		if err := c.sess.OnWake(); err != nil {
			_ = c.Flush()
			return c.errReason(err, CloseProtocolError)
		}
		return c.afterCallback()
	}
	return CloseNone
}

// afterCallback flushes output, gives the write buffer back, and acts on
// Close and StartTLS requests made during the callback.
func (c *Conn) afterCallback() CloseReason {
	c.lastActive.Store(time.Now().UnixNano())
	err := c.Flush()
	c.releaseOut()
	if r := CloseReason(c.closeReq.Load()); r != CloseNone {
		return r
	}
	if err != nil {
		return CloseWriteError
	}
	if c.tlsReq {
		c.tlsReq = false
		return c.handshake()
	}
	return CloseNone
}

// deadline is the end of the idle time allowed from the last activity:
// login_timeout before authentication, timeout after (spec 5.3).
func (c *Conn) deadline() time.Time {
	cfg := c.srv.settings()
	d := cfg.LoginTimeout
	if c.authed {
		d = cfg.Timeout
	}
	return time.Unix(0, c.lastActive.Load()).Add(d)
}

// errReason maps a callback error to a close reason and logs it.
func (c *Conn) errReason(err error, def CloseReason) CloseReason {
	var ce *CloseError
	if errors.As(err, &ce) {
		if ce.Err != nil {
			c.Logger().Debug("session closing", "reason", ce.Reason.String(), "err", ce.Err)
		}
		return ce.Reason
	}
	if r := CloseReason(c.closeReq.Load()); r != CloseNone {
		return r
	}
	if c.werr != nil {
		return CloseReason(c.closeReq.Load())
	}
	c.Logger().Info("session error", "err", err)
	return def
}

// finish closes the socket, tells the session and the server.
func (c *Conn) finish(reason CloseReason) {
	c.stopTimer()
	c.releaseOut()
	_ = c.nc.Close()
	c.srv.limiter.release(c.ip) // the slot is free once the socket is
	c.closed = true
	if c.sess != nil {
		c.closeSession(reason)
	}
	c.cancelContext()
	c.srv.log.Info("disconnect", logging.KeySession, c.id, "peer", c.peer, "reason", reason.String(),
		"in", c.bytesIn.Load(), "out", c.bytesOut.Load(), "duration", time.Since(c.since).Round(time.Millisecond).String())
	c.srv.connDone(c)
}

// closeSession calls Session.OnClose, which may still Query (authlog,
// spec 8.3); a panic there is logged, not fatal to the process.
func (c *Conn) closeSession(reason CloseReason) {
	defer func() {
		if p := recover(); p != nil {
			c.Logger().Error("panic in session close", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	c.sess.OnClose(reason)
}

// refuse writes the protocol's refusal to a connection that is not served.
func refuse(p Protocol, nc net.Conn, reason CloseReason) error {
	defer nc.Close()
	if err := nc.SetWriteDeadline(time.Now().Add(refuseTimeout)); err != nil {
		return fmt.Errorf("refuse %s: %w", nc.RemoteAddr(), err)
	}
	p.Refuse(nc, reason)
	return nil
}

// refuseTimeout bounds the refusal write so a client that does not read
// cannot hold a goroutine.
const refuseTimeout = 5 * time.Second

// earliest returns the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// parkAfter is Options.ParkAfter with its default.
func (s *Server) parkAfter() time.Duration {
	if s.opts.ParkAfter == 0 {
		return DefaultParkAfter
	}
	return s.opts.ParkAfter
}
