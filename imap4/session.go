package imap4

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// State is a connection state of RFC 3501 §3.
type State uint8

// Connection states.
const (
	StateNotAuth State = 1 << iota
	StateAuth
	StateSelected
	StateLogout
)

func (st State) String() string {
	switch st {
	case StateNotAuth:
		return "not-authenticated"
	case StateAuth:
		return "authenticated"
	case StateSelected:
		return "selected"
	case StateLogout:
		return "logout"
	}
	return fmt.Sprintf("State(%d)", uint8(st))
}

// maxErrors is how many consecutive BAD answers end the session ("* BYE
// [TRY RFC]", spec 6.2; DBMail also counts NO, which ends sessions of
// clients doing nothing wrong, e.g. deleting absent mailboxes).
const maxErrors = 5

// Session is one IMAP connection (server.Session). All its methods run on
// the connection's goroutine.
type Session struct {
	proto *Protocol
	cfg   *Config
	c     *server.Conn
	p     *Parser
	enc   *Encoder
	log   *slog.Logger

	state     State
	user      *db.User
	sel       *mailboxView
	condStore bool // CONDSTORE enabled (RFC 7162 §3.1)
	// deferFlags holds the FETCH FLAGS updates of other sessions' changes
	// found at the start of a FETCH; they are sent after the command's own
	// FETCH responses, just before its tagged reply (see cmdFetch).
	deferFlags   bool
	pendingFlags []uint32 // sequence numbers
	qresync      bool     // QRESYNC enabled (RFC 7162 §3.2.3)
	errors       int      // consecutive BAD

	auth    *authState
	idle    *idleState
	appends *appendState
	saved   []uint32 // SEARCHRES "$" result as UIDs (RFC 5182)

	closing error // set by LOGOUT and fatal conditions: returned from OnData
	tls     bool  // STARTTLS requested: drop the rest of this input
}

func newSession(p *Protocol, c *server.Conn) *Session {
	return &Session{
		proto: p,
		cfg:   &p.cfg,
		c:     c,
		p:     newSharedParser(p.lim),
		// Responses go straight into the connection's output buffer,
		// which the server core takes from a pool per callback and
		// returns after flushing (server/README.md "Memory per
		// connection"): a session in IDLE holds no write buffer.
		enc:   NewEncoder(c),
		log:   c.Logger(),
		state: StateNotAuth,
	}
}

// Greet implements server.Session: RFC 3501 §7.1.1 greeting with the
// CAPABILITY response code.
func (s *Session) Greet() error {
	s.c.SetState(StateNotAuth.String())
	s.enc.StatusLine("*", "OK", "CAPABILITY "+s.capabilities(), s.cfg.Banner)
	return s.flush()
}

func (s *Session) flush() error {
	if err := s.enc.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// OnData implements server.Session: it feeds the parser and runs each
// complete command.
func (s *Session) OnData(b []byte) error {
	// A STARTTLS of an earlier call dropped that call's remaining input;
	// the handshake has happened since, this is encrypted input.
	s.tls = false
	for len(b) > 0 && s.closing == nil && !s.tls {
		n, ev, err := s.p.Feed(b)
		b = b[n:]
		if err != nil {
			s.literalFailed(err)
			continue
		}
		s.handleEvent(ev)
	}
	ferr := s.flush()
	if s.closing != nil {
		return s.closing
	}
	return ferr
}

func (s *Session) handleEvent(ev Event) {
	switch ev {
	case EventNone:
	case EventCommand:
		cmd, err := s.p.Command()
		s.runCommand(cmd, err)
		s.dropAppends() // literals of a command that did not run
		s.p.CommandDone()
	case EventLiteral:
		s.onLiteral(s.p.Literal())
	case EventLiteralTooBig:
		li := s.p.Literal()
		s.dropAppends()
		s.tagged(li.Tag, "NO", "TOOBIG", "literal too big")
	case EventLineTooLong:
		s.tagged(s.p.LineTag(), "BAD", "", "command line too long")
	case EventPipelineFull:
		// Commands run synchronously inside OnData, so the pipeline never
		// fills; treat it as a protocol error if it ever does.
		s.closing = server.CloseWith(server.ClosePipelineTooDeep, server.ErrPipelineTooDeep)
	case EventIdleDone, EventIdleBad:
		s.endIdle(ev == EventIdleDone)
	case EventAuthResponse:
		s.authStep()
	}
}

// tagged writes a tagged (or, for an empty tag, untagged) completion and
// counts consecutive failures (spec 6.2: five give "* BYE [TRY RFC]").
// writePendingFlags sends the FETCH FLAGS updates a FETCH deferred.
func (s *Session) writePendingFlags() {
	s.deferFlags = false
	if v := s.sel; v != nil {
		// The view's current flags: the FETCH may have set \Seen since.
		for _, seq := range s.pendingFlags {
			if seq >= 1 && int(seq) <= len(v.msgs) {
				s.writeFlagsFetch(&v.msgs[seq-1], true)
			}
		}
	}
	s.pendingFlags = s.pendingFlags[:0]
}

func (s *Session) tagged(tag, status, code, text string) {
	if tag == "" {
		tag = "*"
	}
	s.writePendingFlags()
	s.enc.StatusLine(tag, status, code, text)
	if status != "BAD" {
		s.errors = 0
		return
	}
	s.errors++
	if s.errors >= maxErrors {
		s.enc.StatusLine("*", "BYE", "TRY RFC", "too many errors")
		s.closing = server.CloseWith(server.CloseTooManyErrors, nil)
	}
}

func (s *Session) ok(cmd *Command, code, text string) { s.tagged(cmd.Tag, "OK", code, text) }
func (s *Session) no(cmd *Command, code, text string) { s.tagged(cmd.Tag, "NO", code, text) }
func (s *Session) bad(cmd *Command, text string)      { s.tagged(cmd.Tag, "BAD", "", text) }

// done completes a command with "OK [UID ]<NAME> completed" (spec 6.2).
func (s *Session) done(cmd *Command, code string) {
	s.ok(cmd, code, cmdName(cmd)+" completed")
}

func cmdName(cmd *Command) string {
	if cmd.UID {
		return "UID " + cmd.Name
	}
	return cmd.Name
}

// fail answers a command whose database work failed: NO [UNAVAILABLE] when
// the worker pool is saturated or the database is unreachable (RFC 5530),
// NO [SERVERBUG] otherwise; the error is logged.
func (s *Session) fail(cmd *Command, err error) {
	switch {
	case errors.Is(err, server.ErrBusy), db.IsTemporary(err):
		s.log.Warn("imap command failed temporarily", "cmd", cmd.Name, "err", err)
		s.no(cmd, "UNAVAILABLE", "server busy, try again later")
	case errors.Is(err, server.ErrDisconnected), errors.Is(err, context.Canceled):
		s.closing = server.CloseWith(server.CloseEOF, err)
	default:
		s.log.Error("imap command failed", "cmd", cmd.Name, "err", err)
		s.no(cmd, "SERVERBUG", "internal error")
	}
}

// query runs fn on the worker pool with a *db.DB bound to the worker's
// connection.
func (s *Session) query(fn func(ctx context.Context, d *db.DB) error) error {
	return s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
		return fn(ctx, s.cfg.DB.On(conn))
	})
}

// runCommand dispatches one parsed command through the state table.
func (s *Session) runCommand(cmd *Command, perr error) {
	if perr != nil {
		var se *SyntaxError
		if errors.As(perr, &se) {
			s.tagged(se.Tag, "BAD", "", se.Msg)
			return
		}
		s.tagged("", "BAD", "", "invalid command")
		return
	}
	h, ok := lookupCommand(cmd.Name)
	if !ok {
		s.bad(cmd, "no valid command")
		return
	}
	if h.states&s.state == 0 {
		s.bad(cmd, fmt.Sprintf("%s command received in invalid state", cmdName(cmd)))
		return
	}
	s.c.CommandStart(cmdName(cmd))
	defer s.c.CommandDone()
	h.run(s, cmd)
}

// OnWake implements server.Session: the hub published a change of the
// selected mailbox. An IDLE client gets the updates at once (RFC 2177);
// otherwise they wait for the next command that may carry them.
func (s *Session) OnWake() error {
	if s.idle != nil {
		if s.sel != nil {
			s.sendUpdates(true)
		}
		s.idleWake()
	}
	ferr := s.flush()
	if s.closing != nil {
		return s.closing
	}
	return ferr
}

// OnTimeout implements server.Session (spec 6.2 timeout BYE).
func (s *Session) OnTimeout() {
	s.enc.StatusLine("*", "BYE", "", "dbmail IMAP4 server signing off due to timeout")
	_ = s.flush()
}

// OnShutdown implements server.Session.
func (s *Session) OnShutdown() {
	s.enc.StatusLine("*", "BYE", "UNAVAILABLE", "server shutting down")
	_ = s.flush()
}

// OnClose implements server.Session.
func (s *Session) OnClose(reason server.CloseReason) {
	if s.idle != nil {
		s.idle = nil // the server drops the connection's WakeAt
	}
	s.unselect()
	s.dropAppends() // a disconnect mid-literal
}

// setState records the RFC 3501 state for the dispatcher and the dump.
func (s *Session) setState(st State) {
	s.state = st
	s.c.SetState(st.String())
}
