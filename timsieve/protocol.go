package timsieve

import (
	"io"
	"log/slog"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
	"github.com/dbmail-go/dbmail/sieve"
)

// Default limits.
const (
	DefaultMaxErrors     = 3 // DBMail closes after three bad commands (spec 6.5)
	DefaultMaxRedirects  = sieve.DefaultMaxRedirects
	DefaultMaxScriptSize = sieve.DefaultMaxScriptSize
)

// Protocol is the ManageSieve server.Protocol. Its fields are read-only
// once the server runs, so sessions share it without locking.
type Protocol struct {
	DB *db.DB
	// Implementation is the IMPLEMENTATION capability ([SIEVE] banner,
	// default "DBMail sieved <version>", spec 5.7).
	Implementation string
	// Sieve are the engine options scripts are validated with; the SIEVE
	// capability lists the extensions they enable (use
	// delivery.SieveOptions.EngineOptions so delivery and upload agree).
	Sieve sieve.Options
	// SecurityActions are [DBMAIL] security_action (spec 4.3).
	SecurityActions map[int][]string
	// MaxScriptSize bounds one script (PUTSCRIPT/CHECKSCRIPT literal);
	// default 1 MiB.
	MaxScriptSize int64
	// MaxErrors bad commands close the connection; default 3.
	MaxErrors int
	// AllowPlaintextAuth lets clients authenticate on an unencrypted
	// connection although STARTTLS is available. By default they must use
	// STARTTLS first (RFC 5804 §2.1 ENCRYPT-NEEDED; DBMail allowed it,
	// spec 9.1 item 5). Without TLS configured plain-text logins always work.
	AllowPlaintextAuth bool
	Log                *slog.Logger
}

func (p *Protocol) maxScript() int64 {
	if p.MaxScriptSize > 0 {
		return p.MaxScriptSize
	}
	return DefaultMaxScriptSize
}

func (p *Protocol) maxErrors() int {
	if p.MaxErrors > 0 {
		return p.MaxErrors
	}
	return DefaultMaxErrors
}

func (p *Protocol) maxRedirects() int {
	if p.Sieve.MaxRedirects > 0 {
		return p.Sieve.MaxRedirects
	}
	return DefaultMaxRedirects
}

// NewSession starts the state machine of one connection.
func (p *Protocol) NewSession(c *server.Conn) server.Session {
	s := &session{p: p, c: c, log: c.Logger()}
	s.parser = Parser{MaxLine: c.Limits().MaxLineLength, MaxLiteral: p.maxScript()}
	if s.parser.MaxLine <= 0 {
		s.parser.MaxLine = 65536
	}
	c.SetState(stateNames[stateNonAuth])
	return s
}

// Refuse answers a connection the server will not serve.
func (p *Protocol) Refuse(w io.Writer, reason server.CloseReason) {
	text := "Service unavailable."
	switch reason {
	case server.CloseTooManyConnections, server.CloseTooManyFromIP:
		text = "Too many connections."
	case server.CloseServerShutdown:
		text = "Server shutting down."
	}
	w.Write(response("BYE", "TRYLATER", text))
}
