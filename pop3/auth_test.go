package pop3

import (
	"crypto/tls"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/password"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestSASL: AUTH PLAIN (with and without initial response), LOGIN,
// CRAM-MD5 and APOP (RFC 5034, RFC 4616, RFC 2195, RFC 1939 §7).
func TestSASL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		addUser(t, d, "erin", "pw one")
		e := startEnv(t, d, envOptions{})
		ok := "+OK erin has 0 messages (0 octets)"

		c := e.dial(t)
		c.send("AUTH")
		c.expect("+OK")
		if got := strings.Join(c.lines(), " "); got != "PLAIN LOGIN CRAM-MD5" {
			t.Fatalf("AUTH list %q", got)
		}
		c.cmd("AUTH PLAIN "+b64("\x00erin\x00pw one"), ok)
		c.cmd("QUIT", "+OK see ya later")

		c = e.dial(t)
		c.cmd("AUTH PLAIN", "+ ")
		c.cmd(b64("erin\x00erin\x00wrong"), "-ERR [AUTH] username/password incorrect")
		c.cmd("AUTH PLAIN", "+ ")
		c.cmd("*", "-ERR authentication cancelled")
		c.cmd("AUTH PLAIN", "+ ")
		c.cmd(b64("erin\x00erin\x00pw one"), ok)
		c.cmd("QUIT", "+OK see ya later")

		c = e.dial(t)
		c.cmd("AUTH LOGIN", "+ "+b64("Username:"))
		c.cmd(b64("erin"), "+ "+b64("Password:"))
		c.cmd(b64("pw one"), ok)
		c.cmd("QUIT", "+OK see ya later")

		c = e.dial(t)
		c.send("AUTH CRAM-MD5")
		line := c.line()
		chal, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "+ "))
		if err != nil || !strings.HasPrefix(line, "+ ") || !strings.HasSuffix(string(chal), "@pop.test>") {
			t.Fatalf("CRAM-MD5 challenge %q", line)
		}
		c.cmd(b64("erin "+password.CRAMMD5("pw one", string(chal))), ok)
		c.cmd("QUIT", "+OK see ya later")

		nc := e.dial(t)
		nc.cmd("AUTH X-UNKNOWN", "-ERR unsupported authentication mechanism")
		nc.cmd("AUTH PLAIN", "+ ")
		nc.cmd("not base64!", "-ERR invalid base64 in authentication response")
	})
}

// TestAPOP: the digest of the greeting's timestamp (RFC 1939 §7); only for
// plain-text passwords (spec 6.3).
func TestAPOP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		addUser(t, d, "fay", "tanstaaf")
		stored, enc, err := password.Encode("md5", "hashed")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.CreateUser(t.Context(), db.User{Name: "gus", Passwd: stored, EncryptionType: enc, Active: true}); err != nil {
			t.Fatal(err)
		}
		e := startEnv(t, d, envOptions{})
		nc, err := dialRaw(e.plain)
		if err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, nc: nc}
		c.init()
		stamp := c.greeting[strings.LastIndex(c.greeting, " ")+1:]
		c.cmd("APOP fay "+password.APOPDigest(stamp, "wrong"), "-ERR [AUTH] username/password incorrect")
		c.cmd("APOP gus "+password.APOPDigest(stamp, "hashed"), "-ERR [AUTH] APOP command is not supported for this user")
		c.cmd("APOP fay "+password.APOPDigest(stamp, "tanstaaf"), "+OK fay has 0 messages (0 octets)")
		c.cmd("QUIT", "+OK see ya later")
	})
}

// TestSTLS: STLS on the plain port (RFC 2595 §4), CAPA before and after,
// no plaintext command injection, implicit TLS on tls_port, and
// login_disabled (spec 5.5).
func TestSTLS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		addUser(t, d, "hal", "pw")
		e := startEnv(t, d, envOptions{tls: true, loginDisabled: true})
		c := e.dial(t)
		c.send("CAPA")
		c.expect("+OK Capability list follows")
		if got := strings.Join(c.lines(), ","); got != "TOP,SASL CRAM-MD5,STLS,UIDL,PIPELINING,RESP-CODES,AUTH-RESP-CODE,EXPIRE NEVER,IMPLEMENTATION dbmail-go" {
			t.Fatalf("CAPA before STLS: %s", got)
		}
		c.cmd("USER hal", "-ERR try STLS")
		c.cmd("AUTH PLAIN", "-ERR try STLS")
		// NOOP after STLS in the same packet must be discarded.
		c.send("STLS\r\nNOOP")
		c.expect("+OK Begin TLS now")
		if c.r.Buffered() != 0 {
			t.Fatalf("data after STLS reply: %d bytes", c.r.Buffered())
		}
		tc := tls.Client(c.nc, &tls.Config{RootCAs: e.roots, ServerName: "127.0.0.1"})
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		c = &client{t: t, nc: tc}
		c.reset()
		c.send("CAPA")
		c.expect("+OK Capability list follows")
		if got := strings.Join(c.lines(), ","); got != "TOP,USER,SASL PLAIN LOGIN CRAM-MD5,UIDL,PIPELINING,RESP-CODES,AUTH-RESP-CODE,EXPIRE NEVER,IMPLEMENTATION dbmail-go" {
			t.Fatalf("CAPA after STLS: %s", got)
		}
		c.cmd("STLS", "-ERR TLS not available")
		c.login("hal", "pw", 0, 0)
		c.cmd("QUIT", "+OK see ya later")

		c = e.dialTLS(t)
		c.login("hal", "pw", 0, 0)
		c.cmd("QUIT", "+OK see ya later")
	})
}

// TestPOPBeforeSMTP: each login records the client address in dbmail_pbsp
// (spec 5.3, 8.3), inserting once and then refreshing the row.
func TestPOPBeforeSMTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		addUser(t, d, "pia", "pw")
		e := startEnv(t, d, envOptions{beforeSMTP: true})
		for i := 0; i < 2; i++ {
			c := e.dial(t)
			c.login("pia", "pw", 0, 0)
			c.cmd("QUIT", "+OK see ya later")
		}
		var n int
		if err := d.QueryRow(t.Context(), `SELECT COUNT(*) FROM {pbsp} WHERE ipnumber = '127.0.0.1'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("pbsp rows for 127.0.0.1: %d, want 1", n)
		}
	})
}
