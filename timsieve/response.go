package timsieve

import (
	"strconv"
	"strings"
)

// maxQuoted is the longest string sent quoted (RFC 5804 §4: quoted =
// DQUOTE *1024QUOTED-CHAR DQUOTE); longer ones go as literals.
const maxQuoted = 1024

// appendString appends s as a ManageSieve string: quoted when it may be,
// else a literal {n} (RFC 5804 §4, literal-s2c).
func appendString(b []byte, s string) []byte {
	if len(s) <= maxQuoted && !strings.ContainsAny(s, "\r\n\x00") {
		b = append(b, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return append(b, '"')
	}
	b = append(b, '{')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "}\r\n"...)
	return append(b, s...)
}

// response builds an OK, NO or BYE line (RFC 5804 §1.3): the word, an
// optional response code in parentheses and an optional human-readable
// string.
func response(word, code, text string) []byte {
	b := []byte(word)
	if code != "" {
		b = append(b, " ("...)
		b = append(b, code...)
		b = append(b, ')')
	}
	if text != "" {
		b = append(b, ' ')
		b = appendString(b, text)
	}
	return append(b, "\r\n"...)
}
