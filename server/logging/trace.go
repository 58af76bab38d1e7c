package logging

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// TraceFlags select what protocol tracing shows. Tracing is logged at debug
// level, so the debug bit must also be in a level mask to see it.
type TraceFlags uint8

// Trace flags; combine with |.
const (
	TraceOff     TraceFlags = 0
	TraceOn      TraceFlags = 1 // C:/S: lines, secrets and bodies redacted
	TraceSecrets TraceFlags = 2 // show passwords and SASL responses
	TraceBodies  TraceFlags = 4 // show message bodies and literals
)

// ParseTrace reads a comma-separated list of "off", "on", "secrets",
// "bodies", "all". Asking for secrets or bodies implies on.
func ParseTrace(s string) (TraceFlags, error) {
	var f TraceFlags
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' }) {
		switch w {
		case "off", "no", "0":
		case "on", "yes", "1":
			f |= TraceOn
		case "secrets":
			f |= TraceOn | TraceSecrets
		case "bodies":
			f |= TraceOn | TraceBodies
		case "all":
			f |= TraceOn | TraceSecrets | TraceBodies
		default:
			return 0, fmt.Errorf("trace %q: want off, on, secrets, bodies or all", w)
		}
	}
	return f, nil
}

// Redacted replaces secrets in traces.
const Redacted = "***"

// Tracer writes C:/S: protocol trace lines through a logger.
type Tracer struct {
	log   *slog.Logger
	flags TraceFlags
}

// NewTracer returns a tracer; with TraceOff or a nil logger it does nothing.
func NewTracer(l *slog.Logger, f TraceFlags) Tracer {
	if l == nil {
		f = TraceOff
	}
	return Tracer{log: l, flags: f}
}

// Enabled reports whether trace lines would be written.
func (t Tracer) Enabled() bool {
	return t.flags&TraceOn != 0 && t.log.Enabled(context.Background(), LevelDebug)
}

// Client traces a command line from the client, redacting the secrets of
// LOGIN, AUTHENTICATE, AUTH, PASS and APOP unless TraceSecrets is set.
func (t Tracer) Client(line []byte) {
	if !t.Enabled() {
		return
	}
	s := string(trimEOL(line))
	if t.flags&TraceSecrets == 0 {
		s = RedactCommand(s)
	}
	t.log.Debug("C: " + s)
}

// ClientSecret traces a line that is a secret as a whole (a SASL response
// in an AUTHENTICATE exchange).
func (t Tracer) ClientSecret(line []byte) {
	if !t.Enabled() {
		return
	}
	if t.flags&TraceSecrets == 0 {
		t.log.Debug("C: " + Redacted)
		return
	}
	t.log.Debug("C: " + string(trimEOL(line)))
}

// Server traces a response line.
func (t Tracer) Server(line []byte) {
	if !t.Enabled() {
		return
	}
	t.log.Debug("S: " + string(trimEOL(line)))
}

// Body traces message bytes sent ('S') or received ('C'): only their size
// unless TraceBodies is set.
func (t Tracer) Body(dir byte, b []byte) {
	if !t.Enabled() {
		return
	}
	if t.flags&TraceBodies == 0 {
		t.log.Debug(string(dir) + ": <" + strconv.Itoa(len(b)) + " bytes of message data>")
		return
	}
	t.log.Debug(string(dir) + ": " + string(b))
}

func trimEOL(b []byte) []byte {
	return bytes.TrimRight(b, "\r\n")
}

// RedactCommand hides the secret arguments of the login commands of IMAP
// (RFC 3501 §6.2.2–6.2.3: tag LOGIN user pass, tag AUTHENTICATE mech [ir]),
// POP3 (RFC 1939 §7: PASS, APOP; RFC 5034: AUTH mech [ir]) and ManageSieve
// (RFC 5804 §2.1: AUTHENTICATE "mech" ["ir"]). Other lines are unchanged.
func RedactCommand(s string) string {
	t0, r0 := nextToken(s)
	switch strings.ToUpper(t0) {
	case "PASS":
		if strings.TrimSpace(r0) == "" {
			return s
		}
		return t0 + " " + Redacted
	case "APOP", "AUTH", "AUTHENTICATE":
		return keepOne(s, r0)
	}
	t1, r1 := nextToken(r0)
	switch strings.ToUpper(t1) {
	case "LOGIN", "AUTHENTICATE":
		return keepOne(s, r1)
	}
	return s
}

// keepOne keeps s up to and including the token after rest's start and
// redacts anything following it.
func keepOne(s, rest string) string {
	tok, after := nextToken(rest)
	if tok == "" || strings.TrimSpace(after) == "" {
		return s
	}
	return s[:len(s)-len(after)] + " " + Redacted
}

// nextToken skips spaces and returns the next atom or quoted string (with
// its quotes) and the remainder after it.
func nextToken(s string) (string, string) {
	s = strings.TrimLeft(s, " ")
	if s == "" {
		return "", ""
	}
	if s[0] == '"' {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return s[:i+1], s[i+1:]
			}
		}
		return s, ""
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}
