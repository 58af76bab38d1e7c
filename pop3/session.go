package pop3

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
	"github.com/dbmail-go/dbmail/server/logging"
)

// POP3 session states (RFC 1939 §3); shown in the state dump.
type state int

const (
	stateAuthorization state = iota
	stateTransaction
	stateUpdate // QUIT seen: ignore everything else
)

func (s state) String() string {
	switch s {
	case stateTransaction:
		return "TRANSACTION"
	case stateUpdate:
		return "UPDATE"
	}
	return "AUTHORIZATION"
}

// maxErrors is how many consecutive bad commands end the session (DBMail:
// three errors).
const maxErrors = 3

type session struct {
	p     *Protocol
	c     *server.Conn
	lines *LineReader
	trace logging.Tracer

	state      state
	stamp      string // APOP timestamp of the greeting, <hex@host>
	user       string // USER argument awaiting PASS
	errors     int
	sasl       *saslExchange // AUTH in progress: the next line is a response
	stopInput  bool          // STLS or QUIT: drop the rest of the input
	tlsUpgrade bool          // STLS answered: the next input arrives over TLS

	drop  *maildrop
	chunk []byte           // big-part chunk buffer, allocated at the first big part
	ahead map[int64][]byte // read-ahead window: wire form by physmessage id
	lock  lockState
}

// Greet pings the database and sends the greeting with the APOP timestamp
// (spec 6.3, RFC 1939 §4 and §7).
func (s *session) Greet() error {
	s.c.SetState(s.state.String())
	s.stamp = "<" + randomHex(16) + "@" + s.p.Hostname + ">"
	err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error { return conn.PingContext(ctx) })
	if err != nil {
		s.c.Logger().Warn("database unavailable at greeting", "err", err)
		s.reply("-ERR [SYS/TEMP] database has gone fishing")
		return server.CloseWith(server.CloseServiceUnavailable, err)
	}
	banner := s.p.Banner
	if banner == "" {
		banner = DefaultBanner
	}
	s.reply("+OK " + banner + " " + s.stamp)
	return nil
}

// OnData feeds input to the line reader and runs every complete command in
// order (RFC 2449 §6.8 PIPELINING: responses in command order).
func (s *session) OnData(b []byte) error {
	if s.tlsUpgrade {
		s.tlsUpgrade, s.stopInput = false, false
	}
	for len(b) > 0 && !s.stopInput {
		line, n, err := s.lines.Next(b)
		b = b[n:]
		if err != nil {
			s.reply("-ERR line too long")
			return server.CloseWith(server.CloseLineTooLong, err)
		}
		if line == nil {
			return nil
		}
		if err := s.handleLine(line); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) handleLine(line []byte) error {
	if s.sasl != nil {
		s.trace.ClientSecret(line)
		return s.saslStep(string(line))
	}
	s.trace.Client(line)
	cmd, err := ParseCommand(line)
	if err != nil {
		return s.fail("-ERR command not understood")
	}
	h, known := commands[cmd.Name]
	if !known {
		return s.fail("-ERR command not understood")
	}
	if h.states&(1<<s.state) == 0 {
		return s.fail("-ERR wrong command mode")
	}
	if err := s.c.CommandQueued(); err == nil {
		defer s.c.CommandDone()
	}
	s.c.CommandStart(cmd.Name)
	s.errors = 0 // only consecutive bad commands count
	return h.run(s, cmd)
}

// fail answers a bad command and drops the client after maxErrors.
func (s *session) fail(text string) error {
	s.errors++
	if s.errors >= maxErrors {
		s.reply("-ERR too many errors")
		s.stopInput = true
		return server.CloseWith(server.CloseTooManyErrors, nil)
	}
	s.reply(text)
	return nil
}

// reply writes one response line.
func (s *session) reply(line string) {
	s.trace.Server([]byte(line))
	_, _ = s.c.WriteString(line + "\r\n")
}

// replyf formats one response line.
func (s *session) replyf(format string, args ...any) { s.reply(fmt.Sprintf(format, args...)) }

// query runs fn on the worker pool with a data-layer handle bound to the
// worker's connection.
func (s *session) query(fn func(ctx context.Context, d *db.DB) error) error {
	return s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
		return fn(ctx, s.p.DB.On(conn))
	})
}

// sysError answers a failed database step: -ERR [SYS/TEMP] for a full
// pool or an unreachable database, [SYS/PERM] otherwise (RFC 3206 §4). A
// disconnected client closes the session.
func (s *session) sysError(what string, err error) error {
	if errors.Is(err, server.ErrDisconnected) {
		return server.CloseWith(server.CloseEOF, err)
	}
	s.c.Logger().Error("pop3 "+what+" failed", "err", err)
	if errors.Is(err, server.ErrBusy) || db.IsTemporary(err) || errors.Is(err, context.DeadlineExceeded) {
		s.reply("-ERR [SYS/TEMP] " + what + " failed, try again later")
	} else {
		s.reply("-ERR [SYS/PERM] " + what + " failed")
	}
	return nil
}

// OnWake refreshes the maildrop lock lease.
func (s *session) OnWake() error {
	return s.refreshLock(false)
}

// OnTimeout says goodbye (spec 6.3).
func (s *session) OnTimeout() { s.reply("-ERR I'm leaving, you're too slow") }

// OnShutdown: the server drains; the session ends without UPDATE.
func (s *session) OnShutdown() { s.reply("-ERR [SYS/TEMP] server shutting down") }

// OnClose releases the maildrop lock. Without QUIT nothing is changed
// (RFC 1939 §6: no UPDATE state).
func (s *session) OnClose(server.CloseReason) {
	s.releaseLock()
}

// setState records a state change for the dump.
func (s *session) setState(st state) {
	s.state = st
	s.c.SetState(st.String())
}
