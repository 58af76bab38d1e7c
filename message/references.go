package message

import (
	"strings"
)

// maxReference is the length limit of one dbmail_referencesfield value.
const maxReference = 255

// References returns the message-ids of the References and In-Reply-To
// fields, in that order, without angle brackets, each once, cut to 255
// bytes (spec 2.11).
func (m *Message) References() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range []string{"references", "in-reply-to"} {
		v, ok := m.rawValue(name)
		if !ok {
			continue
		}
		for _, id := range parseMsgIDs(v) {
			if len(id) > maxReference {
				id = truncateUTF8Bytes(id, maxReference)
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// parseMsgIDs extracts msg-ids (RFC 5322 §3.6.4) from a field value: the
// text inside each "<…>"; a value without angle brackets that is one word
// containing '@' is taken whole. Comments and phrases (obsolete
// In-Reply-To forms) are ignored.
func parseMsgIDs(v string) []string {
	var ids []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(rest[i+1 : i+1+j]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[i+1+j+1:]
	}
	if len(ids) == 0 {
		if f := strings.Fields(v); len(f) == 1 && strings.Contains(f[0], "@") {
			ids = append(ids, f[0])
		}
	}
	return ids
}

// truncateUTF8Bytes cuts s to at most n bytes without splitting a UTF-8
// sequence.
func truncateUTF8Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
