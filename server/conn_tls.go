package server

import (
	"context"
	"crypto/tls"
	"time"
)

// StartTLS asks for the connection to be upgraded to TLS once the current
// callback returns, after its output (the protocol's "begin TLS" reply) is
// flushed: RFC 3501 §6.2.1 (IMAP STARTTLS), RFC 2595 §4 (POP3 STLS),
// RFC 5804 §2.2 (ManageSieve STARTTLS). The session must drop whatever
// input it still holds. ErrNoTLS when no certificate is configured or the
// connection is already encrypted.
func (c *Conn) StartTLS() error {
	if c.srv.tlsConfig() == nil || c.IsTLS() || c.tlsReq {
		return ErrNoTLS
	}
	c.tlsReq = true
	return nil
}

// handshake runs the server side of the TLS handshake on the socket, for
// implicit TLS listeners and STARTTLS, bounded by login_timeout.
func (c *Conn) handshake() CloseReason {
	cfg := c.srv.tlsConfig()
	if cfg == nil {
		return CloseTLSError
	}
	c.disarm() // a TLS connection waits on its goroutine: no parking
	tc := tls.Server(c.nc, cfg)
	timeout := c.srv.settings().LoginTimeout
	_ = c.sock.SetDeadline(time.Now().Add(timeout))
	ctx, cancel := context.WithTimeout(c.srv.baseCtx, timeout)
	// The handshake needs a deep stack; running it on its own short-lived
	// goroutine keeps the connection goroutine's stack small for the idle
	// life of the connection.
	errc := make(chan error, 1)
	go func() { errc <- tc.HandshakeContext(ctx) }()
	err := <-errc
	cancel()
	_ = c.sock.SetDeadline(time.Time{})
	if err != nil {
		if r := CloseReason(c.closeReq.Load()); r != CloseNone {
			return r
		}
		c.Logger().Info("TLS handshake failed", "peer", c.peer, "err", err)
		return CloseTLSError
	}
	c.nc = tc
	c.raw = nil // tls.Conn buffers decrypted input: wait inside Read
	c.lastActive.Store(time.Now().UnixNano())
	c.mu.Lock()
	c.info.tls = true
	c.mu.Unlock()
	return CloseNone
}
