package lmtp

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/server"
)

// Notifier is told which mailboxes a delivery changed, after its commit
// (the change-notification hub).
type Notifier interface {
	Publish(mailboxID int64)
}

// Protocol is dbmail-lmtpd's server.Protocol (RFC 2033; spec 6.4).
type Protocol struct {
	Hostname  string
	Banner    string // greeting text after the host name; DBMail: "LMTP"
	DB        *db.DB
	Deliverer *delivery.Deliverer
	// MaxMessage is the largest message accepted (advertised as SIZE);
	// 0 means unlimited.
	MaxMessage int64
	// QuotaSoft answers over-quota recipients with 452 instead of 552.
	QuotaSoft bool
	Notify    Notifier
}

// NewSession starts the state machine of one connection.
func (p *Protocol) NewSession(c *server.Conn) server.Session {
	return &session{p: p, c: c, parser: NewParser(c.Limits().MaxLineLength)}
}

// Refuse answers a connection that is turned away at accept (RFC 5321
// §3.8: 421 and close).
func (p *Protocol) Refuse(w io.Writer, reason server.CloseReason) {
	io.WriteString(w, "421 4.3.2 "+p.Hostname+" "+refuseText(reason)+"\r\n")
}

func refuseText(r server.CloseReason) string {
	switch r {
	case server.CloseServerShutdown:
		return "Service shutting down"
	case server.CloseTooManyFromIP:
		return "Too many connections from your address"
	}
	return "Too many connections, try again later"
}

// maxErrors is how many bad commands a client may send before it is
// dropped (DBMail: three).
const maxErrors = 3

type recipient struct {
	addr string
	res  *db.Resolution
}

type session struct {
	p      *Protocol
	c      *server.Conn
	parser *Parser

	lhlo    bool
	hasFrom bool
	from    string
	rcpts   []recipient
	data    bytes.Buffer
	spool   *message.Spool // DATA beyond message.SpoolThreshold, instead of data
	size    int64          // bytes of DATA so far
	tooBig  bool
	errors  int
	stopped bool // STARTTLS or QUIT: ignore the rest of the input
}

// errStop ends Feed early without closing the connection.
var errStop = errors.New("stop feeding")

func (s *session) reply(format string, args ...any) {
	s.c.WriteString(fmt.Sprintf(format, args...) + "\r\n")
}

// Greet pings the database first, as DBMail does, and refuses politely if
// it is down (spec 6.1).
func (s *session) Greet() error {
	err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error { return conn.PingContext(ctx) })
	if err != nil {
		s.reply("421 4.3.2 %s Service temporarily unavailable", s.p.Hostname)
		return server.CloseWith(server.CloseServiceUnavailable, err)
	}
	banner := s.p.Banner
	if banner == "" {
		banner = "LMTP"
	}
	s.reply("220 %s %s", s.p.Hostname, banner)
	return nil
}

// OnData is the read callback: bytes go into the parser, which calls back
// for every command and every chunk of message data.
func (s *session) OnData(b []byte) error {
	if s.stopped {
		return nil
	}
	_, err := s.parser.Feed(b, s.event)
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

func (s *session) event(ev Event) error {
	switch ev.Kind {
	case EventData:
		if s.tooBig {
			return nil
		}
		if s.p.MaxMessage > 0 && s.size+int64(len(ev.Data)) > s.p.MaxMessage {
			s.tooBig = true
			s.dropData()
			return nil
		}
		s.size += int64(len(ev.Data))
		return s.storeData(ev.Data)
	case EventDataEnd:
		return s.endData()
	case EventLineTooLong:
		s.reply("500 5.5.2 Line too long")
		return s.countError()
	}
	if err := s.c.CommandQueued(); err != nil {
		s.reply("421 4.7.0 Too many pipelined commands")
		return server.CloseWith(server.ClosePipelineTooDeep, err)
	}
	s.c.CommandStart(ev.Verb)
	defer s.c.CommandDone()
	return s.command(ev.Verb, ev.Arg)
}

// command is the dispatch point of the command state table (RFC 2033 §4,
// RFC 5321 §4.1.1).
func (s *session) command(verb, arg string) error {
	switch verb {
	case "LHLO":
		return s.cmdLHLO(arg)
	case "HELO", "EHLO":
		// RFC 2033 §4.1: LMTP clients must use LHLO.
		s.reply("500 5.5.1 This is an LMTP server: use LHLO")
		return s.countError()
	case "MAIL":
		return s.cmdMAIL(arg)
	case "RCPT":
		return s.cmdRCPT(arg)
	case "DATA":
		return s.cmdDATA(arg)
	case "RSET":
		s.reset()
		s.reply("250 2.0.0 OK")
	case "NOOP":
		s.reply("250 2.0.0 OK")
	case "QUIT":
		s.reply("221 2.0.0 %s Service closing transmission channel", s.p.Hostname)
		s.stopped = true
		s.c.Close(server.CloseClientQuit)
		return errStop
	case "VRFY", "EXPN":
		// As DBMail (spec 6.4).
		s.reply("502 5.5.1 Command not implemented")
	case "HELP":
		s.c.WriteString("214-Commands supported:\r\n214-LHLO MAIL RCPT DATA RSET NOOP QUIT HELP\r\n214 2.0.0 See RFC 2033\r\n")
	case "STARTTLS":
		return s.cmdSTARTTLS(arg)
	default:
		s.reply("500 5.5.2 Command not recognized")
		return s.countError()
	}
	return nil
}

func (s *session) countError() error {
	s.errors++
	if s.errors >= maxErrors {
		s.reply("421 4.7.0 Too many errors, closing connection")
		return server.CloseWith(server.CloseTooManyErrors, nil)
	}
	return nil
}

func (s *session) reset() {
	s.hasFrom, s.from, s.rcpts, s.tooBig = false, "", nil, false
	s.dropData()
}

// dropData forgets the message data received so far.
func (s *session) dropData() {
	s.data.Reset()
	if s.data.Cap() > 1<<20 {
		s.data = bytes.Buffer{} // give a big buffer back
	}
	if s.spool != nil {
		s.spool.Close()
		s.spool = nil
	}
	s.size = 0
}

// storeData keeps a chunk of (dot-unstuffed) message data: in memory up
// to message.SpoolThreshold, then in a spool file, so a big message costs
// bounded memory. The Return-Path field (spec 2.2) goes into the spool
// with the first bytes; its line ending is that of the message's first
// line within them.
func (s *session) storeData(b []byte) error {
	if s.spool == nil && s.data.Len()+len(b) <= message.SpoolThreshold {
		s.data.Write(b)
		return nil
	}
	if s.spool == nil {
		sp, err := message.NewSpool("")
		if err != nil {
			return s.spoolFailed(err)
		}
		s.spool = sp
		if _, err := sp.Write(delivery.PrependHeader(s.data.Bytes(), "Return-Path", "<"+s.from+">")); err != nil {
			return s.spoolFailed(err)
		}
		s.data.Reset()
	}
	if _, err := s.spool.Write(b); err != nil {
		return s.spoolFailed(err)
	}
	return nil
}

// spoolFailed ends the connection when DATA cannot be kept (a full
// disk): the client sees no reply and retries later (RFC 5321 §4.2.5,
// nothing was accepted).
func (s *session) spoolFailed(err error) error {
	s.c.Logger().Error("lmtp spool", "err", err)
	s.dropData()
	s.reply("421 4.3.0 %s Temporary failure, closing connection", s.p.Hostname)
	return server.CloseWith(server.CloseServiceUnavailable, err)
}

// cmdLHLO answers with the extensions (RFC 2033 §4.1, RFC 1869).
func (s *session) cmdLHLO(arg string) error {
	if arg == "" {
		s.reply("501 5.5.4 LHLO requires a domain")
		return s.countError()
	}
	s.reset()
	s.lhlo = true
	s.c.UseTimeout() // spec 5.3: timeout, not login_timeout, after LHLO
	s.c.SetState("ready")
	var b strings.Builder
	b.WriteString("250-" + s.p.Hostname + "\r\n")
	b.WriteString("250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n")
	if s.c.TLSAvailable() {
		b.WriteString("250-STARTTLS\r\n")
	}
	if s.p.MaxMessage > 0 {
		b.WriteString("250 SIZE " + strconv.FormatInt(s.p.MaxMessage, 10) + "\r\n")
	} else {
		b.WriteString("250 SIZE\r\n")
	}
	s.c.WriteString(b.String())
	return nil
}

// cmdSTARTTLS upgrades the connection (RFC 3207); anything the client
// pipelined after it is discarded (RFC 3207 §4.2).
func (s *session) cmdSTARTTLS(arg string) error {
	if arg != "" {
		s.reply("501 5.5.4 STARTTLS takes no argument")
		return s.countError()
	}
	if !s.c.TLSAvailable() {
		s.reply("454 4.7.0 TLS not available")
		return nil
	}
	s.reply("220 2.0.0 Ready to start TLS")
	if err := s.c.Flush(); err != nil {
		return err
	}
	if err := s.c.StartTLS(); err != nil {
		return server.CloseWith(server.CloseTLSError, err)
	}
	s.reset()
	s.lhlo = false // RFC 3207 §4.2: the client must LHLO again
	s.parser = NewParser(s.c.Limits().MaxLineLength)
	return errStop
}

// pathArg parses `FROM:<addr> params` / `TO:<addr> params` (RFC 5321
// §4.1.2); ok is false without angle brackets.
func pathArg(arg, prefix string) (addr string, params []string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", nil, false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", nil, false
	}
	addr = rest[1:end]
	// A source route (@a,@b:user@host) is ignored (RFC 5321 §4.1.2).
	if i := strings.IndexByte(addr, ':'); i >= 0 && strings.HasPrefix(addr, "@") {
		addr = addr[i+1:]
	}
	return addr, strings.Fields(rest[end+1:]), true
}

func (s *session) cmdMAIL(arg string) error {
	switch {
	case !s.lhlo:
		s.reply("503 5.5.1 Send LHLO first")
		return s.countError()
	case s.hasFrom:
		s.reply("503 5.5.1 Sender already given; use RSET to clear")
		return s.countError()
	}
	addr, params, ok := pathArg(arg, "FROM:")
	if !ok {
		s.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
		return s.countError()
	}
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		switch strings.ToUpper(k) {
		case "SIZE":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				s.reply("501 5.5.4 Bad SIZE parameter")
				return s.countError()
			}
			if s.p.MaxMessage > 0 && n > s.p.MaxMessage {
				s.reply("552 5.3.4 Message size exceeds fixed maximum message size")
				return nil
			}
		case "BODY":
			switch strings.ToUpper(v) {
			case "7BIT", "8BITMIME":
			default:
				// As DBMail: BINARYMIME needs CHUNKING, which LMTP here lacks.
				s.reply("555 5.5.4 Unsupported BODY type; use 7BIT or 8BITMIME")
				return s.countError()
			}
		case "SMTPUTF8", "AUTH", "RET", "ENVID":
		default:
			s.reply("555 5.5.4 Unsupported parameter %s", k)
			return s.countError()
		}
	}
	s.hasFrom, s.from = true, addr
	s.reply("250 2.1.0 Sender <%s> OK", addr)
	return nil
}

func (s *session) cmdRCPT(arg string) error {
	if !s.hasFrom {
		s.reply("503 5.5.1 Send MAIL first")
		return s.countError()
	}
	addr, _, ok := pathArg(arg, "TO:")
	if !ok || addr == "" {
		s.reply("501 5.5.4 Syntax: RCPT TO:<address>")
		return s.countError()
	}
	var res *db.Resolution
	var full bool
	err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
		d := s.p.DB.On(conn)
		var err error
		res, err = d.ResolveRecipient(ctx, addr)
		if err != nil {
			return err
		}
		for _, uid := range res.UserIDs {
			u, ok := res.Usage[uid]
			if !ok {
				var err error
				if u[0], u[1], err = d.QuotaUsage(ctx, uid); err != nil {
					return err
				}
			}
			used, limit := u[0], u[1]
			if limit > 0 && used >= limit {
				full = true
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, db.ErrNotFound), errors.Is(err, db.ErrInvalid):
		s.reply("550 5.1.1 Recipient <%s> unknown", addr)
		return nil
	case errors.Is(err, server.ErrBusy):
		s.reply("451 4.3.2 Server busy, try again later")
		return nil
	case err != nil:
		s.c.Logger().Error("recipient lookup failed", "recipient", addr, "err", err)
		s.reply("451 4.3.0 Temporary failure in recipient lookup")
		return nil
	case full && len(res.Forwards) == 0:
		if s.p.QuotaSoft {
			s.reply("452 4.2.2 Recipient <%s> mailbox full", addr)
		} else {
			s.reply("552 5.2.2 Recipient <%s> mailbox full", addr)
		}
		return nil
	}
	s.rcpts = append(s.rcpts, recipient{addr: addr, res: res})
	s.reply("250 2.1.5 Recipient <%s> OK", addr)
	return nil
}

func (s *session) cmdDATA(arg string) error {
	switch {
	case !s.hasFrom:
		s.reply("503 5.5.1 Send MAIL first")
		return s.countError()
	case len(s.rcpts) == 0:
		s.reply("503 5.5.1 No valid recipients")
		return s.countError()
	case arg != "":
		s.reply("501 5.5.4 DATA takes no argument")
		return s.countError()
	}
	s.data.Reset()
	s.tooBig = false
	s.parser.StartData()
	s.c.SetState("data")
	s.reply("354 Start mail input; end with <CRLF>.<CRLF>")
	return nil
}

// endData delivers the message and answers once per accepted recipient,
// in RCPT order (RFC 2033 §4.2). No 250 is sent before the commit.
func (s *session) endData() error {
	defer func() {
		s.reset()
		s.c.SetState("ready")
	}()
	if s.tooBig {
		for range s.rcpts {
			s.reply("552 5.3.4 Message size exceeds fixed maximum message size")
		}
		return nil
	}
	var raw []byte
	if s.spool == nil {
		raw = delivery.PrependHeader(s.data.Bytes(), "Return-Path", "<"+s.from+">")
	}
	rcpts := make([]delivery.Recipient, len(s.rcpts))
	for i, r := range s.rcpts {
		rcpts[i] = delivery.Recipient{Address: r.addr, Resolution: r.res}
	}
	var results []delivery.Result
	err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
		dl := *s.p.Deliverer
		dl.DB = s.p.DB.On(conn)
		var err error
		if s.spool != nil {
			results, err = dl.DeliverSpool(ctx, s.spool, s.from, rcpts)
		} else {
			results, err = dl.Deliver(ctx, raw, s.from, rcpts)
		}
		return err
	})
	if err != nil {
		code := "451 4.3.0"
		if errors.Is(err, server.ErrBusy) {
			code = "451 4.3.2"
		}
		s.c.Logger().Error("delivery failed", "err", err)
		for _, r := range s.rcpts {
			s.reply("%s Recipient <%s> Temporary failure, try again later", code, r.addr)
		}
		return nil
	}
	for _, r := range results {
		if r.Err != nil {
			s.c.Logger().Warn("recipient not delivered", "recipient", r.Recipient, "dsn", r.DSN.String(), "err", r.Err)
		}
		s.reply("%d %s Recipient <%s> %s", r.DSN.SMTPCode(), r.DSN, r.Recipient, r.DSN.Text())
		if s.p.Notify != nil {
			for _, mb := range r.Mailboxes {
				s.p.Notify.Publish(mb)
			}
		}
	}
	return nil
}

func (s *session) OnWake() error { return nil }

func (s *session) OnTimeout() {
	s.reply("421 4.4.2 %s Connection timed out", s.p.Hostname)
}

func (s *session) OnShutdown() {
	s.reply("421 4.3.2 %s Service shutting down", s.p.Hostname)
}

func (s *session) OnClose(server.CloseReason) { s.dropData() }
