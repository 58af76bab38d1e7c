package message

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CachedField is one header-cache value (spec 2.9): a dbmail_headername name
// (lower-case) and the dbmail_headervalue columns.
type CachedField struct {
	Name, Value, SortField string
	DateField              string // "" means NULL; else "YYYY-MM-DD"
	SortFieldNull          bool
}

// maxSortField is the sortfield length limit in UTF-8 characters (spec 2.9).
const maxSortField = 254

// sqlDateTime is the layout of sortfield dates.
const sqlDateTime = "2006-01-02 15:04:05"

// HeaderCache returns the header-cache rows of the message (spec 2.9): the
// top-level fields in order (names containing a space and Content-* fields
// skipped, empty values skipped, identical name/value pairs once), then
// content-type (bare type/subtype) and content-disposition, and a synthetic
// date from internalDate when the message has no Date field. Whether a name
// is cached at all (header_cache_readonly) is the caller's decision.
func (m *Message) HeaderCache(internalDate time.Time) []CachedField {
	var out []CachedField
	seen := map[[2]string]bool{}
	add := func(f CachedField) {
		k := [2]string{f.Name, f.Value}
		if seen[k] {
			return
		}
		seen[k] = true
		f.SortField = truncateRunes(f.SortField, maxSortField)
		out = append(out, f)
	}
	haveDate := false
	for _, h := range m.header {
		name := strings.ToLower(h.Name)
		if strings.ContainsAny(name, " \t") || strings.HasPrefix(name, "content-") {
			continue
		}
		f, ok := m.cachedField(name, h.Value)
		if !ok {
			continue
		}
		if name == "date" {
			haveDate = true
		}
		add(f)
	}
	ct := m.media.Type
	if m.media.Subtype != "" {
		ct += "/" + m.media.Subtype
	}
	add(CachedField{Name: "content-type", Value: ct, SortField: ct})
	if d := sanitizeUTF8(m.disposition); d != "" {
		add(CachedField{Name: "content-disposition", Value: d, SortField: d})
	}
	if !haveDate && !internalDate.IsZero() {
		utc := internalDate.UTC()
		add(CachedField{
			Name:      "date",
			Value:     internalDate.In(time.Local).Format(time.RFC1123Z),
			SortField: utc.Format(sqlDateTime),
			DateField: utc.Format(time.DateOnly),
		})
	}
	return out
}

// cachedField computes one cache row (spec 2.9 steps 3 and 4).
func (m *Message) cachedField(name, raw string) (CachedField, bool) {
	charset := m.headerCharset()
	switch name {
	case "from", "to", "cc", "bcc", "reply-to", "return-path":
		text := toUTF8(raw, charset)
		if strings.TrimSpace(DecodeHeader(text, "")) == "" {
			return CachedField{}, false
		}
		list := ParseAddressList(text)
		if len(list) == 0 {
			v := DecodeHeader(text, "")
			return CachedField{Name: name, Value: v, SortFieldNull: true}, true
		}
		return CachedField{Name: name, Value: formatAddressList(list), SortField: addressSortField(list[0])}, true
	}
	v := DecodeHeader(raw, charset)
	if v == "" {
		return CachedField{}, false
	}
	f := CachedField{Name: name, Value: v, SortField: v}
	switch name {
	case "subject":
		f.SortField = BaseSubject(v)
	case "date":
		if t, ok := ParseDate(v); ok {
			f.SortField = t.Format(sqlDateTime)
			f.DateField = t.Format(time.DateOnly)
		}
	}
	return f, true
}

// headerCharset is the charset for 8-bit header text: the message's own
// charset parameter, else the configured default.
func (m *Message) headerCharset() string {
	if cs := m.media.Params["charset"]; cs != "" {
		return cs
	}
	return m.defaultCharset
}

// formatAddressList re-formats addresses as spec 2.9 caches them: entries
// joined by ", ", "name <addr>" (name quoted when it contains a comma),
// " <addr>" for a bare address, "name: members;" for a group.
func formatAddressList(list []Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		if a.IsGroup {
			parts = append(parts, DecodeHeader(a.Name, "")+": "+formatAddressList(a.Members)+";")
			continue
		}
		name := DecodeHeader(a.Name, "")
		if strings.Contains(name, ",") {
			name = quoteString(name)
		}
		parts = append(parts, name+" <"+sanitizeUTF8(a.Addr())+">")
	}
	return strings.Join(parts, ", ")
}

// addressSortField is the group name or the local part of the first entry.
func addressSortField(a Address) string {
	if a.IsGroup {
		return DecodeHeader(a.Name, "")
	}
	return sanitizeUTF8(a.Mailbox)
}

// truncateRunes cuts s to at most n UTF-8 characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// HeaderValues returns the decoded (RFC 2047, spec 2.9 step 3) values of
// every top-level field called name (any case), in order.
func (m *Message) HeaderValues(name string) []string {
	var out []string
	for _, h := range m.header {
		if strings.EqualFold(h.Name, name) {
			out = append(out, DecodeHeader(h.Value, m.headerCharset()))
		}
	}
	return out
}

// rawValue returns the raw (unfolded, trimmed) value of the first
// top-level field called name, and whether there is one.
func (m *Message) rawValue(name string) (string, bool) { return m.header.rawValue(name) }

// rawValue is Message.rawValue for any header.
func (hl headerList) rawValue(name string) (string, bool) {
	for _, h := range hl {
		if strings.EqualFold(h.Name, name) {
			return strings.TrimSpace(h.Value), true
		}
	}
	return "", false
}

// MessageID returns the decoded Message-ID value as the header cache holds
// it (angle brackets kept), "" when there is none: the key of duplicate
// suppression (spec 2.17).
func (m *Message) MessageID() string {
	if v := m.HeaderValues("message-id"); len(v) > 0 {
		return v[0]
	}
	return ""
}

// HasHeader reports whether the message has at least one top-level header
// field; the delivery path uses it for [DBMAIL] allow_invalid_messages
// (spec 2.2 step 1).
func (m *Message) HasHeader() bool { return len(m.header) > 0 }
