package imap4

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 for mailbox names, RFC 3501 §5.1.3: printable US-ASCII
// except "&" stands for itself, "&" is "&-", and any other run of
// characters is UTF-16BE in modified BASE64 (RFC 2045 with "," for "/",
// no padding) between "&" and "-".

const mbase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

// mbase64Value maps a byte to its 6-bit value; 0xff for bytes outside the
// alphabet. A function with a switch, so there is no package-level table.
func mbase64Value(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	case c == ',':
		return 63
	}
	return 0xff
}

func isDirectMUTF7(r rune) bool { return r >= 0x20 && r <= 0x7e }

// EncodeMUTF7 converts a UTF-8 mailbox name to modified UTF-7. Invalid
// UTF-8 bytes are encoded as U+FFFD.
func EncodeMUTF7(s string) string {
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
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '&' {
			b.WriteString("&-")
			i += size
			continue
		}
		if isDirectMUTF7(r) {
			b.WriteByte(byte(r))
			i += size
			continue
		}
		// Collect the whole run of characters that need encoding.
		var units []uint16
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if isDirectMUTF7(r) {
				break
			}
			units = utf16.AppendRune(units, r)
			i += size
		}
		b.WriteByte('&')
		writeMBase64(&b, units)
		b.WriteByte('-')
	}
	return b.String()
}

func writeMBase64(b *strings.Builder, units []uint16) {
	var acc uint32
	bits := 0
	for _, u := range units {
		acc = acc<<16 | uint32(u)
		bits += 16
		for bits >= 6 {
			bits -= 6
			b.WriteByte(mbase64[(acc>>uint(bits))&0x3f])
		}
	}
	if bits > 0 {
		b.WriteByte(mbase64[(acc<<uint(6-bits))&0x3f])
	}
}

// DecodeMUTF7 converts a modified UTF-7 mailbox name to UTF-8. It accepts
// only the canonical form RFC 3501 §5.1.3 requires, so that
// EncodeMUTF7(DecodeMUTF7(s)) == s: no 8-bit or control characters, no
// encoded printable ASCII, no empty or adjacent shifted runs, zero padding
// bits and well-formed UTF-16 surrogate pairs.
func DecodeMUTF7(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	prevShift := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("mailbox name: invalid byte 0x%02x at %d", c, i)
		}
		if c != '&' {
			b.WriteByte(c)
			i++
			prevShift = false
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", errors.New("mailbox name: unterminated modified UTF-7 run")
		}
		run := s[i+1 : i+1+end]
		i += end + 2
		if run == "" {
			b.WriteByte('&')
			prevShift = false
			continue
		}
		if prevShift {
			return "", errors.New("mailbox name: adjacent modified UTF-7 runs")
		}
		if err := decodeMBase64(&b, run); err != nil {
			return "", fmt.Errorf("mailbox name: %w", err)
		}
		prevShift = true
	}
	return b.String(), nil
}

func decodeMBase64(b *strings.Builder, run string) error {
	var acc uint32
	bits := 0
	var units []uint16
	for i := 0; i < len(run); i++ {
		v := mbase64Value(run[i])
		if v == 0xff {
			return fmt.Errorf("invalid modified BASE64 character %q", run[i])
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 16 {
			bits -= 16
			units = append(units, uint16(acc>>uint(bits)))
			acc &= 1<<uint(bits) - 1
		}
	}
	if bits >= 6 || acc != 0 {
		return errors.New("modified BASE64 run has non-zero or excess padding bits")
	}
	if len(units) == 0 {
		return errors.New("modified BASE64 run too short")
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case utf16.IsSurrogate(rune(u)):
			if u >= 0xdc00 || i+1 >= len(units) {
				return errors.New("invalid UTF-16 surrogate in modified BASE64 run")
			}
			r := utf16.DecodeRune(rune(u), rune(units[i+1]))
			if r == utf8.RuneError {
				return errors.New("invalid UTF-16 surrogate pair in modified BASE64 run")
			}
			b.WriteRune(r)
			i++
		case isDirectMUTF7(rune(u)):
			return fmt.Errorf("printable ASCII %q must not be encoded", rune(u))
		default:
			b.WriteRune(rune(u))
		}
	}
	return nil
}

// ValidMUTF7 reports whether s is a canonical modified UTF-7 name.
func ValidMUTF7(s string) bool {
	_, err := DecodeMUTF7(s)
	return err == nil
}
