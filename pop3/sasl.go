package pop3

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/password"
	"github.com/dbmail-go/dbmail/server"
)

// saslExchange is an AUTH command waiting for the client's next response
// line (RFC 5034 §4).
type saslExchange struct {
	mech      string
	step      int
	user      string // LOGIN: the name given in the first response
	challenge string // CRAM-MD5
}

// cmdAuth (RFC 5034 §4). Without a mechanism it lists the mechanisms as a
// multi-line response, as many servers do for old clients.
func (s *session) cmdAuth(cmd Command) error {
	if len(cmd.Args) == 0 {
		s.reply("+OK")
		for _, m := range strings.Fields(s.mechanisms()) {
			s.reply(m)
		}
		s.reply(".")
		return nil
	}
	if len(cmd.Args) > 2 {
		return s.fail("-ERR your command does not compute")
	}
	mech := strings.ToUpper(cmd.Args[0])
	if !strings.Contains(" "+s.mechanisms()+" ", " "+mech+" ") {
		if (mech == "PLAIN" || mech == "LOGIN") && !s.plainAllowed() {
			s.reply("-ERR try STLS")
			return nil
		}
		s.reply("-ERR unsupported authentication mechanism")
		return nil
	}
	x := &saslExchange{mech: mech}
	if len(cmd.Args) == 2 {
		if mech == "CRAM-MD5" { // RFC 2195: the server speaks first
			return s.fail("-ERR your command does not compute")
		}
		s.sasl = x
		return s.saslStep(cmd.Args[1])
	}
	s.sasl = x
	switch mech {
	case "PLAIN":
		s.reply("+ ")
	case "LOGIN":
		s.reply("+ " + base64.StdEncoding.EncodeToString([]byte("Username:")))
	case "CRAM-MD5":
		x.challenge = "<" + strconv.FormatInt(time.Now().UnixNano(), 10) + "." + randomHex(4) + "@" + s.p.Hostname + ">"
		s.reply("+ " + base64.StdEncoding.EncodeToString([]byte(x.challenge)))
	}
	return nil
}

// saslStep handles one client response of the exchange (RFC 5034 §4: "*"
// cancels; "=" is an empty initial response).
func (s *session) saslStep(line string) error {
	x := s.sasl
	if line == "*" {
		s.sasl = nil
		s.reply("-ERR authentication cancelled")
		return nil
	}
	var data []byte
	if line != "=" {
		var err error
		data, err = base64.StdEncoding.DecodeString(line)
		if err != nil {
			s.sasl = nil
			return s.fail("-ERR invalid base64 in authentication response")
		}
	}
	switch x.mech {
	case "PLAIN": // RFC 4616 §2: [authzid] NUL authcid NUL passwd
		s.sasl = nil
		parts := bytes.Split(data, []byte{0})
		if len(parts) != 3 || (len(parts[0]) > 0 && string(parts[0]) != string(parts[1])) {
			return s.loginFailed("-ERR [AUTH] username/password incorrect")
		}
		return s.passwordLogin(string(parts[1]), string(parts[2]))
	case "LOGIN":
		if x.step == 0 {
			x.user = string(data)
			x.step++
			s.reply("+ " + base64.StdEncoding.EncodeToString([]byte("Password:")))
			return nil
		}
		s.sasl = nil
		return s.passwordLogin(x.user, string(data))
	case "CRAM-MD5": // RFC 2195 §2: name SP hex-digest
		s.sasl = nil
		name, digest, ok := strings.Cut(string(data), " ")
		if !ok {
			return s.loginFailed("-ERR [AUTH] username/password incorrect")
		}
		return s.login(name, func(ctx context.Context, d *db.DB) (*db.User, error) {
			return s.challengeUser(ctx, d, name, func(u *db.User) bool {
				return password.VerifyCRAMMD5(u.EncryptionType, u.Passwd, x.challenge, digest)
			})
		})
	}
	s.sasl = nil
	return server.CloseWith(server.CloseProtocolError, nil)
}

func (s *session) passwordLogin(user, pass string) error {
	return s.login(user, func(ctx context.Context, d *db.DB) (*db.User, error) {
		res, err := d.Authenticate(ctx, user, pass, s.clientSocket(), s.p.SecurityActions)
		if err != nil {
			return nil, err
		}
		return res.User, nil
	})
}

// cmdSTLS (RFC 2595 §4): answer, then the server upgrades the connection
// after flushing; input already buffered is discarded.
func (s *session) cmdSTLS(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail("-ERR your command does not compute")
	}
	if err := s.c.StartTLS(); err != nil {
		s.reply("-ERR TLS not available")
		return nil
	}
	s.reply("+OK Begin TLS now")
	s.stopInput = true
	s.tlsUpgrade = true
	s.user = ""
	s.lines.Reset()
	return nil
}
