package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// ServeConn serves one already-connected stream on the calling goroutine
// and returns why it closed. Connection limits do not apply. Used for
// inetd mode and by tests.
func (s *Server) ServeConn(nc net.Conn) CloseReason {
	kind := kindPlain
	if _, ok := nc.(*net.UnixConn); ok {
		kind = kindUnix
	}
	c := newConn(s, nc, kind, s.nextID.Add(1), time.Now())
	s.limiter.acquire(c.ip, Limits{})
	s.mu.Lock()
	s.conns[c.id] = c
	s.mu.Unlock()
	s.connWG.Add(1)
	reason := c.run()
	c.finish(reason)
	return reason
}

// ServeStdio is inetd mode (`-n`, spec 6.1): one session on standard input
// and output, no listeners, no pid file, no state socket. Standard input may
// be a socket (inetd, xinetd) or a pair of pipes; pipes are switched to
// non-blocking mode so that timeouts work. It returns when the session ends
// or ctx is cancelled (the session then gets OnShutdown).
func ServeStdio(ctx context.Context, cfg Config, proto Protocol, opts Options) error {
	if cfg.Port == 0 && cfg.TLSPort == 0 && cfg.Socket == "" {
		cfg.Port = 1 // no listener is bound in inetd mode; satisfy Validate
	}
	s, err := New(cfg, proto, opts)
	if err != nil {
		return err
	}
	nc, err := stdioConn()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, s.Shutdown)
	defer stop()
	reason := s.ServeConn(nc)
	s.log.Debug("inetd session ended", "reason", reason.String())
	return nil
}

// stdioConn returns standard input/output as a net.Conn.
func stdioConn() (net.Conn, error) {
	if c, err := net.FileConn(os.Stdin); err == nil {
		return c, nil // inetd passes the socket on 0 (and 1)
	}
	for _, fd := range []int{0, 1} {
		if err := syscall.SetNonblock(fd, true); err != nil {
			return nil, fmt.Errorf("inetd mode: fd %d: %w", fd, err)
		}
	}
	return newPipeConn(os.NewFile(0, "stdin"), os.NewFile(1, "stdout")), nil
}

// pipeConn is a net.Conn over a read pipe and a write pipe.
type pipeConn struct {
	r, w *os.File
}

func newPipeConn(r, w *os.File) *pipeConn { return &pipeConn{r: r, w: w} }

func (p *pipeConn) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *pipeConn) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *pipeConn) Close() error {
	return errors.Join(p.r.Close(), p.w.Close())
}

func (p *pipeConn) LocalAddr() net.Addr  { return stdioAddr{} }
func (p *pipeConn) RemoteAddr() net.Addr { return stdioAddr{} }

func (p *pipeConn) SetDeadline(t time.Time) error {
	return errors.Join(p.r.SetReadDeadline(t), p.w.SetWriteDeadline(t))
}

func (p *pipeConn) SetReadDeadline(t time.Time) error  { return p.r.SetReadDeadline(t) }
func (p *pipeConn) SetWriteDeadline(t time.Time) error { return p.w.SetWriteDeadline(t) }

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "stdio" }
