package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Query runs fn on the server's worker pool (one pooled database
// connection; README.md, "Worker pool") and waits for it. While it runs,
// the client socket is watched: if the client disconnects, fn's context is
// cancelled and Query returns an error wrapping ErrDisconnected. ErrBusy
// means the pool's queue is full: answer with the protocol's temporary
// error.
func (c *Conn) Query(fn JobFunc) error { return c.query(fn, false) }

// QueryUrgent is Query through Pool.SubmitUrgent: for a short job (a
// login) that the next free worker takes before the queued ones.
func (c *Conn) QueryUrgent(fn JobFunc) error { return c.query(fn, true) }

func (c *Conn) query(fn JobFunc, urgent bool) error {
	p := c.srv.opts.Pool
	if p == nil {
		return ErrNoPool
	}
	// The job's context derives from the server's, not from Context(): the
	// connection cannot close while its own goroutine waits here, and a
	// child of the connection's context would leave it holding a cancel
	// registry (and a Done channel) for the rest of its idle life.
	ctx, cancel := context.WithCancelCause(c.srv.baseCtx)
	defer cancel(nil)
	stop := c.watchDisconnect(cancel)
	submit := p.Submit
	if urgent {
		submit = p.SubmitUrgent
	}
	err := submit(ctx, fn)
	stop()
	if err != nil && errors.Is(context.Cause(ctx), ErrDisconnected) {
		return fmt.Errorf("query: %w (%w)", ErrDisconnected, err)
	}
	return err
}

// watchDisconnect watches the idle socket while the session's goroutine is
// busy in a Query and cancels when the peer closes or resets. If the client
// sends more input instead (a pipelined command, IDLE's DONE), watching
// ends: the input stays unread for the loop. The returned stop waits for
// the watcher to end.
func (c *Conn) watchDisconnect(cancel context.CancelCauseFunc) (stop func()) {
	if c.sockRaw == nil || c.closed {
		return func() {}
	}
	var stopped atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			err := c.sockRaw.Read(c.peekFn)
			if stopped.Load() {
				return
			}
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					return // socket closed under us: nothing to watch
				}
				// The idle deadline or a Wake expired the read deadline:
				// keep watching without one until stopped.
				_ = c.sock.SetReadDeadline(time.Time{})
				if stopped.Load() {
					return
				}
				continue
			}
			if c.peekN == 0 || c.peekE != 0 {
				cancel(ErrDisconnected)
			}
			return
		}
	}()
	return func() {
		stopped.Store(true)
		_ = c.sock.SetReadDeadline(aLongTimeAgo)
		<-done
	}
}

// LoginAllowed reports whether the client's address may try to log in; a
// locked-out address should get the protocol's refusal without its
// credentials being checked.
func (c *Conn) LoginAllowed() bool {
	if !c.ip.IsValid() {
		return true
	}
	return !c.srv.fails.lockedOut(c.ip, time.Now(), c.srv.settings().Limits)
}

// LoginFailed records a failed login from the client's address and waits
// the failure delay (growing with the count, cut short by shutdown) before
// the session answers. It returns true when the address is now locked out:
// the session should answer and close with CloseLoginLockout.
func (c *Conn) LoginFailed() (lockedOut bool) {
	if !c.ip.IsValid() {
		return false
	}
	delay, locked := c.srv.fails.failed(c.ip, time.Now(), c.srv.settings().Limits)
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-c.srv.draining:
			t.Stop()
		}
	}
	return locked
}
