package server

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

// Listener kinds, printed in the state dump.
const (
	kindPlain = "plain"
	kindTLS   = "tls"
	kindUnix  = "unix"
)

// Wake-up flags, set by other goroutines, consumed by the connection loop.
const (
	flagWake     uint32 = 1 << iota // Session.OnWake wanted
	flagNudge                       // re-arm the idle deadline (settings changed)
	flagShutdown                    // server drains
)

// Conn is one client connection: the socket, the idle deadline, the
// outbound buffer with its budget, the limits, and the facts the state
// dump prints. Methods are for the Session's callbacks (they run on the
// connection's goroutine) except Wake, Close, ID and Snapshot, which any
// goroutine may call.
type Conn struct {
	srv     *Server
	nc      net.Conn        // current stream: TCP, Unix, or TLS over them
	sock    net.Conn        // the socket under nc (deadlines for the watcher)
	raw     syscall.RawConn // readiness of nc; nil when nc buffers (TLS)
	sockRaw syscall.RawConn // readiness of sock; nil when unsupported
	id      uint64
	ip      netip.Addr // invalid for Unix-socket clients
	peer    string
	kind    string
	since   time.Time
	sess    Session
	peekFn  func(fd uintptr) bool
	ctlFn   func(fd uintptr) // c.control, bound once

	lastActive atomic.Int64 // unix nanoseconds of the last input or callback end
	bytesIn    atomic.Uint64
	bytesOut   atomic.Uint64
	flags      atomic.Uint32
	closeReq   atomic.Uint32 // CloseReason asked for by Close
	depth      atomic.Int32  // commands queued, not yet done
	parkState  atomic.Uint32 // parkRunning, parkParked, parkKicked

	mu     sync.Mutex // guards info, ctx, cancel, logger
	info   connInfo
	ctx    context.Context
	cancel context.CancelFunc
	logger *slog.Logger

	// Owned by the connection goroutine.
	authed bool
	closed bool    // socket closed; OnClose running
	out    *[]byte // pending output; nil while idle
	werr   error   // sticky write error
	big    bool    // last read filled its buffer: use the large class
	tlsReq bool
	peekN  int
	peekE  syscall.Errno
	probe  [1]byte
	noPark bool // wait on the goroutine (ServeConn, or arming failed)
	ctlErr error
	ps     parkSys
	parkT  timerEntry // idle deadline while parked (Server.parkTimers)
	wakeT  timerEntry // WakeAt (Server.wakeTimers)
}

type connInfo struct {
	user, state, mailbox, command string
	cmdStart                      time.Time
	tls                           bool
}

func newConn(s *Server, nc net.Conn, kind string, id uint64, now time.Time) *Conn {
	c := &Conn{srv: s, nc: nc, sock: nc, id: id, kind: kind, since: now}
	c.parkT = timerEntry{c: c, idx: -1}
	c.wakeT = timerEntry{c: c, idx: -1}
	c.lastActive.Store(now.UnixNano())
	if a := nc.RemoteAddr(); a != nil {
		c.peer = a.String()
		if ap, err := netip.ParseAddrPort(c.peer); err == nil {
			c.ip = ap.Addr().Unmap()
		}
	}
	if kind == kindUnix {
		c.peer = "unix" // Unix-socket clients have no address ("@")
	}
	if sc, ok := nc.(syscall.Conn); ok && canPeek {
		if rc, err := sc.SyscallConn(); err == nil {
			c.sockRaw = rc
			c.raw = rc
			c.peekFn = c.peek
			if canPark {
				c.ctlFn = c.control
			}
		}
	}
	return c
}

// ID is the session number shown in logs and the state dump.
func (c *Conn) ID() uint64 { return c.id }

// RemoteAddr is the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.sock.RemoteAddr() }

// LocalAddr is the address the client connected to (for dbmail_usermap
// and authlog).
func (c *Conn) LocalAddr() net.Addr { return c.sock.LocalAddr() }

// RemoteIP is the client's IP address; invalid for Unix-socket clients.
func (c *Conn) RemoteIP() netip.Addr { return c.ip }

// IsTLS reports whether the connection is encrypted (implicit TLS or after
// STARTTLS).
func (c *Conn) IsTLS() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info.tls
}

// TLSAvailable reports whether StartTLS would succeed: a certificate is
// configured and the connection is not yet encrypted. Protocols use it to
// advertise STARTTLS/STLS.
func (c *Conn) TLSAvailable() bool { return c.srv.tlsConfig() != nil && !c.IsTLS() }

// TLSState returns the negotiated TLS parameters, ok=false on plain text.
func (c *Conn) TLSState() (tls.ConnectionState, bool) {
	if tc, ok := c.nc.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Limits returns the limits in force now (they change on reload).
func (c *Conn) Limits() Limits { return c.srv.settings().Limits }

// ShuttingDown reports whether the server is draining; a session may stop
// processing pipelined commands early.
func (c *Conn) ShuttingDown() bool { return c.flags.Load()&flagShutdown != 0 }

// Logger returns the server's logger with this session's id.
func (c *Conn) Logger() *slog.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.logger == nil {
		c.logger = slog.New(&sessionHandler{h: c.srv.log.Handler(), id: c.id})
	}
	return c.logger
}

// sessionHandler adds the session id to each record when it is logged,
// not when the logger is made: slog's With would copy the handler chain
// with the id pre-rendered into every connection's Logger, which an idle
// connection would keep (README.md, "Memory per connection").
type sessionHandler struct {
	h  slog.Handler
	id uint64
}

func (s *sessionHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return s.h.Enabled(ctx, l)
}

func (s *sessionHandler) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(slog.Uint64(logging.KeySession, s.id))
	return s.h.Handle(ctx, r)
}

func (s *sessionHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return s.h.WithAttrs(append([]slog.Attr{slog.Uint64(logging.KeySession, s.id)}, as...))
}

func (s *sessionHandler) WithGroup(name string) slog.Handler {
	return s.h.WithAttrs([]slog.Attr{slog.Uint64(logging.KeySession, s.id)}).WithGroup(name)
}

// Tracer returns the protocol tracer configured for the server.
func (c *Conn) Tracer() logging.Tracer {
	return logging.NewTracer(c.Logger(), c.srv.settings().Trace)
}

// Context is cancelled when the connection closes or the server stops
// waiting for it, for work the session does on its own goroutine (FETCH
// rendering, SEARCH). Query jobs run under a context derived from the
// server's, which ends on the same events while the Query waits.
func (c *Conn) Context() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(c.srv.baseCtx)
	}
	return c.ctx
}

func (c *Conn) cancelContext() {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// SetUser records a successful login: the idle timeout switches from
// login_timeout to timeout, the address's login failures are forgotten,
// and the state dump shows user.
func (c *Conn) SetUser(user string) {
	c.UseTimeout()
	if c.ip.IsValid() {
		c.srv.fails.succeeded(c.ip)
	}
	c.mu.Lock()
	c.info.user = user
	c.mu.Unlock()
}

// UseTimeout switches the idle limit from login_timeout to timeout without
// a login, as LMTP does after LHLO (spec 5.3).
func (c *Conn) UseTimeout() { c.authed = true }

// Authenticated reports whether SetUser or UseTimeout was called.
func (c *Conn) Authenticated() bool { return c.authed }

// SetState records the protocol state for the dump (IMAP NOT_AUTHENTICATED,
// AUTHENTICATED, SELECTED, LOGOUT; POP3 AUTHORIZATION, TRANSACTION, …).
func (c *Conn) SetState(state string) {
	c.mu.Lock()
	c.info.state = state
	c.mu.Unlock()
}

// SetMailbox records the selected mailbox ("" for none).
func (c *Conn) SetMailbox(name string) {
	c.mu.Lock()
	c.info.mailbox = name
	c.mu.Unlock()
}

// CommandQueued counts a complete command the parser holds but has not
// answered yet; ErrPipelineTooDeep means more than Limits.MaxPipeline are
// outstanding, and the session should refuse it or close with
// ClosePipelineTooDeep. Each successful call needs one CommandDone.
func (c *Conn) CommandQueued() error {
	if int(c.depth.Load()) >= c.srv.settings().Limits.MaxPipeline {
		return ErrPipelineTooDeep
	}
	c.depth.Add(1)
	return nil
}

// CommandStart records the command now executing (for the dump).
func (c *Conn) CommandStart(name string) {
	c.mu.Lock()
	c.info.command = name
	c.info.cmdStart = time.Now()
	c.mu.Unlock()
}

// CommandDone ends the command begun by CommandQueued and CommandStart.
func (c *Conn) CommandDone() {
	if c.depth.Load() > 0 {
		c.depth.Add(-1)
	}
	c.mu.Lock()
	if !c.info.cmdStart.IsZero() {
		c.srv.cmdHist.observe(time.Since(c.info.cmdStart))
	}
	c.info.command = ""
	c.info.cmdStart = time.Time{}
	c.mu.Unlock()
}

// Pipelined returns the number of commands queued and not yet done.
func (c *Conn) Pipelined() int { return int(c.depth.Load()) }

// Wake asks the connection's goroutine to call Session.OnWake soon, even
// while it waits for input. Safe from any goroutine; wake-ups coalesce.
func (c *Conn) Wake() { c.interrupt(flagWake) }

// WakeAt asks for Session.OnWake at t (or as soon as possible after it), as
// if Wake were called then; a later call replaces t, a zero t cancels.
// Connections share one timer (README.md, "Goroutine model"), so a session
// that needs a periodic wake-up (IMAP IDLE keepalive) keeps no timer of
// its own. Safe from any goroutine.
func (c *Conn) WakeAt(t time.Time) {
	if t.IsZero() {
		c.srv.wakeTimers.remove(&c.wakeT)
		return
	}
	c.srv.wakeTimers.set(&c.wakeT, t.UnixNano())
}

// Close asks for the connection to be closed with reason after the current
// callback returns (output written so far is flushed first). Safe from any
// goroutine; the first reason wins.
func (c *Conn) Close(reason CloseReason) {
	if reason == CloseNone {
		return
	}
	c.closeReq.CompareAndSwap(uint32(CloseNone), uint32(reason))
	c.interrupt(0)
}

// interrupt sets flags and makes the loop see them without polling: a
// parked connection is resumed (kick), a pending wait for input returns at
// once (an expired read deadline).
func (c *Conn) interrupt(f uint32) {
	if f != 0 {
		c.flags.Or(f)
	}
	if canPark {
		c.kick()
	}
	_ = c.sock.SetReadDeadline(aLongTimeAgo)
}

// aLongTimeAgo is a deadline in the past that makes blocked reads return.
var aLongTimeAgo = time.Unix(1, 0)

// Snapshot is what the state dump prints for one session.
type Snapshot struct {
	ID        uint64
	Peer      string
	Listener  string // plain, tls, unix
	TLS       bool
	User      string
	State     string
	Mailbox   string
	Command   string
	CmdTime   time.Duration // how long Command has been running
	Idle      time.Duration // since the last input or callback end
	BytesIn   uint64
	BytesOut  uint64
	Since     time.Time
	Pipelined int
}

// Snapshot returns the session's current facts; safe from any goroutine.
func (c *Conn) Snapshot(now time.Time) Snapshot {
	c.mu.Lock()
	info := c.info
	c.mu.Unlock()
	s := Snapshot{
		ID: c.id, Peer: c.peer, Listener: c.kind, TLS: info.tls,
		User: info.user, State: info.state, Mailbox: info.mailbox, Command: info.command,
		Idle:    now.Sub(time.Unix(0, c.lastActive.Load())),
		BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(), Since: c.since,
		Pipelined: int(c.depth.Load()),
	}
	if !info.cmdStart.IsZero() {
		s.CmdTime = now.Sub(info.cmdStart)
	}
	if s.Idle < 0 {
		s.Idle = 0
	}
	return s
}
