package imaptest

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// The tester keeps its own modified UTF-7 codec rather than importing
// imap4's: a bug shared by the daemon and the tool that checks it would go
// unseen.

// mutf7Encoding is RFC 3501 §5.1.3's base64 variant (',' for '/').
var mutf7Encoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// decodeMUTF7 decodes a modified UTF-7 mailbox name (RFC 3501 §5.1.3).
// Invalid sequences are kept as they are.
func decodeMUTF7(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var sb strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			sb.WriteString(s)
			break
		}
		sb.WriteString(s[:i])
		s = s[i+1:]
		end := strings.IndexByte(s, '-')
		if end < 0 {
			sb.WriteString("&" + s)
			break
		}
		enc := s[:end]
		s = s[end+1:]
		if enc == "" {
			sb.WriteByte('&')
			continue
		}
		raw, err := mutf7Encoding.DecodeString(enc)
		if err != nil || len(raw)%2 != 0 {
			sb.WriteString("&" + enc + "-")
			continue
		}
		u := make([]uint16, len(raw)/2)
		for j := range u {
			u[j] = uint16(raw[2*j])<<8 | uint16(raw[2*j+1])
		}
		sb.WriteString(string(utf16.Decode(u)))
	}
	return sb.String()
}

// encodeMUTF7 encodes a mailbox name in modified UTF-7 (RFC 3501 §5.1.3):
// printable ASCII stays, '&' becomes "&-", other characters are UTF-16
// in modified base64 between '&' and '-'.
func encodeMUTF7(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '&' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var sb strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		u := utf16.Encode(run)
		raw := make([]byte, 2*len(u))
		for i, c := range u {
			raw[2*i], raw[2*i+1] = byte(c>>8), byte(c)
		}
		sb.WriteByte('&')
		sb.WriteString(mutf7Encoding.EncodeToString(raw))
		sb.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			sb.WriteString("&-")
		case r >= 0x20 && r <= 0x7e:
			flush()
			sb.WriteRune(r)
		default:
			run = append(run, r)
		}
	}
	flush()
	return sb.String()
}
