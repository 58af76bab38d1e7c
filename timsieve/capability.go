package timsieve

import (
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/sieve"
)

// saslMechanisms are the SASL mechanisms AUTHENTICATE accepts (§2.1).
var saslMechanisms = []string{"PLAIN", "LOGIN"}

// writeCapabilities writes the capability lines (RFC 5804 §1.7) without
// the final OK.
func (s *session) writeCapabilities() {
	var b []byte
	line := func(name string, value ...string) {
		b = appendString(b, name)
		for _, v := range value {
			b = append(b, ' ')
			b = appendString(b, v)
		}
		b = append(b, "\r\n"...)
	}
	line("IMPLEMENTATION", s.p.Implementation)
	if s.state == stateNonAuth {
		// Before STARTTLS, when plain-text logins are refused, no
		// mechanism is offered (as Dovecot does): clients upgrade first.
		mechs := strings.Join(saslMechanisms, " ")
		if s.plaintextRefused() {
			mechs = ""
		}
		line("SASL", mechs)
	}
	line("SIEVE", strings.Join(sieve.Extensions(s.p.Sieve), " "))
	if s.state == stateNonAuth && s.c.TLSAvailable() {
		line("STARTTLS")
	}
	line("MAXREDIRECTS", strconv.Itoa(s.p.maxRedirects()))
	if s.p.Sieve.Notify {
		line("NOTIFY", "mailto")
	}
	if s.state == stateAuth {
		line("OWNER", s.user.Name)
	}
	line("UNAUTHENTICATE")
	line("VERSION", "1.0")
	s.c.Write(b)
}

// cmdCapability: RFC 5804 §2.4.
func (s *session) cmdCapability(args []Arg) bool {
	if len(args) != 0 {
		return false
	}
	s.writeCapabilities()
	s.c.Write(response("OK", "", "Capability completed."))
	return true
}

// cmdNoop: RFC 5804 §2.13; a string argument comes back in a TAG code.
func (s *session) cmdNoop(args []Arg) bool {
	switch {
	case len(args) == 0:
		s.c.Write(response("OK", "", "NOOP completed."))
	case len(args) == 1 && args[0].IsString():
		code := string(appendString([]byte("TAG "), args[0].Value))
		s.c.Write(response("OK", code, "Done"))
	default:
		return false
	}
	return true
}
