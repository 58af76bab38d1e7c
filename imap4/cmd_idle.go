package imap4

import (
	"sync/atomic"
	"time"
)

// idleState is an IDLE in progress (RFC 2177).
type idleState struct {
	cmd       *Command
	keepalive *time.Timer
	due       atomic.Bool // the keepalive timer fired
}

// RFC 2177 §3 IDLE: pending updates, "+ idling", then every change the
// hub publishes for the selected mailbox is sent at once (OnWake); a
// keepalive "* OK Still here" is sent every IdleKeepalive (spec 6.2).
func (s *Session) cmdIdle(cmd *Command) {
	if s.sel != nil && !s.sendUpdates(true) {
		s.fail(cmd, s.lastErr())
		return
	}
	st := &idleState{cmd: cmd}
	s.idle = st
	s.enc.Raw("+ idling").CRLF()
	s.p.SetMode(ModeIdle)
	wake := s.c.Wake
	st.keepalive = time.AfterFunc(s.cfg.IdleKeepalive, func() {
		st.due.Store(true)
		wake()
	})
}

// idleWake runs on OnWake while idling: keepalive if due.
func (s *Session) idleWake() {
	st := s.idle
	if st == nil || !st.due.Swap(false) {
		return
	}
	s.enc.StatusLine("*", "OK", "", "Still here")
	st.keepalive.Reset(s.cfg.IdleKeepalive)
}

// endIdle finishes IDLE on "DONE" (or a bad line, spec 6.2).
func (s *Session) endIdle(done bool) {
	st := s.idle
	if st == nil {
		s.tagged("", "BAD", "", "unexpected DONE")
		return
	}
	s.idle = nil
	st.keepalive.Stop()
	if !done {
		s.bad(st.cmd, "Expecting DONE")
		return
	}
	if s.sel != nil {
		s.sendUpdates(true)
	}
	s.ok(st.cmd, "", "IDLE terminated")
}
