package pop3

// Implementation is the IMPLEMENTATION capability's argument (RFC 2449 §6.9).
const Implementation = "dbmail-go"

// cmdCapa lists the capabilities of the current state (RFC 2449 §5): USER,
// SASL and STLS only before login, STLS only while TLS is possible, USER
// and the plain-text SASL mechanisms only where login_disabled allows them.
func (s *session) cmdCapa(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail("-ERR your command does not compute")
	}
	s.reply("+OK Capability list follows")
	s.reply("TOP")
	if s.state == stateAuthorization {
		if s.plainAllowed() {
			s.reply("USER")
		}
		if mechs := s.mechanisms(); mechs != "" {
			s.reply("SASL " + mechs)
		}
		if s.c.TLSAvailable() {
			s.reply("STLS")
		}
	}
	s.reply("UIDL")
	s.reply("PIPELINING")
	s.reply("RESP-CODES")
	s.reply("AUTH-RESP-CODE")
	s.reply("EXPIRE NEVER")
	s.reply("IMPLEMENTATION " + Implementation)
	s.reply(".")
	return nil
}

// plainAllowed reports whether passwords may be sent in the clear now
// (spec 5.5 login_disabled: only when TLS could be used instead).
func (s *session) plainAllowed() bool {
	return !(s.p.LoginDisabled && s.c.TLSAvailable())
}

// mechanisms is the SASL list (RFC 5034 §3).
func (s *session) mechanisms() string {
	out := ""
	if s.plainAllowed() {
		out = "PLAIN LOGIN"
	}
	if !s.p.NoAPOP {
		if out != "" {
			out += " "
		}
		out += "CRAM-MD5"
	}
	return out
}
