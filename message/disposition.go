package message

import (
	"strings"
)

// encodeDisposition re-encodes a Content-Disposition value (RFC 2183) the
// way it is cached (spec 2.9): the disposition type followed by its
// parameters as "; name=value", values quoted when they are not tokens.
func encodeDisposition(v string) string {
	semi := strings.IndexByte(v, ';')
	head, rest := v, ""
	if semi >= 0 {
		head, rest = v[:semi], v[semi+1:]
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(head))
	for _, p := range parseParams(rest) {
		b.WriteString("; ")
		b.WriteString(p.Name)
		b.WriteByte('=')
		if isToken(p.Value) {
			b.WriteString(p.Value)
		} else {
			b.WriteString(quoteString(p.Value))
		}
	}
	return b.String()
}

// isToken reports whether s is a non-empty RFC 2045 §5.1 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 127 || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// quoteString writes s as an RFC 5322 quoted-string, escaping " and \.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
