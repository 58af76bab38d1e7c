package pop3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// DefaultBanner is DBMail's greeting text (spec 5.5).
const DefaultBanner = "DBMAIL pop3 server ready to rock"

// DefaultLockLease is how long a maildrop lock outlives a session that
// stopped refreshing it (a crashed daemon).
const DefaultLockLease = 60 * time.Second

// Protocol is dbmail-pop3d's server.Protocol (RFC 1939, RFC 2449,
// RFC 5034, RFC 2595; spec 6.3).
type Protocol struct {
	Hostname string // for the APOP timestamp and CRAM-MD5 challenges
	Banner   string // greeting text; DefaultBanner when empty
	DB       *db.DB
	// Pool runs the lock release when a session ends (the connection's
	// own context is cancelled by then). Required.
	Pool *server.Pool
	// LoginDisabled refuses USER/PASS and plain-text SASL before STLS
	// when TLS is available (spec 5.5 login_disabled).
	LoginDisabled bool
	// BeforeSMTP records the client address in dbmail_pbsp at login
	// (spec 5.3 POP_BEFORE_SMTP).
	BeforeSMTP bool
	// NoAPOP refuses APOP and CRAM-MD5 (authdriver = ldap: spec 6.3).
	NoAPOP bool
	// SecurityActions is [DBMAIL] security_action (spec 4.3).
	SecurityActions map[int][]string
	// LockLease is the maildrop lock lease; DefaultLockLease when zero.
	LockLease time.Duration
	// Log receives session-independent messages; slog.Default when nil.
	Log *slog.Logger
}

// Init prepares the database for the protocol (the maildrop lock table).
func (p *Protocol) Init(ctx context.Context) error {
	if p.DB == nil || p.Pool == nil {
		return fmt.Errorf("pop3: protocol needs a database and a worker pool")
	}
	if err := p.DB.EnsurePOP3Locks(ctx); err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	return nil
}

func (p *Protocol) lease() time.Duration {
	if p.LockLease > 0 {
		return p.LockLease
	}
	return DefaultLockLease
}

func (p *Protocol) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// NewSession starts the state machine of one connection.
func (p *Protocol) NewSession(c *server.Conn) server.Session {
	return &session{p: p, c: c, lines: NewLineReader(c.Limits().MaxLineLength), trace: c.Tracer()}
}

// Refuse answers a connection turned away at accept.
func (p *Protocol) Refuse(w io.Writer, reason server.CloseReason) {
	text := "-ERR [SYS/TEMP] too many connections, try again later\r\n"
	switch reason {
	case server.CloseServerShutdown:
		text = "-ERR [SYS/TEMP] server shutting down\r\n"
	case server.CloseTooManyFromIP:
		text = "-ERR [SYS/TEMP] too many connections from your address\r\n"
	}
	_, _ = io.WriteString(w, text)
}

// holder names this process in lock rows, for operators.
func holder(hostname string) string {
	return fmt.Sprintf("%s pid %d", hostname, os.Getpid())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
