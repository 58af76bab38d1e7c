package server

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

// Options are the parts of a daemon the server reports on or calls back.
type Options struct {
	Logger *slog.Logger      // default slog.Default()
	Log    LogControl        // applies logging settings on reload; optional
	Pool   *Pool             // SQL worker pool for Conn.Query; optional
	DB     *sql.DB           // database pool, for the state dump; optional
	Cache  func() CacheStats // cache statistics, for the state dump; optional
	// Reload re-reads dbmail.conf on SIGHUP; nil keeps the running config
	// and only reopens log files and reloads TLS certificates.
	Reload func() (Config, error)
	// ParkAfter is how long a connection waits for input on its own
	// goroutine before it parks (README.md, "Goroutine model"): a busy
	// client's next command then costs no epoll arming and no new
	// goroutine. 0 means DefaultParkAfter; negative parks at once.
	ParkAfter time.Duration
}

// DefaultParkAfter is Options.ParkAfter when it is zero.
const DefaultParkAfter = time.Second

// LogControl is implemented by *logging.Output.
type LogControl interface {
	Apply(cfg logging.Config) error
	Reopen() error
}

// CacheStats is the cache summary line of the state dump.
type CacheStats struct {
	Backend   string // lru, memcached
	Items     uint64
	Bytes     uint64
	Hits      uint64
	Misses    uint64
	Evictions uint64
}

// Server accepts connections for one protocol and runs their sessions.
type Server struct {
	cfg     atomic.Pointer[Config]
	proto   Protocol
	opts    Options
	log     *slog.Logger
	bufs    *buffers
	limiter *connLimiter
	fails   *loginTracker
	cmdHist histogram
	certs   certStore
	tlsCfg  atomic.Pointer[tls.Config]
	started time.Time

	baseCtx    context.Context // cancelled when draining gives up waiting
	baseCancel context.CancelFunc
	draining   chan struct{} // closed when shutdown begins
	drainOnce  sync.Once
	stopOnce   sync.Once
	poll       poller     // epoll set of parked connections (Linux)
	parkTimers connTimers // idle deadlines of parked connections: kick
	wakeTimers connTimers // Conn.WakeAt: Wake

	mu        sync.Mutex
	conns     map[uint64]*Conn
	listeners []boundListener
	nextID    atomic.Uint64
	connWG    sync.WaitGroup
	acceptWG  sync.WaitGroup
	refuseWG  sync.WaitGroup
}

// New checks cfg, loads the TLS material and returns a server that is not
// listening yet.
func New(cfg Config, proto Protocol, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Program, err)
	}
	if proto == nil {
		return nil, errors.New("server: nil protocol")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{
		proto:    proto,
		opts:     opts,
		log:      opts.Logger,
		bufs:     newBuffers(),
		limiter:  newConnLimiter(),
		fails:    newLoginTracker(),
		started:  time.Now(),
		draining: make(chan struct{}),
		conns:    make(map[uint64]*Conn),
	}
	s.baseCtx, s.baseCancel = context.WithCancel(context.Background())
	s.parkTimers.fire = (*Conn).kick
	s.wakeTimers.fire = (*Conn).Wake
	if err := s.applyTLS(cfg.TLS); err != nil {
		return nil, err
	}
	c := cfg
	s.cfg.Store(&c)
	return s, nil
}

// applyTLS loads (or reloads) the certificate into the store.
func (s *Server) applyTLS(f TLSFiles) error {
	if !f.Enabled() {
		s.tlsCfg.Store(nil)
		return nil
	}
	cert, suites, ignored, err := loadTLS(f)
	if err != nil {
		return err
	}
	if len(ignored) > 0 {
		s.log.Warn("tls_ciphers entries not supported, ignored", "entries", ignored)
	}
	s.certs.cert.Store(cert)
	s.tlsCfg.Store(newTLSConfig(&s.certs, suites))
	return nil
}

func (s *Server) settings() *Config      { return s.cfg.Load() }
func (s *Server) tlsConfig() *tls.Config { return s.tlsCfg.Load() }

// Config returns the configuration in force.
func (s *Server) Config() Config { return *s.cfg.Load() }

// Listen binds every configured listener (spec 5.3): plain and implicit-TLS
// TCP on each bindip, and the Unix socket. On error nothing stays bound.
func (s *Server) Listen() error {
	cfg := s.settings()
	var bound []boundListener
	fail := func(err error) error {
		for _, b := range bound {
			_ = b.ln.Close()
			if b.path != "" {
				_ = os.Remove(b.path)
			}
		}
		if isAddrInUse(err) {
			return fmt.Errorf("%s: address already in use: %w", cfg.Program, err)
		}
		return err
	}
	for _, ip := range cfg.BindIP {
		for _, p := range []struct {
			port int
			kind string
		}{{cfg.Port, kindPlain}, {cfg.TLSPort, kindTLS}} {
			if p.port == 0 {
				continue
			}
			ln, err := listenTCP(ip, p.port, cfg.Backlog, cfg.ReusePort)
			if err != nil {
				return fail(err)
			}
			bound = append(bound, boundListener{ln: ln, kind: p.kind})
		}
	}
	if cfg.Socket != "" {
		ln, err := listenUnix(cfg.Socket, cfg.Backlog)
		if err != nil {
			return fail(err)
		}
		bound = append(bound, boundListener{ln: ln, kind: kindUnix, path: cfg.Socket})
	}
	s.mu.Lock()
	s.listeners = append(s.listeners, bound...)
	s.mu.Unlock()
	for _, b := range bound {
		s.log.Info("listening", "addr", b.ln.Addr().String(), "kind", b.kind)
	}
	return nil
}

// Addrs returns the bound listener addresses (for tests and logs).
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.ln.Addr()
	}
	return out
}

// Serve accepts connections on the bound listeners until ctx ends, then
// drains (Shutdown) and returns nil.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	ls := append([]boundListener(nil), s.listeners...)
	s.mu.Unlock()
	if len(ls) == 0 {
		return fmt.Errorf("%s: serve: no listeners bound", s.settings().Program)
	}
	for _, l := range ls {
		s.acceptWG.Add(1)
		go s.acceptLoop(l)
	}
	select {
	case <-ctx.Done():
	case <-s.draining:
	}
	s.Shutdown()
	return nil
}

func (s *Server) acceptLoop(l boundListener) {
	defer s.acceptWG.Done()
	var backoff time.Duration
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Error("accept failed", "addr", l.ln.Addr().String(), "err", err, "retry_in", backoff.String())
			select {
			case <-time.After(backoff):
			case <-s.draining:
				return
			}
			continue
		}
		backoff = 0
		s.admit(nc, l.kind)
	}
}

// admit applies the connection limits and starts the connection's goroutine.
func (s *Server) admit(nc net.Conn, kind string) {
	now := time.Now()
	c := newConn(s, nc, kind, s.nextID.Add(1), now)
	reason := CloseServerShutdown
	select {
	case <-s.draining:
	default:
		reason = s.limiter.acquire(c.ip, s.settings().Limits)
	}
	if reason != CloseNone {
		s.log.Info("connection refused", "peer", c.peer, "reason", reason.String())
		s.refuseWG.Add(1)
		go func() {
			defer s.refuseWG.Done()
			_ = refuse(s.proto, nc, reason)
		}()
		return
	}
	s.mu.Lock()
	s.conns[c.id] = c
	s.mu.Unlock()
	s.connWG.Add(1)
	s.log.Info("connect", logging.KeySession, c.id, "peer", c.peer, "kind", kind)
	go c.serve()
}

// connDone is called by a connection's goroutine as its last act.
func (s *Server) connDone(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c.id)
	s.mu.Unlock()
	s.connWG.Done()
}

// sessions returns the open connections ordered by id.
func (s *Server) sessions() []*Conn {
	s.mu.Lock()
	out := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Shutdown stops accepting, asks every session to finish its running
// command and say goodbye (Session.OnShutdown), waits up to ShutdownGrace,
// then cancels the rest (their Query contexts end, their sockets close) and
// removes Unix sockets. Safe to call more than once.
func (s *Server) Shutdown() {
	s.stopOnce.Do(s.shutdown)
}

func (s *Server) shutdown() {
	s.drainOnce.Do(func() { close(s.draining) })
	s.mu.Lock()
	ls := s.listeners
	s.mu.Unlock()
	for _, l := range ls {
		_ = l.ln.Close()
	}
	s.acceptWG.Wait()
	conns := s.sessions()
	if len(conns) > 0 {
		s.log.Info("draining sessions", "count", len(conns), "grace", s.settings().ShutdownGrace.String())
	}
	for _, c := range conns {
		c.interrupt(flagShutdown)
	}
	if !waitTimeout(&s.connWG, s.settings().ShutdownGrace) {
		left := s.sessions()
		s.log.Warn("grace period over, closing sessions", "count", len(left))
		// The close reason first: cancelling the jobs makes sessions fail
		// their commands, and they must close as shut down, not as
		// protocol errors.
		for _, c := range left {
			c.closeReq.CompareAndSwap(uint32(CloseNone), uint32(CloseServerShutdown))
		}
		s.baseCancel()
		for _, c := range left {
			_ = c.sock.Close()
			c.interrupt(0) // a parked connection is not woken by its socket closing
		}
		s.connWG.Wait()
	}
	s.stopPoller()
	s.parkTimers.stop()
	s.wakeTimers.stop()
	s.baseCancel()
	s.refuseWG.Wait()
	for _, l := range ls {
		if l.path != "" {
			if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn("remove unix socket", "path", l.path, "err", err)
			}
		}
	}
}

// Draining is closed when shutdown begins.
func (s *Server) Draining() <-chan struct{} { return s.draining }

// waitTimeout waits for wg up to d; false when d passed first.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
