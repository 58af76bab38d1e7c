package server

import (
	"errors"
	"io"
)

// Protocol is what a daemon plugs into the server: it makes one Session per
// accepted connection and words the refusals sent to connections the server
// will not serve.
type Protocol interface {
	// NewSession is called on the connection's goroutine before Greet.
	NewSession(c *Conn) Session
	// Refuse writes the protocol's one-line refusal for a connection that is
	// closed at once with reason (CloseTooManyConnections,
	// CloseTooManyFromIP, CloseServerShutdown), e.g. IMAP "* BYE Too many
	// connections". The writer has a short deadline; errors are ignored.
	Refuse(w io.Writer, reason CloseReason)
}

// Session is one connection's protocol state machine. All methods are
// called on the connection's goroutine, one at a time, so a Session needs no
// locking; it writes with Conn.Write (buffered, flushed after each callback
// returns or by Conn.Flush) and may block in Conn.Query. While a callback
// runs, the connection reads nothing more: that is the backpressure on
// pipelining clients.
type Session interface {
	// Greet writes the greeting. An error closes the connection
	// (CloseServiceUnavailable unless the error carries a reason, see
	// CloseError).
	Greet() error
	// OnData pushes bytes read from the client into the parser; b is only
	// valid during the call. It returns a non-nil error to close the
	// connection (a *CloseError picks the reason; others count as
	// CloseProtocolError). After calling Conn.StartTLS the session must
	// ignore the rest of b and anything it buffered before (RFC 3207 §4.2,
	// RFC 2595 §3.1: no plaintext command injection).
	OnData(b []byte) error
	// OnWake runs after Conn.Wake was called from another goroutine (a
	// mailbox change for IDLE, a notification). Errors close as in OnData.
	OnWake() error
	// OnTimeout is called when the idle timeout expired; the session may
	// write a goodbye. The connection is then closed with
	// CloseLoginTimeout or CloseTimeout.
	OnTimeout()
	// OnShutdown is called when the server drains (SIGTERM) and the session
	// has no command running; it writes the protocol's goodbye (IMAP
	// "* BYE"). The connection is then closed with CloseServerShutdown.
	OnShutdown()
	// OnClose is called exactly once, after the socket is closed. It may
	// still use Conn.Query (to close an authlog row, spec 8.3); the
	// connection's context is cancelled after it returns.
	OnClose(reason CloseReason)
}

// CloseError makes a Session callback close the connection with a chosen
// reason; Err (optional) is logged.
type CloseError struct {
	Reason CloseReason
	Err    error
}

func (e *CloseError) Error() string {
	if e.Err == nil {
		return "close: " + e.Reason.String()
	}
	return "close: " + e.Reason.String() + ": " + e.Err.Error()
}

func (e *CloseError) Unwrap() error { return e.Err }

// CloseWith returns a *CloseError for reason wrapping err (may be nil).
func CloseWith(reason CloseReason, err error) error {
	return &CloseError{Reason: reason, Err: err}
}

// Errors returned by Conn and Pool methods.
var (
	// ErrBusy: the worker pool queue is full; answer with the protocol's
	// temporary failure (IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP],
	// LMTP 451) and carry on.
	ErrBusy = errors.New("server busy: worker queue full")
	// ErrPoolClosed: the pool was closed.
	ErrPoolClosed = errors.New("worker pool closed")
	// ErrNoPool: the server was started without a worker pool.
	ErrNoPool = errors.New("no worker pool configured")
	// ErrClosed: the connection is closed or closing; stop writing.
	ErrClosed = errors.New("connection closed")
	// ErrNoTLS: STARTTLS is impossible (no certificate configured, or the
	// connection already uses TLS).
	ErrNoTLS = errors.New("TLS not available")
	// ErrPipelineTooDeep: more commands queued than Limits.MaxPipeline.
	ErrPipelineTooDeep = errors.New("too many pipelined commands")
	// ErrDisconnected: the client went away while a Query ran.
	ErrDisconnected = errors.New("client disconnected")
)
