package sieve

import "strings"

// address is one mailbox of an address list (RFC 5322 §3.4).
type address struct {
	local  string
	domain string
}

// all is the addr-spec, local@domain (RFC 5228 §2.7.4 ":all").
func (a address) all() string {
	if a.domain == "" {
		return a.local
	}
	return a.local + "@" + a.domain
}

// parseAddressList extracts the addr-specs of an address-list header value
// (RFC 5322 §3.4): display names, comments, group names and source routes
// are dropped; quoted local parts are unquoted. It never fails: text that is
// not a proper address is returned as a local part without domain.
func parseAddressList(s string) []address {
	var out []address
	var cur strings.Builder
	depth, inQuote, inAngle := 0, false, false
	var angle strings.Builder
	hadAngle := false
	flush := func() {
		text := cur.String()
		if hadAngle {
			text = angle.String()
		}
		cur.Reset()
		angle.Reset()
		hadAngle = false
		if a, ok := splitAddrSpec(text); ok {
			out = append(out, a)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(s) {
				i++
				c = s[i]
				if c == '"' || c == '\\' {
					writeTo(&cur, &angle, inAngle, '\\')
				}
			} else if c == '"' {
				inQuote = false
			}
			writeTo(&cur, &angle, inAngle, c)
		case depth > 0:
			if c == '\\' {
				i++
			} else if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '(':
			depth++
		case c == '"':
			inQuote = true
			writeTo(&cur, &angle, inAngle, c)
		case c == '<' && !inAngle:
			inAngle, hadAngle = true, true
			angle.Reset()
		case c == '>' && inAngle:
			inAngle = false
		case (c == ',' || c == ';') && !inAngle:
			flush()
		case c == ':' && !inAngle:
			cur.Reset() // group display name (RFC 5322 §3.4 "group")
		default:
			writeTo(&cur, &angle, inAngle, c)
		}
	}
	flush()
	return out
}

func writeTo(cur, angle *strings.Builder, inAngle bool, c byte) {
	if inAngle {
		angle.WriteByte(c)
	} else {
		cur.WriteByte(c)
	}
}

// splitAddrSpec splits "local@domain", dropping a source route and
// unquoting a quoted local part.
func splitAddrSpec(s string) (address, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.HasPrefix(s, "@") {
		s = s[i+1:] // obsolete source route (RFC 5322 §4.4)
	}
	if s == "" {
		return address{}, false
	}
	at := -1
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			inQuote = !inQuote
		case '@':
			if !inQuote {
				at = i
			}
		}
	}
	if at < 0 {
		return address{local: unquoteLocal(strings.TrimSpace(s))}, true
	}
	return address{local: unquoteLocal(strings.TrimSpace(s[:at])), domain: strings.TrimSpace(s[at+1:])}, true
}

func unquoteLocal(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// addressHeaders are the fields the address test accepts (RFC 5228 §5.1:
// implementations MUST restrict it to headers that contain addresses).
var addressHeaders = map[string]bool{
	"from": true, "sender": true, "to": true, "cc": true, "bcc": true, "reply-to": true,
	"resent-from": true, "resent-sender": true, "resent-to": true, "resent-cc": true,
	"resent-bcc": true, "resent-reply-to": true, "return-path": true, "delivered-to": true,
	"errors-to": true, "envelope-to": true, "x-original-to": true, "x-envelope-to": true,
	"x-envelope-from": true, "mail-followup-to": true, "mail-reply-to": true,
	"disposition-notification-to": true, "original-recipient": true, "apparently-to": true,
}

// addressPart selects part of an address (RFC 5228 §2.7.4, RFC 5233 §4).
type addressPart int

const (
	partAll addressPart = iota
	partLocal
	partDomain
	partUser
	partDetail
)

// subaddressSeparator splits user and detail (RFC 5233 §4; DBMail splits
// at the first "+", dbmail.md 6.6).
const subaddressSeparator = "+"

// part returns the selected part and whether the address has it: an
// address without a domain is not syntactically valid and only matches
// with :all (RFC 5228 §2.7.4); :detail does not exist for an address
// without a separator (RFC 5233 §4).
func (p addressPart) of(a address) (string, bool) {
	if p != partAll && a.domain == "" {
		return "", false
	}
	switch p {
	case partLocal:
		return a.local, true
	case partDomain:
		return a.domain, true
	case partUser, partDetail:
		user, detail, found := strings.Cut(a.local, subaddressSeparator)
		if p == partUser {
			return user, true
		}
		return detail, found
	}
	return a.all(), true
}
