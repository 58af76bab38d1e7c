package imap4

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/password"
	"github.com/dbmail-go/dbmail/server"
)

// RFC 3501 §6.1.1 CAPABILITY.
func (s *Session) cmdCapability(cmd *Command) {
	s.enc.Raw("* CAPABILITY ").Raw(s.capabilities()).CRLF()
	s.done(cmd, "")
}

// RFC 3501 §6.1.2 NOOP and §6.4.1 CHECK: report pending mailbox updates.
func (s *Session) cmdNoop(cmd *Command) {
	if s.sel != nil {
		if !s.sendUpdates(true) {
			s.fail(cmd, s.lastErr())
			return
		}
	}
	s.done(cmd, "")
}

// RFC 3501 §6.1.3 LOGOUT.
func (s *Session) cmdLogout(cmd *Command) {
	s.enc.StatusLine("*", "BYE", "", "Requested")
	s.done(cmd, "")
	s.setState(StateLogout)
	s.closing = server.CloseWith(server.CloseClientQuit, nil)
}

// RFC 2971 §3.1 ID: the server's identification (spec 6.2).
func (s *Session) cmdID(cmd *Command) {
	host, _ := os.Hostname()
	s.enc.Raw("* ID (").String("name").SP().String("dbmail").SP().
		String("version").SP().String(s.cfg.Version).SP().
		String("implementation").SP().String("dbmail-go").SP().
		String("host").SP().String(host).Raw(")").CRLF()
	s.done(cmd, "")
}

// RFC 5161 §3.1 ENABLE: CONDSTORE (RFC 7162 §3.1) and QRESYNC (§3.2.3,
// which implies CONDSTORE).
func (s *Session) cmdEnable(cmd *Command) {
	a := cmd.Args.(*EnableArgs)
	var newly []string
	for _, c := range a.Capabilities {
		switch c {
		case "CONDSTORE":
			if !s.condStore {
				s.condStore = true
				newly = append(newly, c)
			}
		case "QRESYNC":
			if !s.qresync {
				s.qresync = true
				newly = append(newly, c)
				if !s.condStore {
					s.condStore = true
				}
			}
		}
	}
	s.enc.Raw("* ENABLED")
	for _, c := range newly {
		s.enc.SP().Raw(c)
	}
	s.enc.CRLF()
	s.done(cmd, "")
}

// RFC 3501 §6.2.1 STARTTLS.
func (s *Session) cmdStartTLS(cmd *Command) {
	if s.c.IsTLS() {
		s.no(cmd, "", "TLS already active")
		return
	}
	if err := s.c.StartTLS(); err != nil {
		s.no(cmd, "", "TLS not available")
		return
	}
	s.ok(cmd, "", "Begin TLS now")
	// RFC 3501 §6.2.1: anything the client pipelined after STARTTLS is
	// discarded (no plaintext command injection).
	s.tls = true
	s.p = newSharedParser(s.proto.lim)
}

// RFC 3501 §6.2.3 LOGIN.
func (s *Session) cmdLogin(cmd *Command) {
	a := cmd.Args.(*LoginArgs)
	if s.loginDisabled() {
		s.no(cmd, "PRIVACYREQUIRED", "try STARTTLS first")
		return
	}
	s.login(cmd, a.Username, a.Password)
}

// login checks credentials and moves to the authenticated state.
func (s *Session) login(cmd *Command, user, pass string) {
	if !s.c.LoginAllowed() {
		s.no(cmd, "UNAVAILABLE", "too many failed logins, try later")
		return
	}
	var res *db.AuthResult
	err := s.queryUrgent(func(ctx context.Context, d *db.DB) error {
		var err error
		res, err = d.Authenticate(ctx, user, pass, s.clientSocket(), s.cfg.SecurityActions)
		return err
	})
	s.loginResult(cmd, res, err)
}

func (s *Session) loginResult(cmd *Command, res *db.AuthResult, err error) {
	if errors.Is(err, db.ErrAuth) {
		s.log.Info("imap login failed", "peer", s.c.RemoteAddr().String())
		locked := s.c.LoginFailed()
		s.no(cmd, "AUTHENTICATIONFAILED", "login rejected")
		if locked {
			s.closing = server.CloseWith(server.CloseLoginLockout, nil)
		}
		return
	}
	if err != nil {
		s.fail(cmd, err)
		return
	}
	s.user = res.User
	s.c.SetUser(res.User.Name)
	s.setState(StateAuth)
	s.ok(cmd, "CAPABILITY "+s.capabilities(), fmt.Sprintf("User %s authenticated", res.User.Name))
}

// clientSocket names the listener for dbmail_usermap (spec 4.4).
func (s *Session) clientSocket() string {
	if a := s.c.LocalAddr(); a != nil && a.Network() == "tcp" {
		return "inet:" + a.String()
	}
	return ""
}

// authState is an AUTHENTICATE exchange in progress (RFC 3501 §6.2.2).
type authState struct {
	cmd       *Command
	mech      string
	step      int
	user      string
	challenge string
}

// RFC 3501 §6.2.2 AUTHENTICATE with PLAIN (RFC 4616), LOGIN and CRAM-MD5
// (RFC 2195), and SASL-IR initial responses (RFC 4959).
func (s *Session) cmdAuthenticate(cmd *Command) {
	a := cmd.Args.(*AuthenticateArgs)
	if s.loginDisabled() {
		s.no(cmd, "PRIVACYREQUIRED", "try STARTTLS first")
		return
	}
	st := &authState{cmd: cmd, mech: a.Mechanism}
	switch a.Mechanism {
	case "PLAIN", "LOGIN":
	case "CRAM-MD5":
		if s.cfg.NoCRAMMD5 {
			s.no(cmd, "", "Invalid authentication mechanism specified")
			return
		}
		if a.HasInitialResponse {
			s.bad(cmd, "CRAM-MD5 takes no initial response")
			return
		}
	default:
		s.no(cmd, "", "Invalid authentication mechanism specified")
		return
	}
	s.auth = st
	if a.HasInitialResponse {
		s.authData(a.InitialResponse)
		return
	}
	switch a.Mechanism {
	case "PLAIN":
		s.challenge("")
	case "LOGIN":
		s.challenge("Username:")
	case "CRAM-MD5":
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		host, _ := os.Hostname()
		if host == "" {
			host = "localhost"
		}
		st.challenge = fmt.Sprintf("<%s.%d@%s>", hex.EncodeToString(rnd[:]), time.Now().Unix(), host)
		s.challenge(st.challenge)
	}
}

// challenge sends a base64 continuation and reads the next line as a SASL
// response.
func (s *Session) challenge(text string) {
	s.enc.Raw("+ ").Raw(base64.StdEncoding.EncodeToString([]byte(text))).CRLF()
	s.p.SetMode(ModeAuth)
}

// authStep handles one continuation line of AUTHENTICATE.
func (s *Session) authStep() {
	st := s.auth
	if st == nil {
		s.tagged("", "BAD", "", "unexpected continuation")
		return
	}
	resp, err := s.p.AuthResponse()
	if errors.Is(err, ErrAuthCancelled) {
		s.auth = nil
		s.bad(st.cmd, "AUTHENTICATE cancelled")
		return
	}
	if err != nil {
		s.auth = nil
		s.bad(st.cmd, "invalid base64 in response")
		return
	}
	s.authData(resp)
}

// authData advances the mechanism with one client response.
func (s *Session) authData(resp []byte) {
	st := s.auth
	cmd := st.cmd
	switch st.mech {
	case "PLAIN":
		s.auth = nil
		parts := bytes.Split(resp, []byte{0})
		if len(parts) != 3 {
			s.bad(cmd, "malformed PLAIN response")
			return
		}
		authz, authc, pass := string(parts[0]), string(parts[1]), string(parts[2])
		// RFC 4616 §2: acting as another identity is not supported; the
		// authorization identity must be empty or the same.
		if authz != "" && authz != authc {
			s.no(cmd, "AUTHORIZATIONFAILED", "authorization identity must match")
			return
		}
		s.login(cmd, authc, pass)
	case "LOGIN":
		if st.step == 0 {
			st.user = string(resp)
			st.step = 1
			s.challenge("Password:")
			return
		}
		s.auth = nil
		s.login(cmd, st.user, string(resp))
	case "CRAM-MD5":
		s.auth = nil
		user, digest, ok := strings.Cut(string(resp), " ")
		if !ok {
			s.bad(cmd, "malformed CRAM-MD5 response")
			return
		}
		s.cramLogin(cmd, user, digest, st.challenge)
	}
}

// cramLogin verifies a CRAM-MD5 response: the full 32-digit digest must
// match (spec 6.2 security fix: an empty digest never logs in).
func (s *Session) cramLogin(cmd *Command, login, digest, challenge string) {
	if !s.c.LoginAllowed() {
		s.no(cmd, "UNAVAILABLE", "too many failed logins, try later")
		return
	}
	var res *db.AuthResult
	err := s.queryUrgent(func(ctx context.Context, d *db.DB) error {
		name, err := d.ResolveUsermap(ctx, login, s.clientSocket())
		if err != nil {
			return err
		}
		if name == "" || strings.EqualFold(name, db.PublicUser) {
			return db.ErrAuth
		}
		u, err := d.UserByName(ctx, name)
		if errors.Is(err, db.ErrNotFound) {
			return db.ErrAuth
		}
		if err != nil {
			return err
		}
		if !u.Active || !password.VerifyCRAMMD5(u.EncryptionType, u.Passwd, challenge, digest) {
			return db.ErrAuth
		}
		res = &db.AuthResult{User: u}
		return d.TouchLastLogin(ctx, u.ID)
	})
	s.loginResult(cmd, res, err)
}

// queryUrgent is query for a login: the next free SQL worker takes it
// before queued commands of logged-in sessions (server.Pool.SubmitUrgent),
// so a saturated server still answers LOGIN after one job's time.
func (s *Session) queryUrgent(fn func(ctx context.Context, d *db.DB) error) error {
	return s.c.QueryUrgent(func(ctx context.Context, conn *sql.Conn) error {
		return fn(ctx, s.cfg.DB.On(conn))
	})
}
