package message

import (
	"bytes"
	"strings"
)

// mediaType is a parsed Content-Type value (RFC 2045 §5.1).
type mediaType struct {
	Type, Subtype string            // lower-case
	Params        map[string]string // lower-case names, unquoted values
	List          []param           // the parameters in order, duplicates kept
	Explicit      bool              // false when defaulted (RFC 2045 §5.2, RFC 2046 §5.1.5)
}

func (m mediaType) is(t, sub string) bool { return m.Type == t && m.Subtype == sub }

// isMultipart reports a multipart type with a usable boundary parameter.
func (m mediaType) isMultipart() bool {
	return m.Type == "multipart" && m.Params["boundary"] != ""
}

// textPlain is the default Content-Type (RFC 2045 §5.2).
func textPlain() mediaType { return mediaType{Type: "text", Subtype: "plain"} }

// contentTypeInfo is what a header block says about its Content-Type.
type contentTypeInfo struct {
	Found  bool
	Strict bool // the field is written "Content-Type: " (DBMail can find it)
	Media  mediaType
}

// detectContentType finds the first Content-Type field of a header block in
// any case, with any white space before or after the colon, folded or not
// (the robust detection spec 2.5 recommends).
func detectContentType(block []byte) contentTypeInfo {
	var info contentTypeInfo
	forEachField(block, func(f rawField) bool {
		if !bytes.EqualFold(f.Name, []byte("content-type")) {
			return true
		}
		info.Found = true
		info.Strict = f.Strict
		info.Media = parseMediaType(unfold(f.Value))
		info.Media.Explicit = true
		return false
	})
	return info
}

// parseMediaType parses "type/subtype *(; name=value)" leniently (RFC 2045
// §5.1): values may be tokens or quoted strings; the first occurrence of a
// parameter wins; parenthesised comments are not interpreted.
func parseMediaType(v string) mediaType {
	var m mediaType
	semi := strings.IndexByte(v, ';')
	head, rest := v, ""
	if semi >= 0 {
		head, rest = v[:semi], v[semi+1:]
	}
	head = strings.ToLower(strings.TrimSpace(head))
	if slash := strings.IndexByte(head, '/'); slash >= 0 {
		m.Type = strings.TrimSpace(head[:slash])
		m.Subtype = strings.TrimSpace(head[slash+1:])
	} else {
		m.Type = head
	}
	m.Params = map[string]string{}
	m.List = parseParams(rest)
	for _, p := range m.List {
		if _, dup := m.Params[p.Name]; !dup {
			m.Params[p.Name] = p.Value
		}
	}
	return m
}

// param is one "name=value" parameter, name lower-cased, value unquoted.
type param struct{ Name, Value string }

// parseParams parses "name=value" pairs separated by semicolons, in order.
func parseParams(s string) []param {
	var params []param
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ';') {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ';' {
			i++
		}
		name := strings.ToLower(strings.TrimSpace(s[start:i]))
		if i >= len(s) || s[i] == ';' {
			continue
		}
		i++ // '='
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val string
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++ // closing quote (or past the end)
			val = b.String()
			for i < len(s) && s[i] != ';' {
				i++
			}
		} else {
			start := i
			for i < len(s) && s[i] != ';' && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			val = s[start:i]
			for i < len(s) && s[i] != ';' {
				i++
			}
		}
		if name != "" {
			params = append(params, param{Name: name, Value: val})
		}
	}
	return params
}
