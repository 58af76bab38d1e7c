package message

import (
	"bytes"
)

// maxStrictBoundary is the longest boundary DBMail's reader keeps (spec 2.5
// step 3 truncates to 127 bytes); longer ones are stored flat so that DBMail
// can still read the rows after a switch back.
const maxStrictBoundary = 127

// Part is one dbmail_partlists row with its dbmail_mimeparts bytes (spec
// 2.3).
type Part struct {
	Key, Depth, Order int
	IsHeader          bool
	Data              []byte
}

// splitter writes the rows of spec 2.3 (`store_mime_object` and friends)
// for a scanned MIME tree.
type splitter struct {
	data              []byte
	maxDepth          int
	maxRow            int
	parts             []Part
	key, depth, order int
	failed            bool
}

// splitStructured returns the spec 2.3 rows for the stored form data, or
// false when the tree cannot be stored that way (the caller then verifies
// and falls back to the flat layout).
func splitStructured(data []byte, top *entity, maxDepth, maxRow int) ([]Part, bool) {
	s := splitter{data: data, maxDepth: maxDepth, maxRow: maxRow}
	s.object(top, true)
	if s.failed {
		return nil, false
	}
	return s.parts, true
}

// store is spec 2.3 store(text, is_header), except that a body text longer
// than maxRow becomes several consecutive body rows (DefaultMaxRowSize),
// numbered on with the same order counter.
func (s *splitter) store(text []byte, isHeader bool) {
	if isHeader {
		s.key++
		s.order = 0
		ct := detectContentType(text)
		// DBMail finds only "Content-type: " with one space (spec 2.5
		// step 2) and truncates boundaries at 127 bytes: rows it would
		// misread are not written in this layout.
		if ct.Found && (!ct.Strict || len(ct.Media.Params["boundary"]) > maxStrictBoundary) {
			s.failed = true
		}
	}
	if isHeader {
		s.parts = append(s.parts, Part{Key: s.key, Depth: s.depth, Order: s.order, IsHeader: true, Data: text})
		s.order++
		return
	}
	for _, row := range cutRows(text, s.maxRow) {
		s.parts = append(s.parts, Part{Key: s.key, Depth: s.depth, Order: s.order, Data: row})
		s.order++
	}
}

func (s *splitter) header(e *entity) []byte { return s.data[e.Start:e.HdrEnd] }
func (s *splitter) body(e *entity) []byte   { return s.data[e.BodyStart:e.End] }

// object is spec 2.3 object(o); isMessage is true for the top-level message
// and for the message inside a message/rfc822 part.
func (s *splitter) object(e *entity, isMessage bool) {
	if s.failed {
		return
	}
	if !e.HeaderOK || e.TooDeep {
		s.failed = true
		return
	}
	skipHead := false
	if isMessage {
		if !e.HasBlank {
			s.failed = true
			return
		}
		s.store(s.header(e), true)
		skipHead = true
	}
	switch {
	case e.Media.Explicit && e.Media.isMultipart():
		s.multipart(e, skipHead)
	case e.Media.Explicit && e.Media.is("message", "rfc822"):
		s.message(e, skipHead)
	default:
		s.leaf(e, skipHead)
	}
}

// leaf is spec 2.3 leaf(p, skiphead), except that an empty body after a
// blank line is stored (as a size-0 part): that keeps the blank line.
func (s *splitter) leaf(e *entity, skipHead bool) {
	if !skipHead {
		s.store(s.header(e), true)
	}
	if e.HasBlank {
		s.store(s.body(e), false)
	}
}

// multipart is spec 2.3 multipart(p, skiphead).
func (s *splitter) multipart(e *entity, skipHead bool) {
	if !e.HasBlank || e.Irregular || !e.Closed || len(e.Parts) == 0 {
		s.failed = true
		return
	}
	if !skipHead {
		s.store(s.header(e), true)
	}
	if e.Prologue {
		s.store(s.data[e.BodyStart:e.PrologueEnd], false)
	}
	s.depth++
	if s.depth > s.maxDepth {
		s.failed = true
		return
	}
	s.order = 0
	for _, child := range e.Parts {
		s.object(child, false)
		if s.failed {
			return
		}
	}
	s.depth--
	s.order++
	if e.Epilogue {
		s.store(s.data[e.EpilogueStart:e.End], false)
	}
}

// message is spec 2.3 message(p, skiphead) for message/rfc822.
func (s *splitter) message(e *entity, skipHead bool) {
	if !skipHead {
		s.store(s.header(e), true)
	}
	if !e.HasBlank {
		return
	}
	if in := e.Inner; in != nil && in.HeaderOK && in.HasBlank {
		s.object(in, true)
		return
	}
	s.store(s.body(e), false)
}

// splitFlat returns the flat layout: one header row and the body rows (one,
// or several of at most maxRow bytes) that rebuild (spec 2.5) to exactly
// data, or only body rows when data has no line break to join the two at.
func splitFlat(data []byte, maxRow int) []Part {
	at := flatJoin(data)
	if at < 0 {
		return splitAllBody(data, maxRow)
	}
	parts := []Part{{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: data[:at]}}
	for i, row := range cutRows(data[at+1:], maxRow) {
		parts = append(parts, Part{Key: 1, Depth: 0, Order: 1 + i, Data: row})
	}
	return parts
}

// flatJoin picks the LF that the rebuild re-inserts after the header row:
// the LF of the first blank line (LF or CRLF) when there is one, else the
// last LF, else -1.
func flatJoin(data []byte) int {
	for pos := 0; pos < len(data); {
		switch {
		case data[pos] == '\n':
			return pos
		case data[pos] == '\r' && pos+1 < len(data) && data[pos+1] == '\n':
			return pos + 1
		}
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		pos += i + 1
	}
	return bytes.LastIndexByte(data, '\n')
}

// rebuildsTo reports whether parts rebuild (FormStored) to exactly want.
func rebuildsTo(parts []Part, want []byte) bool {
	cw := &compareWriter{want: want}
	r := NewRebuilder(cw, FormStored)
	for _, p := range parts {
		if err := r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data}); err != nil {
			return false
		}
	}
	if err := r.Close(); err != nil {
		return false
	}
	return cw.ok() && cw.off == len(want)
}

// compareWriter checks written bytes against want without buffering them.
type compareWriter struct {
	want     []byte
	off      int
	mismatch bool
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.mismatch || c.off+len(p) > len(c.want) || !bytes.Equal(c.want[c.off:c.off+len(p)], p) {
		c.mismatch = true
		return len(p), nil
	}
	c.off += len(p)
	return len(p), nil
}

func (c *compareWriter) ok() bool { return !c.mismatch }
