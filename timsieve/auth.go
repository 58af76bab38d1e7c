package timsieve

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// saslExchange is an AUTHENTICATE waiting for the client's responses
// (RFC 5804 §2.1: server challenges and client responses are strings).
type saslExchange struct {
	mech string
	user string // LOGIN: the user name, once given
}

// LOGIN mechanism prompts, base64 of "Username:" and "Password:".
var (
	loginUserPrompt = base64.StdEncoding.EncodeToString([]byte("Username:"))
	loginPassPrompt = base64.StdEncoding.EncodeToString([]byte("Password:"))
)

// cmdAuthenticate: RFC 5804 §2.1, AUTHENTICATE mechanism [initial-response].
func (s *session) cmdAuthenticate(args []Arg) bool {
	if len(args) < 1 || len(args) > 2 || !args[0].IsString() || len(args) == 2 && !args[1].IsString() {
		return false
	}
	mech := strings.ToUpper(args[0].Value)
	if mech != "PLAIN" && mech != "LOGIN" {
		s.c.Write(response("NO", "", "Authentication scheme not supported."))
		return true
	}
	if s.plaintextRefused() {
		s.c.Write(response("NO", "ENCRYPT-NEEDED", "Use STARTTLS before authenticating."))
		return true
	}
	if !s.c.LoginAllowed() {
		s.c.Write(response("BYE", "", "Too many failed logins."))
		s.close(server.CloseLoginLockout, nil)
		return true
	}
	s.sasl = &saslExchange{mech: mech}
	if len(args) == 2 {
		s.saslStep(args[1].Value)
		return true
	}
	s.challenge()
	return true
}

// plaintextRefused reports whether logins must wait for STARTTLS.
func (s *session) plaintextRefused() bool {
	return !s.p.AllowPlaintextAuth && s.c.TLSAvailable()
}

// challenge sends the next server challenge.
func (s *session) challenge() {
	prompt := ""
	if s.sasl.mech == "LOGIN" {
		prompt = loginUserPrompt
		if s.sasl.user != "" {
			prompt = loginPassPrompt
		}
	}
	s.c.Write(appendString(nil, prompt))
	s.c.Write([]byte("\r\n"))
}

// continueAuth takes one client response line of an AUTHENTICATE.
func (s *session) continueAuth(cmd Command) {
	s.c.Tracer().ClientSecret([]byte("(SASL response)"))
	if cmd.Err != nil || len(cmd.Args) != 1 || !cmd.Args[0].IsString() {
		s.sasl = nil
		s.bad("expected a SASL response string")
		return
	}
	if cmd.Args[0].Kind == Quoted && cmd.Args[0].Value == "*" {
		s.sasl = nil
		s.c.Write(response("NO", "", "Authentication aborted."))
		return
	}
	s.saslStep(cmd.Args[0].Value)
}

// saslStep decodes one base64 response and either asks for more or
// checks the credentials.
func (s *session) saslStep(b64 string) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		s.sasl = nil
		s.c.Write(response("NO", "", "Invalid base64 in SASL response."))
		return
	}
	switch s.sasl.mech {
	case "PLAIN":
		// RFC 4616 §2: [authzid] NUL authcid NUL passwd.
		parts := bytes.Split(data, []byte{0})
		if len(parts) != 3 {
			s.sasl = nil
			s.c.Write(response("NO", "", "Malformed PLAIN response."))
			return
		}
		authz, user, pass := string(parts[0]), string(parts[1]), string(parts[2])
		s.sasl = nil
		if authz != "" && authz != user {
			s.c.Write(response("NO", "", "Proxy authorization is not supported."))
			return
		}
		s.login(user, pass)
	case "LOGIN":
		if s.sasl.user == "" {
			if len(data) == 0 {
				s.sasl = nil
				s.c.Write(response("NO", "", "Username or password incorrect."))
				return
			}
			s.sasl.user = string(data)
			s.challenge()
			return
		}
		user := s.sasl.user
		s.sasl = nil
		s.login(user, string(data))
	}
}

// login checks the credentials (spec 4.2) and enters the authenticated
// state; a failure is delayed by the server's login throttling.
func (s *session) login(user, pass string) {
	var res *db.AuthResult
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		res, err = d.Authenticate(ctx, user, pass, s.clientSocket(), s.p.SecurityActions)
		return err
	})
	if !ok {
		return
	}
	if err != nil {
		if !errors.Is(err, db.ErrAuth) {
			s.log.Error("managesieve authentication failed", "user", user, "err", err)
		}
		if s.c.LoginFailed() {
			s.c.Write(response("BYE", "", "Too many failed logins."))
			s.close(server.CloseLoginLockout, nil)
			return
		}
		s.c.Write(response("NO", "", "Username or password incorrect."))
		return
	}
	s.user = res.User
	s.state = stateAuth
	s.c.SetUser(res.User.Name)
	s.c.SetState(stateNames[stateAuth])
	s.log.Info("managesieve login", "user", res.User.Name)
	s.c.Write(response("OK", "", "Logged in."))
}

// clientSocket names the listener for dbmail_usermap (spec 4.4).
func (s *session) clientSocket() string {
	if a := s.c.LocalAddr(); a != nil && a.Network() == "tcp" {
		return "inet:" + a.String()
	}
	return ""
}

// cmdStartTLS: RFC 5804 §2.2. After the handshake the server re-issues
// its capabilities and OK; everything the client sent before is dropped.
func (s *session) cmdStartTLS(args []Arg) bool {
	if len(args) != 0 {
		return false
	}
	if err := s.c.StartTLS(); err != nil {
		s.c.Write(response("NO", "", "TLS is not available."))
		return true
	}
	s.c.Write(response("OK", "", "Begin TLS negotiation now."))
	s.stop = true
	s.tlsPending = true
	s.c.Wake() // handled after the handshake: see OnWake
	return true
}

// cmdLogout: RFC 5804 §2.3.
func (s *session) cmdLogout(args []Arg) bool {
	if len(args) != 0 {
		return false
	}
	s.state = stateLogout
	s.c.SetState(stateNames[stateLogout])
	s.c.Write(response("OK", "", "Bye."))
	s.close(server.CloseClientQuit, nil)
	return true
}

// cmdUnauthenticate: RFC 5804 §2.14.1, back to the non-authenticated
// state.
func (s *session) cmdUnauthenticate(args []Arg) bool {
	if len(args) != 0 {
		return false
	}
	s.user = nil
	s.state = stateNonAuth
	s.c.SetState(stateNames[stateNonAuth])
	s.c.Write(response("OK", "", "Unauthenticated."))
	return true
}
