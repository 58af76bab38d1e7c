package message

import (
	"bytes"
	"errors"
)

// StructureScanner computes the MIME tree of a message whose CRLF wire form
// is written to it in pieces of any size, without holding the message: it
// keeps the header block of each open entity, the boundary delimiters of
// the open multiparts, the current line's first bytes and counters. Its
// Node is exactly what ParseStructure returns for the same bytes.
//
// The batch parser knows where an entity ends before it scans it; a stream
// learns it only from the next delimiter line of an enclosing multipart,
// whose preceding line break belongs to that delimiter (RFC 2046 §5.1.1).
// So every line is first taken as followed by more of the entity, and the
// entities that a delimiter ends are then finished as the batch parser
// sees them: their last line without its line break (their header scanned
// again from the kept bytes, their lines counted from the counters at the
// delimiter), and, in the rare case that the cut line becomes a delimiter
// itself ("--b\r\r\n"), rolled back to a snapshot taken before that line.
type StructureScanner struct {
	maxLevel int
	stack    []*frame // the open entities, root first
	root     *Node
	done     bool

	cur  mark // counters after the bytes written so far
	line mark // counters at the start of the current line

	// the current line (content without its LF)
	lineLen   int64
	k         int    // bytes of the line kept: the longest delimiter plus "--"
	prefix    []byte // the line's first k bytes
	candidate bool   // the prefix starts with a boundary (tail tracked)
	tailCR    int64  // CRs ending the bytes past k
	tailBad   bool   // a byte past k that is neither white space nor in the final CR run
	hdrDst    *frame // the entity in its header section, which keeps the line

	hist []lineRecord // consecutive lines that end in a delimiter only when cut
}

// mark is the stream's counters at a position: bytes, line feeds, and the
// last three bytes before it (last[2] is the byte at pos-1).
type mark struct {
	pos, lf int64
	last    [3]byte
}

// byteAt returns the byte at x, one of the three before m.pos.
func (m mark) byteAt(x int64) byte { return m.last[2-(m.pos-1-x)] }

// breakStart is where the line break ending just before the line starting
// at m begins (scan.go's breakStart).
func (m mark) breakStart() int64 {
	i := m.pos - 1
	if i > 0 && m.byteAt(i-1) == '\r' {
		i--
	}
	return i
}

// frame is one open entity.
type frame struct {
	start    int64
	level    int
	def      mediaType // default Content-Type
	isInner  bool      // the encapsulated message of its parent
	inHeader bool
	hdr      []byte // the bytes from start while in the header, up to bodyStart after

	// set when the header section ended with a complete line
	hdrEnd, bodyStart int64
	hasBlank          bool
	media             mediaType
	lfBody            int64  // line feeds before bodyStart
	boundary          []byte // "--boundary" of a multipart whose delimiters are searched
	closed            bool   // its close delimiter was seen

	parts    []*Node
	inner    *Node
	innerEnv string
}

// lineRecord remembers, for a line that is a delimiter of some multiparts
// only when its line break is cut, the state before the line.
type lineRecord struct {
	at      mark
	snap    []frameSnap
	cutOnly []cutRef // outermost first
}

type frameSnap struct {
	f *frame
	v frame
}

type cutRef struct {
	idx   int
	f     *frame
	close bool
}

// errScannerDone is returned by Write after Finish.
var errScannerDone = errors.New("message: structure scanner already finished")

// NewStructureScanner returns a scanner for one message.
func NewStructureScanner() *StructureScanner {
	s := &StructureScanner{maxLevel: maxStructureLevel}
	root := &frame{def: textPlain(), inHeader: true}
	s.stack = []*frame{root}
	s.startLine()
	return s
}

// Write implements io.Writer; it never fails before Finish.
func (s *StructureScanner) Write(p []byte) (int, error) {
	if s.done {
		return 0, errScannerDone
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.content(p)
			break
		}
		s.content(p[:i])
		if s.hdrDst != nil {
			s.hdrDst.hdr = append(s.hdrDst.hdr, '\n')
		}
		s.cur.advance(p[i : i+1])
		s.endLine(true)
		p = p[i+1:]
	}
	return n, nil
}

// Finish ends the message and returns its tree; the scanner takes no more
// bytes.
func (s *StructureScanner) Finish() *Node {
	if s.done {
		return s.root
	}
	if s.lineLen > 0 {
		s.endLine(false)
	}
	for j := len(s.stack) - 1; j >= 0; j-- {
		s.finish(j, s.cur.pos, s.cur)
	}
	s.stack, s.hist, s.prefix, s.done = nil, nil, nil, true
	return s.root
}

func (m *mark) advance(b []byte) {
	m.pos += int64(len(b))
	m.lf += int64(bytes.Count(b, []byte{'\n'}))
	if len(b) >= 3 {
		copy(m.last[:], b[len(b)-3:])
		return
	}
	for _, c := range b {
		m.last[0], m.last[1], m.last[2] = m.last[1], m.last[2], c
	}
}

// startLine resets the line state at the current position.
func (s *StructureScanner) startLine() {
	s.line = s.cur
	s.lineLen, s.tailCR, s.tailBad, s.candidate = 0, 0, false, false
	s.prefix = s.prefix[:0]
	s.k = 0
	for _, f := range s.stack {
		if s.active(f) && len(f.boundary)+2 > s.k {
			s.k = len(f.boundary) + 2
		}
	}
	s.hdrDst = nil
	if top := s.stack[len(s.stack)-1]; top.inHeader {
		s.hdrDst = top
	}
}

func (s *StructureScanner) active(f *frame) bool {
	return f.boundary != nil && !f.closed
}

// content takes bytes of the current line (no LF).
func (s *StructureScanner) content(b []byte) {
	if len(b) == 0 {
		return
	}
	if s.hdrDst != nil {
		s.hdrDst.hdr = append(s.hdrDst.hdr, b...)
	}
	s.cur.advance(b)
	rest := b
	if len(s.prefix) < s.k {
		take := min(s.k-len(s.prefix), len(rest))
		s.prefix = append(s.prefix, rest[:take]...)
		rest = rest[take:]
		if len(s.prefix) == s.k {
			for _, f := range s.stack {
				if s.active(f) && bytes.HasPrefix(s.prefix, f.boundary) {
					s.candidate = true
					break
				}
			}
		}
	}
	s.lineLen += int64(len(b))
	if !s.candidate || s.tailBad {
		return
	}
	for _, c := range rest {
		switch {
		case c == '\r':
			s.tailCR++
		case c == ' ' || c == '\t':
			if s.tailCR > 0 {
				s.tailBad = true
			}
			s.tailCR = 0
		default:
			s.tailBad = true
			return
		}
	}
}

// crRun is the number of CRs ending the line's content.
func (s *StructureScanner) crRun() int64 {
	tailLen := s.lineLen - int64(len(s.prefix))
	if tailLen > 0 && s.tailCR < tailLen {
		return s.tailCR
	}
	n := s.tailCR
	for i := len(s.prefix) - 1; i >= 0 && s.prefix[i] == '\r'; i-- {
		n++
	}
	return n
}

// delim tells whether the current line is a delimiter of boundary b
// (parseDelimiter), as written (cut false) or without its line break (cut
// true: the last line of an entity that a delimiter ends).
func (s *StructureScanner) delim(b []byte, cut bool) (ok, close bool) {
	cr := s.crRun()
	effLen, effCR := s.lineLen, cr
	if cut && cr > 0 {
		effLen, effCR = effLen-1, effCR-1
	}
	lb := int64(len(b))
	if effLen < lb || !bytes.HasPrefix(s.prefix, b) || s.tailBad {
		return false, false
	}
	rs := lb
	if effLen >= lb+2 && s.prefix[lb] == '-' && s.prefix[lb+1] == '-' {
		close = true
		rs += 2
	}
	tr := min(effCR, effLen-rs)
	if tr > 1 {
		return false, false
	}
	wsEnd := effLen - tr
	for x := rs; x < min(int64(s.k), wsEnd); x++ {
		if c := s.prefix[x]; c != ' ' && c != '\t' {
			return false, false
		}
	}
	if wsEnd > int64(s.k) && s.tailBad {
		return false, false
	}
	return true, close
}

// endLine handles a complete line (hasLF) or the last line of the message.
func (s *StructureScanner) endLine(hasLF bool) {
	at := -1
	atClose := false
	var cutOnly []cutRef
	for idx, f := range s.stack {
		if !s.active(f) {
			continue
		}
		if ok, cl := s.delim(f.boundary, false); ok {
			at, atClose = idx, cl
			break
		}
		if hasLF {
			if ok, cl := s.delim(f.boundary, true); ok {
				cutOnly = append(cutOnly, cutRef{idx: idx, f: f, close: cl})
			}
		}
	}
	var snap []frameSnap
	if len(cutOnly) > 0 {
		snap = make([]frameSnap, len(s.stack))
		for i, f := range s.stack {
			snap[i] = frameSnap{f: f, v: *f}
		}
	}
	switch {
	case at >= 0:
		s.cutBelow(at, s.line, s.hist)
		if atClose {
			s.stack[at].closed = true
		} else {
			s.pushPart(s.stack[at], s.cur.pos)
		}
	case hasLF && s.hdrDst != nil:
		s.headerLine(s.hdrDst)
	}
	if len(cutOnly) > 0 {
		if len(s.hist) > s.maxLevel+1 {
			s.hist = append(s.hist[:0], s.hist[1:]...)
		}
		s.hist = append(s.hist, lineRecord{at: s.line, snap: snap, cutOnly: cutOnly})
	} else {
		s.hist = s.hist[:0]
	}
	s.startLine()
}

// cutBelow ends the entities deeper than stack[i] because the line
// starting at p is a delimiter of stack[i]: they end where the line break
// before p begins, and stack[i]'s current part no earlier than its start
// (scan.go's multipart). hist holds the records of the lines before p, the
// last one the line just before p: a deeper multipart for which that line
// is a delimiter only when cut sees it as one.
func (s *StructureScanner) cutBelow(i int, p mark, hist []lineRecord) {
	if n := len(hist); n > 0 && hist[n-1].at.pos < p.pos {
		r := &hist[n-1]
		for _, c := range r.cutOnly {
			if c.idx <= i || c.idx >= len(s.stack) || s.stack[c.idx] != c.f {
				continue
			}
			s.stack = s.stack[:c.idx+1]
			for _, fs := range r.snap[c.idx+1:] {
				*fs.f = fs.v
				s.stack = append(s.stack, fs.f)
			}
			s.cutBelow(c.idx, r.at, hist[:n-1])
			if c.close {
				c.f.closed = true
			} else {
				s.pushPart(c.f, p.pos)
			}
			break
		}
	}
	if len(s.stack) <= i+1 {
		return
	}
	end := max(p.breakStart(), s.stack[i+1].start)
	for j := len(s.stack) - 1; j > i; j-- {
		s.finish(j, end, p)
	}
	s.stack = s.stack[:i+1]
}

// pushPart opens a body part of multipart f at pos (RFC 2046 §5.1.1;
// parts of a digest default to message/rfc822, §5.1.5).
func (s *StructureScanner) pushPart(f *frame, pos int64) {
	def := textPlain()
	if f.media.Subtype == "digest" {
		def = mediaType{Type: "message", Subtype: "rfc822"}
	}
	s.stack = append(s.stack, &frame{start: pos, level: f.level + 1, def: def, inHeader: true})
}

// headerLine takes a complete line of f's header section (scanHeader).
func (s *StructureScanner) headerLine(f *frame) {
	line := f.hdr[s.line.pos-f.start : len(f.hdr)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	switch {
	case len(line) == 0:
		f.hasBlank = true
		f.hdrEnd, f.bodyStart = s.line.pos, s.cur.pos
		f.lfBody = s.cur.lf
	case line[0] == ' ' || line[0] == '\t':
		if s.line.pos != f.start {
			return // a continuation line
		}
		f.hdrEnd, f.bodyStart = s.line.pos, s.line.pos
		f.lfBody = s.line.lf
		f.hdr = f.hdr[:f.hdrEnd-f.start]
	case !isFieldLine(line):
		f.hdrEnd, f.bodyStart = s.line.pos, s.line.pos
		f.lfBody = s.line.lf
		f.hdr = f.hdr[:f.hdrEnd-f.start]
	default:
		return
	}
	f.inHeader = false
	f.media = f.def
	f.media.Explicit = false
	if ct := detectContentType(f.hdr[:f.hdrEnd-f.start]); ct.Found {
		f.media = ct.Media
	}
	if !f.hasBlank || f.level >= s.maxLevel {
		return
	}
	switch {
	case f.media.isMultipart():
		f.boundary = []byte("--" + f.media.Params["boundary"])
	case f.media.is("message", "rfc822"):
		s.stack = append(s.stack, &frame{start: f.bodyStart, level: f.level + 1, def: textPlain(), isInner: true, inHeader: true})
	}
}

// finish ends stack[j] at end (m: the counters at or just after end) and
// hands its node to its parent.
func (s *StructureScanner) finish(j int, end int64, m mark) {
	f := s.stack[j]
	if f.start > end {
		f.start = end
	}
	var n *Node
	var hdr []byte
	if f.inHeader || end < f.bodyStart {
		// the header section as scanHeader sees it in [start, end)
		h := f.hdr[:end-f.start]
		he, bs, blank, ok := scanHeader(byteText(h), 0, len(h))
		if !blank {
			bs = len(h)
			if !ok {
				bs = he
			}
		}
		media := f.def
		media.Explicit = false
		if ct := detectContentType(h[:he]); ct.Found {
			media = ct.Media
		}
		hdr = h[:he]
		n = newNode(hdr, media, f.start, f.start+int64(bs), end, countLines(h[bs:]))
		if blank {
			n.Parts, n.Message, n.envelope = f.parts, f.inner, f.innerEnv
		}
	} else {
		lf := m.lf
		if end < m.pos {
			lf-- // the LF just before m is in the cut line break
		}
		lines := lf - f.lfBody
		if end > f.bodyStart && m.byteAt(end-1) != '\n' {
			lines++
		}
		hdr = f.hdr[:f.hdrEnd-f.start]
		n = newNode(hdr, f.media, f.start, f.bodyStart, end, lines)
		n.Parts, n.Message, n.envelope = f.parts, f.inner, f.innerEnv
	}
	finishNode(n)
	switch {
	case j == 0:
		s.root = n
	case f.isInner:
		p := s.stack[j-1]
		p.inner, p.innerEnv = n, envelopeOf(parseHeaderList(hdr))
	default:
		p := s.stack[j-1]
		p.parts = append(p.parts, n)
	}
}
