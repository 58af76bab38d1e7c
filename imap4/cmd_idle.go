package imap4

import (
	"time"
)

// idleState is an IDLE in progress (RFC 2177).
type idleState struct {
	cmd *Command
	due time.Time // next keepalive
}

// RFC 2177 §3 IDLE: pending updates, "+ idling", then every change the
// hub publishes for the selected mailbox is sent at once (OnWake); a
// keepalive "* OK Still here" is sent every IdleKeepalive (spec 6.2).
func (s *Session) cmdIdle(cmd *Command) {
	if s.sel != nil && !s.sendUpdates(true) {
		s.fail(cmd, s.lastErr())
		return
	}
	st := &idleState{cmd: cmd, due: time.Now().Add(s.cfg.IdleKeepalive)}
	s.idle = st
	s.enc.Raw("+ idling").CRLF()
	s.p.SetMode(ModeIdle)
	// The server's shared timer wakes the session: an idling session keeps
	// no timer of its own (server/README.md, "Goroutine model").
	s.c.WakeAt(st.due)
}

// idleWake runs on OnWake while idling: keepalive if due.
func (s *Session) idleWake() {
	st := s.idle
	if st == nil || time.Now().Before(st.due) {
		return
	}
	s.enc.StatusLine("*", "OK", "", "Still here")
	st.due = time.Now().Add(s.cfg.IdleKeepalive)
	s.c.WakeAt(st.due)
}

// endIdle finishes IDLE on "DONE" (or a bad line, spec 6.2).
func (s *Session) endIdle(done bool) {
	st := s.idle
	if st == nil {
		s.tagged("", "BAD", "", "unexpected DONE")
		return
	}
	s.idle = nil
	s.c.WakeAt(time.Time{})
	if !done {
		s.bad(st.cmd, "Expecting DONE")
		return
	}
	if s.sel != nil {
		s.sendUpdates(true)
	}
	s.ok(st.cmd, "", "IDLE terminated")
}
