package imap4

import (
	"strconv"
	"strings"
)

// authenticatedCaps are the capabilities announced after login besides
// IMAP4rev1 and APPENDLIMIT: every one DBMail announces (spec 6.2) and the
// extensions this server adds. RFC 4314, RFC 2342, RFC 3348, RFC 5256,
// RFC 5957, RFC 5267, RFC 9208, RFC 3691, RFC 2177, RFC 2971, RFC 4315,
// RFC 5032, RFC 7162, RFC 7888, RFC 5161, RFC 6851, RFC 5258, RFC 5819,
// RFC 8438, RFC 4731, RFC 5182, RFC 3502, RFC 3516, RFC 6154, RFC 7889.
var authenticatedCaps = []string{
	"ACL", "RIGHTS=texk", "NAMESPACE", "CHILDREN", "SORT", "SORT=DISPLAY", "ESORT", "QUOTA",
	"THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "UNSELECT", "IDLE", "ID",
	"UIDPLUS", "WITHIN", "CONDSTORE", "LITERAL+", "ENABLE", "QRESYNC",
	"MOVE", "LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "ESEARCH",
	"SEARCHRES", "MULTIAPPEND", "BINARY", "SPECIAL-USE", "CREATE-SPECIAL-USE",
}

// preLoginCaps are what may appear before login (RFC 3501 §6.2.3, RFC 4959).
var preLoginCaps = []string{"STARTTLS", "LOGINDISABLED", "AUTH=LOGIN", "AUTH=PLAIN", "AUTH=CRAM-MD5", "SASL-IR", "ID", "LITERAL+", "ENABLE"}

// capabilities returns the CAPABILITY list for the session's current
// state (RFC 3501 §6.1.1, spec 6.2). It keeps every capability DBMail
// advertises and adds the extensions this server implements; before
// login only the ones usable then are shown, and LOGINDISABLED hides the
// AUTH= items on a plain connection that could use STARTTLS (RFC 3501
// §6.2.3, RFC 8314). An [IMAP] capability list narrows what is shown
// (filterCapabilities).
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
	} else {
		add(authenticatedCaps...)
		add("APPENDLIMIT=" + strconv.FormatInt(s.p.Limits().MaxLiteral, 10))
	}
	if s.cfg.Capability != nil {
		c = filterCapabilities(c, s.cfg.Capability)
	}
	return strings.Join(c, " ")
}

// filterCapabilities applies [IMAP] capability (spec 5.4): DBMail replaces
// its whole list with the configured one and still filters it per state.
// Here the configured list selects from what this state would announce, so
// an admin can hide an extension from clients but never announce one this
// server does not implement. IMAP4rev1 (RFC 3501 §7.2.1 requires it) and
// LOGINDISABLED (its absence would invite a LOGIN that is then refused)
// are always kept; "APPENDLIMIT" matches APPENDLIMIT=n.
func filterCapabilities(state, configured []string) []string {
	want := make(map[string]bool, len(configured))
	for _, x := range configured {
		x = strings.ToUpper(x)
		if strings.HasPrefix(x, "APPENDLIMIT=") {
			x = "APPENDLIMIT"
		}
		want[x] = true
	}
	var out []string
	for _, x := range state {
		key := strings.ToUpper(x)
		if strings.HasPrefix(key, "APPENDLIMIT=") {
			key = "APPENDLIMIT"
		}
		if want[key] || key == "IMAP4REV1" || key == "LOGINDISABLED" {
			out = append(out, x)
		}
	}
	return out
}

// UnknownCapabilities returns the items of an [IMAP] capability list that
// this server never announces (and so ignores), for a warning at start-up.
func UnknownCapabilities(configured []string) []string {
	known := map[string]bool{"IMAP4REV1": true, "APPENDLIMIT": true}
	for _, x := range append(append([]string{}, authenticatedCaps...), preLoginCaps...) {
		known[strings.ToUpper(x)] = true
	}
	var out []string
	for _, x := range configured {
		key := strings.ToUpper(x)
		if strings.HasPrefix(key, "APPENDLIMIT=") {
			key = "APPENDLIMIT"
		}
		if !known[key] {
			out = append(out, x)
		}
	}
	return out
}

// loginDisabled reports LOGINDISABLED: TLS could be started but was not
// and login_disabled is set (spec 6.2).
func (s *Session) loginDisabled() bool {
	return s.cfg.LoginDisabled && s.c.TLSAvailable() && !s.c.IsTLS()
}
