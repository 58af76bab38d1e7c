package message

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// DecodeHeader turns a raw header value into clean UTF-8 text (spec 2.9
// step 3): folding is removed; if the value is not valid UTF-8 and holds
// 8-bit bytes it is converted from defaultCharset, or, when that is empty
// or unknown, its 8-bit bytes become '?'; RFC 2047 encoded-words are
// decoded; invalid UTF-8 left after decoding becomes '?'; surrounding white
// space is trimmed.
func DecodeHeader(raw string, defaultCharset string) string {
	s := toUTF8(unfold([]byte(raw)), defaultCharset)
	return strings.TrimSpace(sanitizeUTF8(decodeWords(s)))
}

// toUTF8 converts 8-bit header text that is not UTF-8 from charset.
func toUTF8(s, charset string) string {
	if utf8.ValidString(s) || !has8bit(s) {
		return s
	}
	if charset != "" {
		if out, ok := convertCharset([]byte(s), charset); ok && utf8.ValidString(out) {
			return out
		}
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 0x80 {
			b[i] = '?'
		}
	}
	return string(b)
}

func has8bit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// sanitizeUTF8 replaces every invalid UTF-8 sequence with '?'.
func sanitizeUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "?")
}

// convertCharset decodes b from the named charset to UTF-8.
func convertCharset(b []byte, charset string) (string, bool) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii", "":
		return string(b), true
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return "", false
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// decodeWords decodes RFC 2047 encoded-words ("=?charset?B|Q?text?=")
// wherever they appear (leniently, as mail readers do); linear white space
// between two adjacent encoded-words is removed (RFC 2047 §6.2). Words that
// do not decode are left as written.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	pendingSpace := "" // white space seen after an encoded-word
	lastEncoded := false
	for len(s) > 0 {
		i := strings.Index(s, "=?")
		if i < 0 {
			out.WriteString(pendingSpace)
			out.WriteString(s)
			break
		}
		text, ok, n := decodeWord(s[i:])
		if !ok {
			out.WriteString(pendingSpace)
			out.WriteString(s[:i+2])
			pendingSpace, lastEncoded = "", false
			s = s[i+2:]
			continue
		}
		between := s[:i]
		if lastEncoded && strings.TrimLeft(between, " \t") == "" {
			// only white space between two encoded-words: dropped
		} else {
			out.WriteString(pendingSpace)
			out.WriteString(between)
		}
		out.WriteString(text)
		pendingSpace, lastEncoded = "", true
		s = s[i+n:]
		// collect white space that may separate this word from the next
		j := 0
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		pendingSpace, s = s[:j], s[j:]
	}
	return out.String()
}

// decodeWord decodes one encoded-word at the start of s and reports its
// length.
func decodeWord(s string) (string, bool, int) {
	// =?charset?X?text?=
	rest := s[2:]
	q1 := strings.IndexByte(rest, '?')
	if q1 <= 0 || q1+3 > len(rest) || rest[q1+2] != '?' {
		return "", false, 0
	}
	charset := rest[:q1]
	if star := strings.IndexByte(charset, '*'); star >= 0 { // RFC 2231 §5 language
		charset = charset[:star]
	}
	if strings.ContainsAny(charset, " \t") {
		return "", false, 0
	}
	enc := rest[q1+1]
	body := rest[q1+3:]
	end := strings.Index(body, "?=")
	if end < 0 {
		return "", false, 0
	}
	text := body[:end]
	var raw []byte
	switch enc {
	case 'B', 'b':
		t := strings.TrimRight(strings.Map(dropSpace, text), "=")
		var err error
		raw, err = base64.RawStdEncoding.DecodeString(t)
		if err != nil {
			return "", false, 0
		}
	case 'Q', 'q':
		raw = decodeQ(text)
	default:
		return "", false, 0
	}
	out, ok := convertCharset(raw, charset)
	if !ok {
		out = string(raw)
	}
	return out, true, 2 + q1 + 3 + end + 2
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' {
		return -1
	}
	return r
}

// decodeQ decodes the RFC 2047 §4.2 "Q" encoding; malformed escapes are
// kept literally.
func decodeQ(s string) []byte {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			b.WriteByte(' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.Bytes()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
