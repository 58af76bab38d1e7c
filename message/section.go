package message

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Section is a parsed IMAP body section (RFC 3501 §6.4.5, the text between
// "BODY[" and "]").
type Section struct {
	Path      []int    // part numbers; empty for the whole message
	Specifier string   // "", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT" or "MIME"
	Fields    []string // header names of HEADER.FIELDS[.NOT], as given
}

// ParseSection parses section text such as "1.2.HEADER.FIELDS (From To)".
func ParseSection(s string) (Section, error) {
	var sec Section
	rest := s
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		end := strings.IndexByte(rest, '.')
		num := rest
		if end >= 0 {
			num = rest[:end]
		}
		k, err := strconv.Atoi(num)
		if err != nil || k < 1 {
			return Section{}, fmt.Errorf("message: bad part number %q in section %q", num, s)
		}
		sec.Path = append(sec.Path, k)
		if end < 0 {
			return sec, nil
		}
		rest = rest[end+1:]
		if rest == "" {
			return Section{}, fmt.Errorf("message: section %q ends with a dot", s)
		}
	}
	if rest == "" {
		return sec, nil
	}
	spec, list, hasList := strings.Cut(rest, " ")
	spec = strings.ToUpper(spec)
	switch spec {
	case "HEADER", "TEXT":
	case "MIME":
		if len(sec.Path) == 0 {
			return Section{}, fmt.Errorf("message: MIME needs a part number in section %q", s)
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		list = strings.TrimSpace(list)
		if !hasList || len(list) < 2 || list[0] != '(' || list[len(list)-1] != ')' {
			return Section{}, fmt.Errorf("message: %s needs a parenthesised field list in section %q", spec, s)
		}
		for _, f := range strings.Fields(list[1 : len(list)-1]) {
			if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
				f = f[1 : len(f)-1] // astring given as a quoted string
			}
			sec.Fields = append(sec.Fields, f)
		}
		if len(sec.Fields) == 0 {
			return Section{}, fmt.Errorf("message: empty field list in section %q", s)
		}
	default:
		return Section{}, fmt.Errorf("message: unknown section specifier %q", spec)
	}
	if hasList && len(sec.Fields) == 0 {
		return Section{}, fmt.Errorf("message: unexpected text in section %q", s)
	}
	sec.Specifier = spec
	return sec, nil
}

// Locate returns the byte range of a section in the wire form, and whether
// the range is a header that HeaderFields must filter (HEADER.FIELDS and
// HEADER.FIELDS.NOT). ok is false when the part does not exist or the
// specifier does not apply to it (HEADER/TEXT of a part that is not a
// message/rfc822).
func (n *Node) Locate(sec Section) (start, end int64, filter bool, ok bool) {
	part, found := n.Part(sec.Path)
	if !found {
		return 0, 0, false, false
	}
	msg := part // the message whose HEADER/TEXT is meant
	if len(sec.Path) > 0 {
		msg = part.Message
	}
	switch sec.Specifier {
	case "":
		if len(sec.Path) == 0 {
			return part.Start, part.End, false, true
		}
		return part.BodyStart, part.End, false, true
	case "MIME":
		return part.Start, part.BodyStart, false, true
	case "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if msg == nil {
			return 0, 0, false, false
		}
		return msg.Start, msg.BodyStart, sec.Specifier != "HEADER", true
	case "TEXT":
		if msg == nil {
			return 0, 0, false, false
		}
		return msg.BodyStart, msg.End, false, true
	}
	return 0, 0, false, false
}

// Extract returns the bytes of a section of a message held in memory in its
// wire form.
func (n *Node) Extract(wire []byte, sec Section) ([]byte, bool) {
	start, end, filter, ok := n.Locate(sec)
	if !ok || start < 0 || end > int64(len(wire)) || start > end {
		return nil, false
	}
	if filter {
		return HeaderFields(wire[start:end], sec.Fields, sec.Specifier == "HEADER.FIELDS.NOT"), true
	}
	return wire[start:end], true
}

// HeaderFields returns the fields of a header section whose names are in
// names (any case), or, with not, those whose names are not, as written
// (folding kept), followed by the empty line that ends a header (RFC 3501
// §6.4.5 HEADER.FIELDS).
func HeaderFields(header []byte, names []string, not bool) []byte {
	var out []byte
	keep := false
	for pos := 0; pos < len(header); {
		lineEnd, next := lineAt(header, pos, len(header))
		line := header[pos:lineEnd]
		if len(bytes.TrimRight(line, "\r")) == 0 {
			break // the blank line
		}
		if line[0] != ' ' && line[0] != '\t' {
			name, _, hasColon := bytes.Cut(line, []byte(":"))
			keep = false
			if hasColon {
				listed := false
				n := string(bytes.TrimRight(name, " \t"))
				for _, want := range names {
					if strings.EqualFold(n, want) {
						listed = true
						break
					}
				}
				keep = listed != not
			}
		}
		if keep {
			out = append(out, header[pos:next]...)
			if next == len(header) && lineEnd == len(header) {
				out = append(out, '\r', '\n')
			}
		}
		pos = next
	}
	return append(out, '\r', '\n')
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }
