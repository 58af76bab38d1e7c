package message

import (
	"bytes"
	"fmt"
	"io"
)

// maxStrictBoundary is the longest boundary DBMail's reader keeps (spec 2.5
// step 3 truncates to 127 bytes); longer ones are stored flat so that DBMail
// can still read the rows after a switch back.
const maxStrictBoundary = 127

// Part is one dbmail_partlists row with its dbmail_mimeparts bytes (spec
// 2.3). The bytes are Data, or, for a body row of a message parsed from a
// spool file (ParseSpool), Size bytes at Off of Src, read when the row is
// stored (Data is nil then).
type Part struct {
	Key, Depth, Order int
	IsHeader          bool
	Data              []byte

	Src  io.ReaderAt
	Off  int64
	Size int64
}

// Len is the length of the part's bytes.
func (p *Part) Len() int64 {
	if p.Src != nil {
		return p.Size
	}
	return int64(len(p.Data))
}

// Load returns the part's bytes: Data, or the range of Src read into buf
// (grown when too small; the result aliases it).
func (p *Part) Load(buf []byte) ([]byte, error) {
	if p.Src == nil {
		return p.Data, nil
	}
	if int64(cap(buf)) < p.Size {
		buf = make([]byte, p.Size)
	}
	buf = buf[:p.Size]
	if _, err := p.Src.ReadAt(buf, p.Off); err != nil {
		return nil, fmt.Errorf("message: read part at %d: %w", p.Off, err)
	}
	return buf, nil
}

// Lazy reports whether the part's bytes are still in its spool file.
func (p *Part) Lazy() bool { return p.Src != nil }

// splitter writes the rows of spec 2.3 (`store_mime_object` and friends)
// for a scanned MIME tree.
type splitter struct {
	data              text
	maxDepth          int
	maxRow            int
	parts             []Part
	key, depth, order int
	failed            bool
}

// splitStructured returns the spec 2.3 rows for the stored form data, or
// false when the tree cannot be stored that way (the caller then verifies
// and falls back to the flat layout).
func splitStructured(data text, top *entity, maxDepth, maxRow int) ([]Part, bool) {
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
func (s *splitter) store(start, end int, isHeader bool) {
	if isHeader {
		text := s.data.Keep(start, end)
		s.key++
		s.order = 0
		ct := detectContentType(text)
		// DBMail finds only "Content-type: " with one space (spec 2.5
		// step 2) and truncates boundaries at 127 bytes: rows it would
		// misread are not written in this layout.
		if ct.Found && (!ct.Strict || len(ct.Media.Params["boundary"]) > maxStrictBoundary) {
			s.failed = true
		}
		s.parts = append(s.parts, Part{Key: s.key, Depth: s.depth, Order: s.order, IsHeader: true, Data: text})
		s.order++
		return
	}
	for _, r := range cutRanges(s.data, start, end, s.maxRow) {
		p := s.data.Row(r[0], r[1])
		p.Key, p.Depth, p.Order = s.key, s.depth, s.order
		s.parts = append(s.parts, p)
		s.order++
	}
}

func (s *splitter) storeHeader(e *entity) { s.store(e.Start, e.HdrEnd, true) }
func (s *splitter) storeBody(e *entity)   { s.store(e.BodyStart, e.End, false) }

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
		s.storeHeader(e)
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
		s.storeHeader(e)
	}
	if e.HasBlank {
		s.storeBody(e)
	}
}

// multipart is spec 2.3 multipart(p, skiphead).
func (s *splitter) multipart(e *entity, skipHead bool) {
	if !e.HasBlank || e.Irregular || !e.Closed || len(e.Parts) == 0 {
		s.failed = true
		return
	}
	if !skipHead {
		s.storeHeader(e)
	}
	if e.Prologue {
		s.store(e.BodyStart, e.PrologueEnd, false)
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
		s.store(e.EpilogueStart, e.End, false)
	}
}

// message is spec 2.3 message(p, skiphead) for message/rfc822.
func (s *splitter) message(e *entity, skipHead bool) {
	if !skipHead {
		s.storeHeader(e)
	}
	if !e.HasBlank {
		return
	}
	if in := e.Inner; in != nil && in.HeaderOK && in.HasBlank {
		s.object(in, true)
		return
	}
	s.storeBody(e)
}

// splitFlat returns the flat layout: one header row and the body rows (one,
// or several of at most maxRow bytes) that rebuild (spec 2.5) to exactly
// data, or only body rows when data has no line break to join the two at.
func splitFlat(data []byte, maxRow int) []Part { return splitFlatText(byteText(data), maxRow) }

func splitFlatText(data text, maxRow int) []Part {
	at := flatJoin(data)
	if at < 0 {
		return splitAllBodyText(data, maxRow)
	}
	parts := []Part{{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: data.Keep(0, at)}}
	for i, r := range cutRanges(data, at+1, data.Len(), maxRow) {
		p := data.Row(r[0], r[1])
		p.Key, p.Depth, p.Order = 1, 0, 1+i
		parts = append(parts, p)
	}
	return parts
}

// flatJoin picks the LF that the rebuild re-inserts after the header row:
// the LF of the first blank line (LF or CRLF) when there is one, else the
// last LF, else -1.
func flatJoin(data text) int {
	n := data.Len()
	for pos := 0; pos < n; {
		switch {
		case data.At(pos) == '\n':
			return pos
		case data.At(pos) == '\r' && pos+1 < n && data.At(pos+1) == '\n':
			return pos + 1
		}
		i := data.IndexByte(pos, n, '\n')
		if i < 0 {
			break
		}
		pos = i + 1
	}
	return data.LastIndexByte(0, n, '\n')
}

// rebuildsTo reports whether parts rebuild (FormStored) to exactly want.
// The rows of a spooled message are read one at a time.
func rebuildsTo(parts []Part, want text) bool {
	cw := &compareWriter{want: want}
	r := NewRebuilder(cw, FormStored)
	var buf []byte
	for i := range parts {
		p := &parts[i]
		data, err := p.Load(buf)
		if err != nil {
			return false
		}
		if p.Lazy() {
			buf = data
		}
		if err := r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: data}); err != nil {
			return false
		}
	}
	if err := r.Close(); err != nil {
		return false
	}
	return cw.ok() && cw.off == want.Len()
}

// compareWriter checks written bytes against want without buffering them.
type compareWriter struct {
	want     text
	off      int
	mismatch bool
}

func (c *compareWriter) Write(p []byte) (int, error) {
	n := len(p)
	if c.mismatch || c.off+n > c.want.Len() {
		c.mismatch = true
		return n, nil
	}
	for len(p) > 0 {
		k := min(len(p), fileWindow)
		if !bytes.Equal(c.want.Bytes(c.off, c.off+k), p[:k]) {
			c.mismatch = true
			return n, nil
		}
		c.off += k
		p = p[k:]
	}
	return n, nil
}

func (c *compareWriter) ok() bool { return !c.mismatch }
