package config

import (
	"bytes"
	"fmt"
	"strings"
)

// maxValueLen is DBMail's FIELDSIZE (1024) minus the terminating NUL: a value
// longer than this is truncated (spec 5.1).
const maxValueLen = 1023

// entry is one "key = value" line. value is already cut at the first '#',
// trimmed and truncated, exactly what DBMail's config_get_value returns.
type entry struct {
	key   string
	value string
	line  int
}

// section is one "[NAME]" group. GLib merges repeated headers of the same
// name into one group; within a group the last line of a key wins.
type section struct {
	name    string
	line    int // first header line
	entries map[string]*entry
	order   []string // keys in order of first appearance
}

// keyFile is a parsed GLib key file with DBMail's value post-processing.
type keyFile struct {
	path     string
	sections map[string]*section
	order    []string
	warnings []warning
}

// warning is one Config.Warnings line with its line number for sorting.
type warning struct {
	line int
	text string
}

// asciiSpace is g_ascii_isspace: space, \t, \n, \v, \f, \r.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimASCIISpace(s string) string {
	i, j := 0, len(s)
	for i < j && asciiSpace(s[i]) {
		i++
	}
	for j > i && asciiSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// asciiUpper and asciiLower are g_ascii_strup/g_ascii_strdown: only A–Z and
// a–z change, so UTF-8 in key names is left alone.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// parseKeyFile parses data the way g_key_file_load_from_data does with
// G_KEY_FILE_NONE, then applies config_get_value's value rules (spec 5.1).
func parseKeyFile(path string, data []byte) (*keyFile, error) {
	kf := &keyFile{path: path, sections: map[string]*section{}}
	var cur *section
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		// GLib drops the CR of a CRLF line end.
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
		if bytes.IndexByte(raw, 0) >= 0 {
			return nil, &Error{File: path, Line: lineNo, Msg: "line contains a NUL byte"}
		}
		line := string(raw)
		start := 0
		for start < len(line) && asciiSpace(line[start]) {
			start++
		}
		rest := line[start:]
		switch {
		case rest == "" || rest[0] == '#':
			// comment or blank line
		case isGroupLine(rest):
			name := rest[1:strings.IndexByte(rest, ']')]
			if !validGroupName(name) {
				return nil, &Error{File: path, Line: lineNo, Msg: fmt.Sprintf("invalid group name %q", name)}
			}
			if s, ok := kf.sections[name]; ok {
				cur = s
				continue
			}
			cur = &section{name: name, line: lineNo, entries: map[string]*entry{}}
			kf.sections[name] = cur
			kf.order = append(kf.order, name)
		case strings.IndexByte(rest, '=') > 0:
			if cur == nil {
				return nil, &Error{File: path, Line: lineNo, Msg: "key file does not start with a group (the first non-comment line must be a [SECTION] header)"}
			}
			if err := kf.addPair(cur, rest, lineNo); err != nil {
				return nil, err
			}
		default:
			return nil, &Error{File: path, Line: lineNo, Msg: fmt.Sprintf("line %q is not a key-value pair, group or comment", line)}
		}
	}
	return kf, nil
}

// isGroupLine is g_key_file_line_is_group: '[' … ']' followed only by
// spaces and tabs.
func isGroupLine(s string) bool {
	if s[0] != '[' {
		return false
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return false
	}
	return strings.Trim(s[end+1:], " \t") == ""
}

// validGroupName is g_key_file_is_group_name: non-empty, no brackets, no
// ASCII control characters.
func validGroupName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '[' || c == ']' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// addPair is g_key_file_parse_key_value_pair plus DBMail's value handling.
func (kf *keyFile) addPair(cur *section, s string, lineNo int) error {
	eq := strings.IndexByte(s, '=')
	key := strings.TrimRightFunc(s[:eq], func(r rune) bool { return r < 0x80 && asciiSpace(byte(r)) })
	rawValue := strings.TrimLeftFunc(s[eq+1:], func(r rune) bool { return r < 0x80 && asciiSpace(byte(r)) })
	base, translated, ok := splitKeyName(key)
	if !ok {
		return &Error{File: kf.path, Line: lineNo, Msg: fmt.Sprintf("invalid key name %q", key)}
	}
	// GLib refuses an "Encoding" key in the first group unless it says UTF-8.
	if len(kf.order) > 0 && kf.order[0] == cur.name && key == "Encoding" && !strings.EqualFold(rawValue, "UTF-8") {
		return &Error{File: kf.path, Line: lineNo, Msg: fmt.Sprintf("key file contains unsupported encoding %q", rawValue)}
	}
	if translated {
		kf.warnings = append(kf.warnings, warning{lineNo, fmt.Sprintf("%s:%d: [%s] %s: translated key ignored", kf.path, lineNo, cur.name, key)})
		return nil
	}
	v := rawValue
	if i := strings.IndexByte(v, '#'); i >= 0 {
		v = v[:i]
	}
	v = trimASCIISpace(v)
	if len(v) > maxValueLen {
		kf.warnings = append(kf.warnings, warning{lineNo, fmt.Sprintf("%s:%d: [%s] %s: value longer than %d bytes truncated", kf.path, lineNo, cur.name, key, maxValueLen)})
		v = v[:maxValueLen]
	}
	if _, seen := cur.entries[base]; !seen {
		cur.order = append(cur.order, base)
	}
	cur.entries[base] = &entry{key: base, value: v, line: lineNo}
	return nil
}

// splitKeyName is g_key_file_is_key_name: a non-empty name without '=',
// '[' or ']', not starting with a space, optionally followed by a
// "[locale]" suffix of letters, digits and "-_.@".
func splitKeyName(key string) (base string, translated, ok bool) {
	i := strings.IndexAny(key, "[]")
	base = key
	if i >= 0 {
		base = key[:i]
	}
	if base == "" || base[0] == ' ' || base[len(base)-1] == ' ' {
		return "", false, false
	}
	if i < 0 {
		return base, false, true
	}
	if key[i] != '[' || !strings.HasSuffix(key, "]") || len(key) < i+2 {
		return "", false, false
	}
	for _, r := range key[i+1 : len(key)-1] {
		if !(r == '-' || r == '_' || r == '.' || r == '@' || isAlnum(r)) {
			return "", false, false
		}
	}
	return base, true, true
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r >= 0x80
}

// find returns the entry for exactly key in section sec.
func (kf *keyFile) find(sec, key string) (*entry, bool) {
	s, ok := kf.sections[sec]
	if !ok {
		return nil, false
	}
	e, ok := s.entries[key]
	return e, ok
}

// lookupIn tries key as written, upper-case and lower-case in one section
// (config_get_value_once three times).
func (kf *keyFile) lookupIn(sec, key string) (*entry, bool) {
	for _, k := range [...]string{key, asciiUpper(key), asciiLower(key)} {
		if e, ok := kf.find(sec, k); ok {
			return e, true
		}
	}
	return nil, false
}

// lookup is config_get_value: the service's own section first, then
// [DBMAIL]. It reports the section the entry was found in.
func (kf *keyFile) lookup(service, key string) (*entry, string, bool) {
	if e, ok := kf.lookupIn(service, key); ok {
		return e, service, true
	}
	if service != SectionDBMail {
		if e, ok := kf.lookupIn(SectionDBMail, key); ok {
			return e, SectionDBMail, true
		}
	}
	return nil, "", false
}
