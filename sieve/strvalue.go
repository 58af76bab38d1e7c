package sieve

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// strPart is one piece of a string template: a literal, a named variable
// or a numbered match variable (RFC 5229 §3).
type strPart struct {
	lit    string
	name   string // lower-cased variable name; "global.x" for the global namespace
	match  int    // match variable number, -1 if not a match variable
	isVar  bool
	global bool
}

// strValue is a compiled string argument. Constant strings have no parts.
type strValue struct {
	pos    Pos
	konst  bool
	s      string
	parts  []strPart
	litLen int // bytes of literal text in parts
}

func constStr(p Pos, s string) strValue { return strValue{pos: p, konst: true, s: s} }

// decodeEncodedChars replaces "${hex:...}" and "${unicode:...}" sequences
// (RFC 5228 §2.4.2.4). Malformed sequences are left as they are; a
// Unicode value outside 0..D7FF and E000..10FFFF is an error.
func decodeEncodedChars(p Pos, s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		body := s[i+2 : i+end]
		colon := strings.IndexByte(body, ':')
		decoded, ok := "", false
		if colon > 0 {
			kind := lowerASCII(body[:colon])
			fields := strings.Fields(body[colon+1:])
			switch kind {
			case "hex":
				decoded, ok = decodeHexPairs(fields)
			case "unicode":
				var err error
				decoded, ok, err = decodeUnicodeHex(p, fields)
				if err != nil {
					return "", err
				}
			}
			if len(fields) == 0 {
				ok = false
			}
		}
		if !ok {
			b.WriteString("${")
			i += 2
			continue
		}
		b.WriteString(decoded)
		i += end + 1
	}
	return b.String(), nil
}

func hexVal(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

func decodeHexPairs(fields []string) (string, bool) {
	// hex-pair = 1*2HEXDIG, separated by blanks
	var b []byte
	for _, f := range fields {
		if len(f) > 2 {
			return "", false
		}
		v, ok := hexVal(f)
		if !ok {
			return "", false
		}
		b = append(b, byte(v))
	}
	return string(b), true
}

func decodeUnicodeHex(p Pos, fields []string) (string, bool, error) {
	var b strings.Builder
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			if _, ok := hexVal(f[i : i+1]); !ok {
				return "", false, nil // not well-formed: left as it is
			}
		}
		digits := strings.TrimLeft(f, "0")
		var v uint64
		if digits != "" {
			if len(digits) > 6 {
				return "", false, p.errorf("invalid unicode character %q in encoded-character", f)
			}
			v, _ = hexVal(digits)
		}
		// RFC 5228 §2.4.2.4: only 0..D7FF and E000..10FFFF are allowed.
		if v > 0x10FFFF || v >= 0xD800 && v <= 0xDFFF {
			return "", false, p.errorf("invalid unicode character U+%X in encoded-character", v)
		}
		b.WriteRune(rune(v))
	}
	return b.String(), true, nil
}

func isIdent(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseTemplate splits s into literals and variable references (RFC 5229
// §3). Text that is not a syntactically valid reference stays literal.
// globalNS tells whether the "global" namespace (RFC 6609 §3.5) exists.
func parseTemplate(p Pos, s string, globalNS bool) (strValue, error) {
	if !strings.Contains(s, "${") {
		return constStr(p, s), nil
	}
	var parts []strPart
	var lit strings.Builder
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			lit.WriteString(s[i:])
			break
		}
		lit.WriteString(s[i : i+j])
		i += j
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			lit.WriteString(s[i:])
			break
		}
		ref := s[i+2 : i+2+end]
		part, ok, err := parseRef(p, ref, globalNS)
		if err != nil {
			return strValue{}, err
		}
		if !ok {
			lit.WriteString("$")
			i++
			continue
		}
		if lit.Len() > 0 {
			parts = append(parts, strPart{lit: lit.String(), match: -1})
			lit.Reset()
		}
		parts = append(parts, part)
		i += 2 + end + 1
	}
	if lit.Len() > 0 {
		parts = append(parts, strPart{lit: lit.String(), match: -1})
	}
	if len(parts) == 1 && !parts[0].isVar {
		return constStr(p, parts[0].lit), nil
	}
	if len(parts) == 0 {
		return constStr(p, ""), nil
	}
	n := 0
	for _, pt := range parts {
		n += len(pt.lit)
	}
	return strValue{pos: p, parts: parts, litLen: n}, nil
}

// parseRef checks one "${...}" body: a num-variable, an identifier or a
// namespaced identifier.
func parseRef(p Pos, ref string, globalNS bool) (strPart, bool, error) {
	if allDigits(ref) {
		n, err := strconv.Atoi(ref)
		if err != nil || n > 1<<16 {
			return strPart{}, false, nil
		}
		return strPart{isVar: true, match: n}, true, nil
	}
	if isIdent(ref) {
		return strPart{isVar: true, name: lowerASCII(ref), match: -1}, true, nil
	}
	dot := strings.LastIndexByte(ref, '.')
	if dot <= 0 {
		return strPart{}, false, nil
	}
	for _, seg := range strings.Split(ref, ".") {
		if !isIdent(seg) {
			return strPart{}, false, nil
		}
	}
	ns := lowerASCII(ref[:dot])
	if ns == "global" && globalNS {
		return strPart{isVar: true, name: lowerASCII(ref[dot+1:]), global: true, match: -1}, true, nil
	}
	return strPart{}, false, p.errorf("unknown variable namespace %q", ref[:dot])
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
