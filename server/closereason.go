package server

// CloseReason says why a connection ended; it is printed in logs and in the
// state dump (README.md), so the strings are stable.
type CloseReason uint8

// Close reasons.
const (
	CloseNone               CloseReason = iota // still open
	CloseClientQuit                            // client sent LOGOUT/QUIT
	CloseEOF                                   // client closed the connection
	CloseReadError                             // reading failed (reset, ...)
	CloseWriteError                            // writing failed
	CloseLoginTimeout                          // idle before authentication
	CloseTimeout                               // idle after authentication
	CloseSlowConsumer                          // client did not read our output in time
	CloseTooManyErrors                         // protocol gave up on a misbehaving client
	CloseProtocolError                         // parser or handler error
	CloseLineTooLong                           // a line exceeded the limit
	ClosePipelineTooDeep                       // too many commands ahead of responses
	CloseLoginLockout                          // too many login failures from the address
	CloseServerShutdown                        // SIGTERM/SIGINT drain
	CloseTLSError                              // handshake failed
	CloseTooManyConnections                    // refused at accept: total limit
	CloseTooManyFromIP                         // refused at accept: per-address limit
	CloseServiceUnavailable                    // protocol refused (database down, ...)
)

var closeNames = [...]string{
	CloseNone:               "open",
	CloseClientQuit:         "client-quit",
	CloseEOF:                "client-eof",
	CloseReadError:          "read-error",
	CloseWriteError:         "write-error",
	CloseLoginTimeout:       "login-timeout",
	CloseTimeout:            "idle-timeout",
	CloseSlowConsumer:       "slow-consumer",
	CloseTooManyErrors:      "too-many-errors",
	CloseProtocolError:      "protocol-error",
	CloseLineTooLong:        "line-too-long",
	ClosePipelineTooDeep:    "pipeline-too-deep",
	CloseLoginLockout:       "login-lockout",
	CloseServerShutdown:     "server-shutdown",
	CloseTLSError:           "tls-error",
	CloseTooManyConnections: "too-many-connections",
	CloseTooManyFromIP:      "too-many-from-ip",
	CloseServiceUnavailable: "service-unavailable",
}

// String returns the stable name used in logs and the state dump.
func (r CloseReason) String() string {
	if int(r) < len(closeNames) {
		return closeNames[r]
	}
	return "unknown"
}
