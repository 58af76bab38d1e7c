package imap4

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// maxHeaderCapture bounds the top-level header read for SEARCH, SORT and
// THREAD; a message without a blank line within it is cut there.
const maxHeaderCapture = 1 << 20

// hdrField is one top-level header field: the name as written and the raw
// value with folding removed.
type hdrField struct {
	Name, Value string
}

// msgHeader is the parsed top-level header of one message, with the
// charset that 8-bit header text falls back to (spec 2.9 step 3).
type msgHeader struct {
	fields  []hdrField
	charset string
}

// raw returns the raw value of the first field called name.
func (h *msgHeader) raw(name string) (string, bool) {
	for _, f := range h.fields {
		if strings.EqualFold(f.Name, name) {
			return strings.TrimSpace(f.Value), true
		}
	}
	return "", false
}

// first returns the decoded value of the first field called name.
func (h *msgHeader) first(name string) (string, bool) {
	v, ok := h.raw(name)
	if !ok {
		return "", false
	}
	return message.DecodeHeader(v, h.charset), true
}

// sentDate is the Date: field parsed in its own offset (RFC 5322 §3.3);
// ok is false when it is missing or unparsable.
func (h *msgHeader) sentDate() (time.Time, bool) {
	v, ok := h.raw("date")
	if !ok {
		return time.Time{}, false
	}
	return message.ParseDate(v)
}

// parseHeaderFields parses a header block (up to its blank line) into
// fields, unfolding continuation lines (RFC 5322 §2.2.3). Lines that are
// neither fields nor continuations are skipped. Names and unfolded values
// share one copy of the block.
func parseHeaderFields(block []byte) msgHeader {
	text := string(block)
	h := msgHeader{fields: make([]hdrField, 0, strings.Count(text, "\n")/2+1)}
	cur := -1 // index of the field being continued
	var folded strings.Builder
	flush := func() {
		if cur >= 0 && folded.Len() > 0 {
			h.fields[cur].Value = folded.String()
			folded.Reset()
		}
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur >= 0 {
				if folded.Len() == 0 {
					folded.WriteString(h.fields[cur].Value)
				}
				folded.WriteString(line)
			}
			continue
		}
		flush()
		cur = -1
		colon := strings.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := strings.TrimRight(line[:colon], " \t")
		if name == "" {
			continue
		}
		h.fields = append(h.fields, hdrField{Name: name, Value: line[colon+1:]})
		cur = len(h.fields) - 1
	}
	flush()
	if ct, ok := h.raw("content-type"); ok {
		h.charset = headerParam(ct, "charset")
	}
	return h
}

// headerParam finds a parameter of a structured field value such as
// `text/plain; charset="utf-8"` (RFC 2045 §5.1), "" when absent.
func headerParam(v, name string) string {
	for _, p := range strings.Split(v, ";")[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), name) {
			continue
		}
		return strings.Trim(strings.TrimSpace(val), `"`)
	}
	return ""
}

// headerCapture collects the wire form up to and including the blank line
// that ends the top-level header, then stops the stream.
type headerCapture struct {
	buf  []byte
	done bool
}

func (c *headerCapture) Write(p []byte) (int, error) {
	if c.done {
		return 0, errRangeDone
	}
	n := len(p)
	// a source may hand over the whole message at once: take it in
	// slices so that little more than the header is copied
	for len(p) > 0 && !c.done {
		k := min(len(p), 4096)
		c.take(p[:k])
		p = p[k:]
	}
	if c.done {
		return n, errRangeDone
	}
	return n, nil
}

func (c *headerCapture) take(p []byte) {
	start := max(len(c.buf)-3, 0)
	c.buf = append(c.buf, p...)
	if len(c.buf) >= 2 && (c.buf[0] == '\n' || (c.buf[0] == '\r' && c.buf[1] == '\n')) {
		c.buf, c.done = c.buf[:0], true // empty header
		return
	}
	if i := bytes.Index(c.buf[start:], []byte("\n\r\n")); i >= 0 {
		c.buf, c.done = c.buf[:start+i+3], true
	} else if i := bytes.Index(c.buf[start:], []byte("\n\n")); i >= 0 {
		c.buf, c.done = c.buf[:start+i+2], true
	} else if len(c.buf) >= maxHeaderCapture {
		c.buf, c.done = c.buf[:maxHeaderCapture], true
	}
}

// HeaderSource is an optional extension of MsgSource: the top-level
// header section of the wire form, exactly what BODY[HEADER] returns (the
// bytes before message.ParseStructure(wire).BodyStart, blank line
// included). A source that keeps it (say in the query cache by
// physmessage id, it never changes) spares SEARCH, SORT, THREAD and FETCH
// of BODY[HEADER…] / RFC822.HEADER the rebuilding of the whole message.
type HeaderSource interface {
	Header(ctx context.Context, m *MsgMeta) ([]byte, error)
}

// readHeader reads only the top-level header section of a message: from
// a HeaderSource, else by streaming the wire form and stopping at the
// blank line, so a big body is not read.
func readHeader(ctx context.Context, src MsgSource, m *MsgMeta) (msgHeader, error) {
	if hs, ok := src.(HeaderSource); ok {
		hdr, err := hs.Header(ctx, m)
		if err != nil {
			return msgHeader{}, fmt.Errorf("read header of uid %d: %w", m.UID, err)
		}
		return parseHeaderFields(hdr), nil
	}
	c := &headerCapture{}
	err := src.WriteWire(ctx, m, c)
	if !c.done && err != nil {
		return msgHeader{}, fmt.Errorf("read header of uid %d: %w", m.UID, err)
	}
	return parseHeaderFields(c.buf), nil
}

// msgData is what evaluating keys for one message has loaded so far; it
// is reset for every message so that at most one message is held.
type msgData struct {
	ctx context.Context
	src MsgSource
	m   *MsgMeta

	hdr     *msgHeader
	wire    []byte
	tree    *message.Node
	hdrText []string // decoded "Name: value" lines for TEXT
}

func (d *msgData) header() (*msgHeader, error) {
	if d.hdr != nil {
		return d.hdr, nil
	}
	if d.wire != nil {
		h := parseHeaderFields(d.wire)
		d.hdr = &h
		return d.hdr, nil
	}
	h, err := readHeader(d.ctx, d.src, d.m)
	if err != nil {
		return nil, err
	}
	d.hdr = &h
	return d.hdr, nil
}

// content loads the structure and, for messages up to
// DefaultMaxInMemory, the wire form; larger messages are read part by part
// (see part).
func (d *msgData) content() (*message.Node, error) {
	if d.wire == nil && d.m.RFCSize <= DefaultMaxInMemory {
		w, err := d.src.Wire(d.ctx, d.m)
		if err != nil {
			return nil, fmt.Errorf("read message uid %d: %w", d.m.UID, err)
		}
		d.wire = w
	}
	if d.tree == nil {
		t, err := d.src.Structure(d.ctx, d.m)
		if err != nil {
			return nil, fmt.Errorf("read structure of uid %d: %w", d.m.UID, err)
		}
		if t == nil {
			return nil, fmt.Errorf("read structure of uid %d: no structure", d.m.UID)
		}
		d.tree = t
	}
	return d.tree, nil
}

// part returns the bytes [start, end) of the wire form: sliced from the
// loaded message, or streamed out of a large one (only that part is held).
func (d *msgData) part(start, end int64) ([]byte, error) {
	if start < 0 || start > end {
		return nil, fmt.Errorf("read message uid %d: bad range %d-%d", d.m.UID, start, end)
	}
	if d.wire != nil {
		if end > int64(len(d.wire)) {
			return nil, fmt.Errorf("read message uid %d: range %d-%d outside its %d bytes", d.m.UID, start, end, len(d.wire))
		}
		return d.wire[start:end], nil
	}
	var buf bytes.Buffer
	buf.Grow(int(end - start))
	f := &fetchMsg{ctx: d.ctx, m: d.m, src: d.src}
	if err := f.streamRange(wireRange{start, end}, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
