package timsieve

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

type state uint8

const (
	stateNonAuth state = iota
	stateAuth
	stateLogout
)

var stateNames = [...]string{stateNonAuth: "NONAUTH", stateAuth: "AUTHENTICATED", stateLogout: "LOGOUT"}

// session is one ManageSieve connection. All methods run on the
// connection's goroutine (server.Session contract).
type session struct {
	p      *Protocol
	c      *server.Conn
	log    *slog.Logger
	parser Parser

	state  state
	user   *db.User
	errors int
	sasl   *saslExchange // an AUTHENTICATE waiting for client responses
	// tlsPending: STARTTLS was accepted; once the handshake is done the
	// capabilities are sent again (RFC 5804 §2.2).
	tlsPending bool
	stop       bool  // stop parsing the rest of the read (STARTTLS, LOGOUT, close)
	closed     error // set when the connection must close after this read
}

// handler runs one command; it returns false when the command was not
// understood (it counts towards MaxErrors).
type handler func(s *session, args []Arg) bool

type command struct {
	fn     handler
	states uint8 // bit set of allowed states
}

const (
	inNonAuth = 1 << stateNonAuth
	inAuth    = 1 << stateAuth
	inAny     = inNonAuth | inAuth
)

// commands is the per-state command table (RFC 5804 §2).
var commands = map[string]command{
	"CAPABILITY":     {(*session).cmdCapability, inAny},
	"AUTHENTICATE":   {(*session).cmdAuthenticate, inNonAuth},
	"STARTTLS":       {(*session).cmdStartTLS, inNonAuth},
	"LOGOUT":         {(*session).cmdLogout, inAny},
	"NOOP":           {(*session).cmdNoop, inAny},
	"UNAUTHENTICATE": {(*session).cmdUnauthenticate, inAuth},
	"HAVESPACE":      {(*session).cmdHaveSpace, inAuth},
	"PUTSCRIPT":      {(*session).cmdPutScript, inAuth},
	"CHECKSCRIPT":    {(*session).cmdCheckScript, inAuth},
	"LISTSCRIPTS":    {(*session).cmdListScripts, inAuth},
	"SETACTIVE":      {(*session).cmdSetActive, inAuth},
	"GETSCRIPT":      {(*session).cmdGetScript, inAuth},
	"DELETESCRIPT":   {(*session).cmdDeleteScript, inAuth},
	"RENAMESCRIPT":   {(*session).cmdRenameScript, inAuth},
}

// Greet pings the database (DBMail refuses politely when it is down, spec
// 6.1, 6.5) and sends the capabilities followed by OK (RFC 5804 §1.7).
func (s *session) Greet() error {
	err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error { return conn.PingContext(ctx) })
	if err != nil {
		s.c.Write(response("BYE", "TRYLATER", "database has gone fishing"))
		return server.CloseWith(server.CloseServiceUnavailable, fmt.Errorf("database ping: %w", err))
	}
	s.writeCapabilities()
	_, err = s.c.Write(response("OK", "", "DBMail ManageSieve ready."))
	return err
}

func (s *session) OnData(b []byte) error {
	s.stop = false
	err := s.parser.Feed(b, func(cmd Command) bool {
		s.run(cmd)
		return !s.stop
	})
	if errors.Is(err, ErrLineTooLong) {
		s.c.Write(response("BYE", "", "Line too long."))
		return server.CloseWith(server.CloseLineTooLong, err)
	}
	if s.stop {
		s.parser.Reset()
	}
	return s.closed
}

// OnWake runs after the STARTTLS handshake (cmdStartTLS asked for it):
// RFC 5804 §2.2 has the server re-issue its capabilities and an OK.
func (s *session) OnWake() error {
	if s.tlsPending && s.c.IsTLS() {
		s.tlsPending = false
		s.writeCapabilities()
		s.c.Write(response("OK", "", "TLS negotiation successful."))
	}
	return nil
}

func (s *session) OnTimeout() {
	s.c.Write(response("BYE", "", "Connection timed out."))
}

func (s *session) OnShutdown() {
	s.c.Write(response("BYE", "TRYLATER", "Server shutting down."))
}

func (s *session) OnClose(server.CloseReason) {}

// run dispatches one complete command.
func (s *session) run(cmd Command) {
	if s.sasl != nil {
		s.continueAuth(cmd)
		return
	}
	if len(cmd.Args) == 0 {
		if cmd.Err == nil {
			return // empty line
		}
		s.bad(cmd.Err.Error())
		return
	}
	name := strings.ToUpper(cmd.Args[0].Value)
	if cmd.Args[0].Kind != Atom {
		name = ""
	}
	s.trace(name, cmd)
	if err := s.c.CommandQueued(); err != nil {
		s.c.Write(response("BYE", "", "Too many commands."))
		s.close(server.ClosePipelineTooDeep, err)
		return
	}
	s.c.CommandStart(name)
	defer s.c.CommandDone()
	h, ok := commands[name]
	switch {
	case !ok:
		s.bad("")
	case h.states&(1<<s.state) == 0:
		s.c.Write(response("NO", "", name+" is not allowed now."))
	case errors.Is(cmd.Err, ErrLiteralTooLarge):
		s.c.Write(response("NO", "QUOTA/MAXSIZE", "Script too large."))
	case cmd.Err != nil:
		s.bad(cmd.Err.Error())
	default:
		if !h.fn(s, cmd.Args[1:]) {
			s.bad("")
		}
	}
}

// bad answers a command that was not understood; too many close the
// connection (spec 6.5).
func (s *session) bad(detail string) {
	s.errors++
	if s.errors >= s.p.maxErrors() {
		s.c.Write(response("BYE", "", "Too many errors, closing connection."))
		s.close(server.CloseTooManyErrors, nil)
		return
	}
	text := "What are you trying to say here?"
	if detail != "" {
		text = "Syntax error: " + detail
	}
	s.c.Write(response("NO", "", text))
}

func (s *session) close(reason server.CloseReason, err error) {
	s.stop = true
	s.closed = server.CloseWith(reason, err)
}

// trace writes the command to the protocol trace with secrets and script
// bodies left out.
func (s *session) trace(name string, cmd Command) {
	t := s.c.Tracer()
	if !t.Enabled() {
		return
	}
	if name == "AUTHENTICATE" {
		t.ClientSecret([]byte(name))
		return
	}
	var b strings.Builder
	for i, a := range cmd.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a.Kind == Literal {
			fmt.Fprintf(&b, "{%d+}", len(a.Value))
			continue
		}
		b.Write(appendString(nil, a.Value))
	}
	t.Client([]byte(b.String()))
}

// query runs fn on the worker pool with a handle on the worker's
// connection and returns fn's error. It answers temporary failures itself
// (RFC 5804 §1.3 TRYLATER) and returns ok=false then.
func (s *session) query(fn func(ctx context.Context, d *db.DB) error) (ok bool, err error) {
	var ferr error
	err = s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
		ferr = fn(ctx, s.p.DB.On(conn))
		return nil
	})
	if err == nil && (ferr == nil || !db.IsTemporary(ferr) || errors.Is(ferr, db.ErrAuth)) {
		return true, ferr
	}
	if err == nil {
		err = ferr
	}
	s.log.Error("managesieve query failed", "err", err)
	if errors.Is(err, server.ErrDisconnected) {
		s.close(server.CloseEOF, err)
		return false, err
	}
	s.c.Write(response("NO", "TRYLATER", "Server busy or database unavailable, try again later."))
	return false, err
}

// strArgs checks that args are exactly n strings and returns their values.
func strArgs(args []Arg, n int) ([]string, bool) {
	if len(args) != n {
		return nil, false
	}
	out := make([]string, n)
	for i, a := range args {
		if !a.IsString() {
			return nil, false
		}
		out[i] = a.Value
	}
	return out, true
}
