package imap4

import (
	"strconv"
	"strings"
)

// capabilities returns the CAPABILITY list for the session's current
// state (RFC 3501 §6.1.1, spec 6.2). It keeps every capability DBMail
// advertises and adds the extensions this server implements; before
// login only the ones usable then are shown, and LOGINDISABLED hides the
// AUTH= items on a plain connection that could use STARTTLS (RFC 3501
// §6.2.3, RFC 8314).
func (s *Session) capabilities() string {
	var c []string
	add := func(x ...string) { c = append(c, x...) }
	add("IMAP4rev1")
	if s.state == StateNotAuth {
		if s.c.TLSAvailable() {
			add("STARTTLS")
		}
		if s.loginDisabled() {
			add("LOGINDISABLED")
		} else {
			add("AUTH=LOGIN", "AUTH=PLAIN")
			if !s.cfg.NoCRAMMD5 {
				add("AUTH=CRAM-MD5")
			}
			add("SASL-IR")
		}
		add("ID", "LITERAL+", "ENABLE")
		return strings.Join(c, " ")
	}
	// RFC 4314, RFC 2342, RFC 3348, RFC 5256, RFC 5957, RFC 5267, RFC 9208, RFC 3691,
	// RFC 2177, RFC 2971, RFC 4315, RFC 5032, RFC 7162, RFC 7888, RFC 5161,
	// RFC 6851, RFC 5258, RFC 5819, RFC 8438, RFC 4731, RFC 5182, RFC 3502,
	// RFC 3516, RFC 6154, RFC 7889.
	add("ACL", "RIGHTS=texk", "NAMESPACE", "CHILDREN", "SORT", "SORT=DISPLAY", "ESORT", "QUOTA",
		"THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "UNSELECT", "IDLE", "ID",
		"UIDPLUS", "WITHIN", "CONDSTORE", "LITERAL+", "ENABLE", "QRESYNC",
		"MOVE", "LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "ESEARCH",
		"SEARCHRES", "MULTIAPPEND", "BINARY", "SPECIAL-USE", "CREATE-SPECIAL-USE",
		"APPENDLIMIT="+strconv.FormatInt(s.p.Limits().MaxLiteral, 10))
	return strings.Join(c, " ")
}

// loginDisabled reports LOGINDISABLED: TLS could be started but was not
// and login_disabled is set (spec 6.2).
func (s *Session) loginDisabled() bool {
	return s.cfg.LoginDisabled && s.c.TLSAvailable() && !s.c.IsTLS()
}
