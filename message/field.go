package message

import (
	"bytes"
	"strings"
)

// rawField is one header field as it appears in a header block (RFC 5322
// §2.2): the name before the colon and the raw value after it, folding
// (line breaks before white space) kept, the final line break excluded.
type rawField struct {
	Name  []byte
	Value []byte
	// Strict reports whether the field line starts with the name directly
	// followed by ": " (colon, exactly one space): the only form DBMail's
	// Content-Type detection recognises (spec 2.5 step 2).
	Strict bool
}

// forEachField calls fn for every field of a header block in order until fn
// returns false. Lines that are neither a field nor a continuation line are
// skipped; a continuation line before the first field is ignored.
func forEachField(block []byte, fn func(f rawField) bool) {
	var cur rawField
	have := false
	var curStart, curEnd int
	emit := func() bool {
		if !have {
			return true
		}
		cur.Value = trimLineBreak(block[curStart:curEnd])
		have = false
		return fn(cur)
	}
	for pos := 0; pos < len(block); {
		end := bytes.IndexByte(block[pos:], '\n')
		next := len(block)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(block)
		}
		line := block[pos:end]
		switch {
		case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
			if have {
				curEnd = next
			}
		default:
			if !emit() {
				return
			}
			colon := bytes.IndexByte(line, ':')
			if colon > 0 {
				name := bytes.TrimRight(line[:colon], " \t")
				if len(name) > 0 {
					cur = rawField{
						Name:   name,
						Strict: len(name) == colon && colon+1 < len(line) && line[colon+1] == ' ',
					}
					have = true
					curStart, curEnd = pos+colon+1, next
				}
			}
		}
		pos = next
	}
	emit()
}

// trimLineBreak removes one trailing LF or CRLF.
func trimLineBreak(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// unfold removes the line breaks of a folded field value (RFC 5322 §2.2.3):
// CRLF or LF followed by white space becomes that white space. Stray line
// breaks not followed by white space are removed as well.
func unfold(v []byte) string {
	if bytes.IndexByte(v, '\n') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return string(v)
	}
	var out strings.Builder
	out.Grow(len(v))
	for _, b := range v {
		if b != '\r' && b != '\n' {
			out.WriteByte(b)
		}
	}
	return out.String()
}
