package message

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Options configure Parse.
type Options struct {
	// MaxDepth is the deepest part_depth written in the structured layout
	// (spec 0.1 MAX_MIME_DEPTH, 64 when zero); deeper trees are stored flat.
	MaxDepth int
	// DefaultCharset is [DBMAIL] default_msg_encoding: the charset of 8-bit
	// header text that is not UTF-8 when the message names none.
	DefaultCharset string
	// MaxRowSize is the most bytes of one body row; longer bodies,
	// prologues and epilogues are cut into consecutive rows
	// (DefaultMaxRowSize when zero).
	MaxRowSize int
}

// DefaultMaxDepth is DBMail's MAX_MIME_DEPTH (spec 0.1).
const DefaultMaxDepth = maxStoredDepth

// Message is a parsed message: its storage rows, sizes and top-level header.
type Message struct {
	Parts        []Part    // rows in insertion order, spec 2.3 layout (or flat)
	MessageSize  int64     // length of the original form
	RFCSize      int64     // length of the CRLF wire form
	StoredSize   int64     // length of the stored form (FormStored output)
	FromLineDate time.Time // date of a leading mbox "From " line, zero if none
	Structured   bool      // Parts use the spec 2.3 layout (false: flat)

	header         headerList
	media          mediaType
	disposition    string
	defaultCharset string
}

// headerList is a header section's fields in order.
type headerList []headerField

// parseHeaderList reads the fields of a header block.
func parseHeaderList(block []byte) headerList {
	var h headerList
	forEachField(block, func(f rawField) bool {
		h = append(h, headerField{Name: string(f.Name), Value: unfold(f.Value)})
		return true
	})
	return h
}

// headerField is one top-level header field: name as written, raw value
// with folding removed.
type headerField struct {
	Name  string
	Value string
}

// Parse splits raw (one message as received, optionally starting with an
// mbox "From " line) into storage rows and parses its top-level header.
// The rows reference a private copy of the message text.
func Parse(raw []byte, opt Options) (*Message, error) {
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultMaxDepth
	}
	if opt.MaxRowSize <= 0 {
		opt.MaxRowSize = DefaultMaxRowSize
	}
	m := &Message{defaultCharset: opt.DefaultCharset}
	original := raw
	switch {
	case bytes.HasPrefix(raw, []byte("From ")):
		line, rest := cutLine(raw)
		m.FromLineDate = parseFromLineDate(string(line))
		original = rest
	case bytes.HasPrefix(raw, []byte(" ")):
		_, original = cutLine(raw)
	}
	m.MessageSize = int64(len(original))

	endings := classifyEndings(original)
	var stored []byte
	if endings == endingsCRLF {
		stored = crlfToLF(original)
	} else {
		stored = bytes.Clone(original)
	}
	if stored == nil {
		stored = []byte{}
	}
	m.StoredSize = int64(len(stored))
	m.RFCSize = m.StoredSize + countBareLF(stored)

	if err := m.split(byteText(stored), endings, opt); err != nil {
		return nil, err
	}
	return m, nil
}

// split stores the rows of the stored form in m.Parts (the spec 2.3
// layout when it rebuilds to exactly stored, else a flat one) and parses
// the top-level header.
func (m *Message) split(stored text, endings lineEndings, opt Options) error {
	top := scanText(stored, opt.MaxDepth+1)
	if endings != endingsMixed {
		if parts, ok := splitStructured(stored, top, opt.MaxDepth, opt.MaxRowSize); ok && rebuildsTo(parts, stored) {
			m.Parts, m.Structured = parts, true
		}
	}
	if m.Parts == nil {
		m.Parts = splitFlatText(stored, opt.MaxRowSize)
		if !rebuildsTo(m.Parts, stored) && len(m.Parts) > 2 {
			m.Parts = splitAllBodyText(stored, opt.MaxRowSize)
		}
		if !rebuildsTo(m.Parts, stored) {
			return fmt.Errorf("message: flat layout does not rebuild (%d bytes)", stored.Len())
		}
	}
	m.parseHeader(stored, top)
	return nil
}

// cutLine splits data after its first LF.
func cutLine(data []byte) (line, rest []byte) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil
	}
	return data[:i+1], data[i+1:]
}

// parseFromLineDate reads the asctime date at the end of an mbox "From "
// line ("From a@b  Thu Aug 22 12:36:23 2002", optionally followed by a
// numeric zone). Unparsable dates give the zero time.
func parseFromLineDate(line string) time.Time {
	f := strings.Fields(line)
	layouts := []struct {
		n      int
		layout string
	}{
		{5, "Mon Jan 2 15:04:05 2006"},
		{6, "Mon Jan 2 15:04:05 2006 -0700"},
		{6, "Mon Jan 2 15:04:05 -0700 2006"},
		{6, "Mon Jan 2 15:04:05 MST 2006"},
		{4, "Jan 2 15:04:05 2006"},
	}
	for _, l := range layouts {
		if len(f) < l.n+1 {
			continue
		}
		if t, err := time.Parse(l.layout, strings.Join(f[len(f)-l.n:], " ")); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// parseHeader records the top-level header fields for the caches.
func (m *Message) parseHeader(stored text, top *entity) {
	start, end := top.Start, top.HdrEnd
	if !top.HeaderOK && !top.HasBlank {
		// no usable header: take the lines up to the first blank line
		if i := indexBlankLine(stored); i >= 0 {
			start, end = 0, i+1
		}
	}
	block := stored.Bytes(start, end)
	m.header = parseHeaderList(block)
	m.media = top.Media
	if !m.media.Explicit {
		m.media = textPlain()
	}
	for _, f := range m.header {
		if strings.EqualFold(f.Name, "content-disposition") {
			m.disposition = encodeDisposition(f.Value)
			break
		}
	}
}
