package imap4

import (
	"io"
	"log/slog"
	"time"

	"github.com/dbmail-go/dbmail/cache"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// Config is what the IMAP protocol needs from the daemon ([IMAP] and
// [DBMAIL] of dbmail.conf, spec 5.4, 6.2).
type Config struct {
	DB    *db.DB
	Cache cache.Cache // immutable per-physmessage data; nil disables caching
	Hub   *Hub        // change notification; nil makes a private one
	Log   *slog.Logger

	Banner string // greeting text; "" gives "dbmail-go ready."
	// LoginDisabled refuses LOGIN and AUTHENTICATE on a plain connection
	// while STARTTLS is possible (login_disabled, spec 6.2).
	LoginDisabled bool
	// NoCRAMMD5 hides and refuses AUTH=CRAM-MD5 (enable_cram_md5 = no).
	NoCRAMMD5 bool
	// SecurityActions are [DBMAIL] security_action (spec 4.3).
	SecurityActions map[int][]string
	// Limits bound the command parser; MaxLiteral is also APPENDLIMIT.
	Limits Limits
	// IdleKeepalive is the interval of "* OK Still here" during IDLE
	// (idle_interval × idle_timeout, spec 6.2); 0 means 5 minutes.
	IdleKeepalive time.Duration
	// Version is reported by ID.
	Version string
	// Capability is [IMAP] capability: when non-nil, only the listed
	// capabilities are announced (filterCapabilities, spec 5.4).
	Capability []string

	// afterSelectRead, when set (tests only), runs after SELECT has read
	// the mailbox and before it claims the \Recent messages, so a test can
	// commit another session's change in between.
	afterSelectRead func(mailboxID int64)
}

// Protocol is the IMAP4rev1 server protocol: it implements
// server.Protocol and makes one Session per connection.
type Protocol struct {
	cfg Config
	lim *Limits // cfg.Limits with defaults, shared by every session's Parser
}

// NewProtocol returns the IMAP protocol for the server core.
func NewProtocol(cfg Config) *Protocol {
	if cfg.Hub == nil {
		cfg.Hub = NewHub()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Banner == "" {
		cfg.Banner = "dbmail-go ready."
	}
	if cfg.IdleKeepalive <= 0 {
		cfg.IdleKeepalive = 5 * time.Minute
	}
	if cfg.Version == "" {
		cfg.Version = "3.5.6"
	}
	lim := cfg.Limits.withDefaults()
	return &Protocol{cfg: cfg, lim: &lim}
}

// Hub returns the protocol's change-notification hub.
func (p *Protocol) Hub() *Hub { return p.cfg.Hub }

// NewSession implements server.Protocol.
func (p *Protocol) NewSession(c *server.Conn) server.Session {
	return newSession(p, c)
}

// Refuse implements server.Protocol: RFC 3501 §7.1.5 BYE.
func (p *Protocol) Refuse(w io.Writer, reason server.CloseReason) {
	text := "dbmail-go IMAP server unavailable"
	switch reason {
	case server.CloseTooManyConnections, server.CloseTooManyFromIP:
		text = "Too many connections"
	case server.CloseServerShutdown:
		text = "Server shutting down"
	}
	_, _ = io.WriteString(w, "* BYE [UNAVAILABLE] "+text+"\r\n")
}
