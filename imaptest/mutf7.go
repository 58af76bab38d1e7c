package imaptest

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

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
