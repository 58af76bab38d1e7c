package message

import (
	"bytes"
)

// entity is one MIME entity found in a message: exact byte ranges into the
// scanned text (RFC 2045 §2.4, RFC 2046 §5.1.1). The header block is
// data[Start:HdrEnd] (it ends with the line break of its last line, if that
// line has one); the body is data[BodyStart:End] when HasBlank.
type entity struct {
	Start, HdrEnd, BodyStart, End int
	HasBlank                      bool // a blank line separates header and body
	HeaderOK                      bool // every header line is a field or a continuation
	Media                         mediaType
	Level                         int // nesting level (recursion depth)

	// multipart (RFC 2046 §5.1.1)
	Prologue      bool // text before the first delimiter line
	PrologueEnd   int  // the prologue is data[BodyStart:PrologueEnd]
	Parts         []*entity
	Closed        bool // a close-delimiter line was found
	Epilogue      bool // the close-delimiter line ends in a line break
	EpilogueStart int  // the epilogue is data[EpilogueStart:End]
	Irregular     bool // transport padding or delimiters sharing a line break

	// message/rfc822 (RFC 2046 §5.2.1)
	Inner *entity

	TooDeep bool // nesting limit reached; children were not scanned
}

// scanner holds the text and limits of one scan.
type scanner struct {
	data     text
	maxLevel int
}

// scanMessage scans a whole message (header, body, MIME tree).
func scanMessage(data []byte, maxLevel int) *entity {
	return scanText(byteText(data), maxLevel)
}

// scanText is scanMessage for a text in memory or in a spool file.
func scanText(data text, maxLevel int) *entity {
	s := scanner{data: data, maxLevel: maxLevel}
	return s.entity(0, data.Len(), 0, textPlain())
}

// entity scans data[start:end] as an entity whose Content-Type defaults to
// def (text/plain, or message/rfc822 inside multipart/digest).
func (s *scanner) entity(start, end, level int, def mediaType) *entity {
	e := &entity{Start: start, End: end, Level: level}
	e.HdrEnd, e.BodyStart, e.HasBlank, e.HeaderOK = scanHeader(s.data, start, end)
	if !e.HasBlank {
		// no blank line: a valid header runs to the end; an invalid line
		// starts the body
		e.BodyStart = end
		if !e.HeaderOK {
			e.BodyStart = e.HdrEnd
		}
	}
	e.Media = def
	e.Media.Explicit = false
	if ct := detectContentType(s.data.Bytes(start, e.HdrEnd)); ct.Found {
		e.Media = ct.Media
	}
	if !e.HasBlank {
		return e
	}
	if level >= s.maxLevel {
		e.TooDeep = e.Media.isMultipart() || e.Media.is("message", "rfc822")
		return e
	}
	switch {
	case e.Media.isMultipart():
		s.multipart(e)
	case e.Media.is("message", "rfc822"):
		e.Inner = s.entity(e.BodyStart, e.End, level+1, textPlain())
	}
	return e
}

// scanHeader finds the end of the header block starting at start: the
// blank line (RFC 5322 §2.1) or the end of the entity.
//
// Only the first maxFieldPeek bytes of a line decide whether it is a field
// line, so a long line in a spooled message is not read whole.
func scanHeader(data text, start, end int) (hdrEnd, bodyStart int, hasBlank, ok bool) {
	ok = true
	for pos := start; pos < end; {
		le, next := lineEnd(data, pos, end)
		n := le - pos
		if n > 0 && data.At(le-1) == '\r' {
			n--
		}
		content := data.Bytes(pos, pos+min(n, maxFieldPeek))
		switch {
		case n == 0:
			if le == end {
				// a lone CR at the very end: not a blank line
				return pos, pos, false, false
			}
			return pos, next, true, ok
		case content[0] == ' ' || content[0] == '\t':
			if pos == start {
				return pos, pos, false, false
			}
		case !isFieldLine(content):
			return pos, pos, false, false
		}
		pos = next
	}
	return end, end, false, ok
}

// isFieldLine reports whether line starts with a field name (printable
// US-ASCII except colon, RFC 5322 §2.2) followed by optional white space
// (obsolete syntax, RFC 5322 §4.5) and a colon.
func isFieldLine(line []byte) bool {
	i := 0
	for i < len(line) && line[i] > ' ' && line[i] < 127 && line[i] != ':' {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i < len(line) && line[i] == ':'
}

// maxFieldPeek is how much of a header line scanHeader looks at: more than
// any field name (RFC 5322 §2.1.1 limits a line to 998 characters).
const maxFieldPeek = 64 << 10

// lineAt returns the end of the line starting at pos (the index of its LF,
// or end) and the start of the next line.
func lineAt(data []byte, pos, end int) (lineEnd, next int) {
	i := bytes.IndexByte(data[pos:end], '\n')
	if i < 0 {
		return end, end
	}
	return pos + i, pos + i + 1
}

// delimiter is one boundary delimiter line found in a multipart body.
type delimiter struct {
	start, next int // line start; start of the following line
	hasLF       bool
	close       bool
	padded      bool
}

// multipart splits the body of e at its boundary delimiter lines (RFC 2046
// §5.1.1): the line break before a delimiter belongs to the delimiter; text
// before the first delimiter is the prologue ("preamble"), text after the
// close delimiter's line break is the epilogue.
func (s *scanner) multipart(e *entity) {
	boundary := []byte("--" + e.Media.Params["boundary"])
	var delims []delimiter
	for pos := e.BodyStart; pos < e.End; {
		le, next := lineEnd(s.data, pos, e.End)
		if d, ok := delimiterAt(s.data, pos, le, boundary); ok {
			d.start, d.next, d.hasLF = pos, next, le < e.End
			delims = append(delims, d)
			if d.close {
				break
			}
		}
		pos = next
	}
	if len(delims) == 0 {
		e.Irregular = true
		return
	}
	first := delims[0]
	if first.start > e.BodyStart {
		e.Prologue = true
		e.PrologueEnd = breakStart(s.data, first.start)
	}
	childDefault := textPlain()
	if e.Media.Subtype == "digest" {
		childDefault = mediaType{Type: "message", Subtype: "rfc822"}
	}
	for k, d := range delims {
		if d.padded {
			e.Irregular = true
		}
		if d.close {
			e.Closed = true
			if d.hasLF {
				e.Epilogue = true
				e.EpilogueStart = d.next
			}
			break
		}
		partEnd := e.End
		if k+1 < len(delims) {
			partEnd = breakStart(s.data, delims[k+1].start)
		}
		if !d.hasLF || partEnd < d.next {
			e.Irregular = true
			partEnd = max(partEnd, d.next)
		}
		e.Parts = append(e.Parts, s.entity(d.next, partEnd, e.Level+1, childDefault))
	}
}

// delimiterAt parses the line data[pos:lineEnd] as a delimiter line of
// boundary ("--" and the boundary). Lines longer than a peek are checked
// in slices, so a long line of a spooled message is never read whole.
func delimiterAt(data text, pos, lineEnd int, boundary []byte) (delimiter, bool) {
	n := lineEnd - pos
	if n < len(boundary) {
		return delimiter{}, false
	}
	const peek = 256
	head := data.Bytes(pos, min(lineEnd, pos+len(boundary)+peek))
	if !bytes.HasPrefix(head, boundary) {
		return delimiter{}, false
	}
	if len(head) == n {
		return parseDelimiter(head[len(boundary):])
	}
	// A long line: the delimiter's "--" and transport padding, then
	// possibly a CR before the LF.
	var d delimiter
	at := pos + len(boundary)
	if data.At(at) == '-' && data.At(at+1) == '-' {
		d.close = true
		at += 2
	}
	end := lineEnd
	if data.At(end-1) == '\r' {
		end--
	}
	for at < end {
		chunk := data.Bytes(at, min(end, at+fileWindow))
		for _, b := range chunk {
			if b != ' ' && b != '\t' {
				return d, false
			}
		}
		at += len(chunk)
	}
	d.padded = true
	return d, true
}

// parseDelimiter checks what follows "--boundary" on a line: an optional
// "--" (close delimiter), then only transport padding (RFC 2046 §5.1.1).
func parseDelimiter(rest []byte) (delimiter, bool) {
	var d delimiter
	if bytes.HasPrefix(rest, []byte("--")) {
		d.close = true
		rest = rest[2:]
	}
	if n := len(rest); n > 0 && rest[n-1] == '\r' {
		rest = rest[:n-1]
	}
	for _, b := range rest {
		if b != ' ' && b != '\t' {
			return d, false
		}
	}
	d.padded = len(rest) > 0
	return d, true
}

// breakStart returns where the line break ending just before lineStart
// begins (lineStart-1 for LF, lineStart-2 for CRLF).
func breakStart(data text, lineStart int) int {
	i := lineStart - 1
	if i > 0 && data.At(i-1) == '\r' {
		i--
	}
	return i
}
