package pop3

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/password"
	"github.com/dbmail-go/dbmail/server"
)

// cmdUser (RFC 1939 §7 USER).
func (s *session) cmdUser(cmd Command) error {
	if !s.plainAllowed() {
		s.reply("-ERR try STLS")
		return nil
	}
	if cmd.Rest == "" {
		return s.fail("-ERR your command does not compute")
	}
	s.user = cmd.Rest
	s.replyf("+OK Password required for %s", s.user)
	return nil
}

// cmdPass (RFC 1939 §7 PASS). The password is the rest of the line: it may
// contain spaces (RFC 1939 §7 note).
func (s *session) cmdPass(cmd Command) error {
	if !s.plainAllowed() {
		s.reply("-ERR try STLS")
		return nil
	}
	if s.user == "" {
		return s.fail("-ERR your command does not compute")
	}
	user := s.user
	s.user = ""
	return s.passwordLogin(user, cmd.Rest)
}

// cmdAPOP (RFC 1939 §7 APOP; spec 6.3: plain-text stored passwords only,
// never under LDAP).
func (s *session) cmdAPOP(cmd Command) error {
	if len(cmd.Args) != 2 {
		return s.fail("-ERR your command does not compute")
	}
	if s.p.NoAPOP {
		s.reply("-ERR APOP command is not supported")
		return nil
	}
	name, digest := cmd.Args[0], cmd.Args[1]
	return s.login(name, func(ctx context.Context, d *db.DB) (*db.User, error) {
		return s.challengeUser(ctx, d, name, func(u *db.User) bool {
			return password.VerifyAPOP(u.EncryptionType, u.Passwd, s.stamp, digest)
		})
	})
}

// errNotPlain: APOP or CRAM-MD5 for a user whose password is not stored in
// plain text (spec 6.3).
var errNotPlain = errors.New("password not stored in plain text")

// challengeUser runs the checks of db.Authenticate for a challenge-response
// login (spec 4.2 steps 2–6): usermap, __public__, active, the digest
// against passwd, then spasswd with its security action.
func (s *session) challengeUser(ctx context.Context, d *db.DB, login string, verify func(*db.User) bool) (*db.User, error) {
	name, err := d.ResolveUsermap(ctx, login, s.clientSocket())
	if err != nil {
		return nil, err
	}
	if name == "" || strings.EqualFold(name, db.PublicUser) {
		return nil, db.ErrAuth
	}
	u, err := d.UserByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil, db.ErrAuth
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, db.ErrAuth
	}
	if u.EncryptionType != "" {
		return nil, errNotPlain
	}
	switch {
	case verify(u):
	case u.SPasswd != "" && verify(&db.User{EncryptionType: u.EncryptionType, Passwd: u.SPasswd}):
		if err := d.RunSecurityAction(ctx, u, s.p.SecurityActions); err != nil {
			return nil, err
		}
	default:
		return nil, db.ErrAuth
	}
	if err := d.TouchLastLogin(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// clientSocket is the usermap socket of the listener (spec 4.4).
func (s *session) clientSocket() string {
	a := s.c.LocalAddr()
	if a == nil || a.Network() != "tcp" {
		return ""
	}
	return "inet:" + a.String()
}

// login finishes any authentication: check the address is not locked out,
// verify, take the maildrop lock, load the maildrop and enter TRANSACTION
// (RFC 1939 §4). check runs on the worker pool.
func (s *session) login(name string, check func(ctx context.Context, d *db.DB) (*db.User, error)) error {
	if !s.c.LoginAllowed() {
		s.reply("-ERR [LOGIN-DELAY] too many failed logins, try again later")
		return nil
	}
	var u *db.User
	var mb *db.Mailbox
	var msgs []db.POP3Message
	var locked bool
	token := randomHex(16)
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		u, err = check(ctx, d)
		if err != nil {
			return err
		}
		locked, err = d.AcquirePOP3Lock(ctx, u.ID, token, holder(s.p.Hostname), s.p.lease())
		if err != nil || !locked {
			return err
		}
		release := func(cause error) error {
			if rerr := d.ReleasePOP3Lock(ctx, u.ID, token); rerr != nil {
				return errors.Join(cause, rerr)
			}
			return cause
		}
		mb, err = d.EnsureMailbox(ctx, u.ID, "INBOX")
		if err != nil {
			return release(fmt.Errorf("INBOX of %s: %w", u.Name, err))
		}
		msgs, err = d.POP3Maildrop(ctx, mb.ID)
		if err != nil {
			return release(err)
		}
		if s.p.BeforeSMTP && s.c.RemoteIP().IsValid() {
			if err := d.RecordPOPBeforeSMTP(ctx, s.c.RemoteIP().String()); err != nil {
				return release(err)
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, db.ErrAuth):
		return s.loginFailed("-ERR [AUTH] username/password incorrect")
	case errors.Is(err, errNotPlain):
		return s.loginFailed("-ERR [AUTH] APOP command is not supported for this user")
	case err != nil:
		return s.sysError("login", err)
	case !locked:
		s.reply("-ERR [IN-USE] maildrop already locked: do you have another POP session running?")
		return nil
	}
	s.lock = lockState{userID: u.ID, token: token, held: true}
	s.armRefresh()
	drop, err := s.newMaildrop(mb.ID, msgs)
	if err != nil {
		return s.sysError("login", err)
	}
	s.drop = drop
	s.c.SetUser(u.Name)
	s.c.SetMailbox("INBOX")
	s.setState(stateTransaction)
	s.replyf("+OK %s has %d messages (%d octets)", u.Name, drop.count, drop.octets)
	return nil
}

// loginFailed answers a failed login after the failure delay; a locked-out
// address is disconnected.
func (s *session) loginFailed(text string) error {
	locked := s.c.LoginFailed()
	s.reply(text)
	if locked {
		s.stopInput = true
		return server.CloseWith(server.CloseLoginLockout, nil)
	}
	return nil
}
