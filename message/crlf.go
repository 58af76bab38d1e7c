package message

import (
	"bytes"
	"fmt"
	"io"
)

// crlfBufSize is the size of the output buffer of a CRLF writer: big enough
// that LF-dense text does not turn into one Write call per line.
const crlfBufSize = 8 * 1024

// CRLFWriter converts a byte stream to the CRLF wire form (spec 2.5: "every LF
// not already preceded by CR gets one") while it streams. A CR at the end of
// one Write followed by an LF at the start of the next is recognised as a CRLF
// pair. Output is buffered; Close flushes it (it does not close the
// underlying writer).
type CRLFWriter struct {
	w      io.Writer
	buf    []byte
	lastCR bool
	n      int64
	err    error
}

// NewCRLFWriter returns a streaming LF→CRLF converter writing to w.
func NewCRLFWriter(w io.Writer) io.WriteCloser {
	return newCRLFWriter(w)
}

func newCRLFWriter(w io.Writer) *CRLFWriter {
	return &CRLFWriter{w: w, buf: make([]byte, 0, crlfBufSize)}
}

// Write converts p and reports len(p) on success (the input bytes consumed).
func (c *CRLFWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	consumed := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.append(p)
			c.lastCR = p[len(p)-1] == '\r'
			break
		}
		prevCR := c.lastCR
		if i > 0 {
			prevCR = p[i-1] == '\r'
		}
		c.append(p[:i])
		if !prevCR {
			c.appendByte('\r')
		}
		c.appendByte('\n')
		c.lastCR = false
		p = p[i+1:]
		if c.err != nil {
			return 0, c.err
		}
	}
	if c.err != nil {
		return 0, c.err
	}
	return consumed, nil
}

func (c *CRLFWriter) append(p []byte) {
	c.n += int64(len(p))
	for len(p) > 0 && c.err == nil {
		room := cap(c.buf) - len(c.buf)
		if room == 0 {
			c.flush()
			continue
		}
		k := min(room, len(p))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
	}
}

func (c *CRLFWriter) appendByte(b byte) {
	if len(c.buf) == cap(c.buf) {
		c.flush()
	}
	c.buf = append(c.buf, b)
	c.n++
}

// WriteString is Write for a string, without a conversion copy.
func (c *CRLFWriter) WriteString(s string) (int, error) {
	for i := 0; i < len(s); {
		j := min(len(s), i+256)
		var tmp [256]byte
		n := copy(tmp[:], s[i:j])
		if _, err := c.Write(tmp[:n]); err != nil {
			return i, err
		}
		i = j
	}
	return len(s), nil
}

func (c *CRLFWriter) flush() {
	if c.err != nil || len(c.buf) == 0 {
		return
	}
	if _, err := c.w.Write(c.buf); err != nil {
		c.err = fmt.Errorf("message: crlf write: %w", err)
	}
	c.buf = c.buf[:0]
}

// Close flushes buffered output.
func (c *CRLFWriter) Close() error {
	c.flush()
	return c.err
}

// Produced reports how many bytes the converter has produced so far
// (buffered or flushed).
func (c *CRLFWriter) Produced() int64 { return c.n }

// lineEndings classifies how data ends its lines.
type lineEndings int

const (
	endingsLF    lineEndings = iota // no CRLF at all (also: no line break at all)
	endingsCRLF                     // every LF preceded by CR, and no CR CR LF
	endingsMixed                    // anything else
)

func classifyEndings(data []byte) lineEndings {
	lf, crlf := 0, 0
	for i := bytes.IndexByte(data, '\n'); i >= 0; {
		lf++
		if i > 0 && data[i-1] == '\r' {
			crlf++
			if i > 1 && data[i-2] == '\r' {
				// "\r\r\n" would become "\r\n" in the stored form and
				// could not be told apart from a real CRLF on the way back.
				return endingsMixed
			}
		}
		j := bytes.IndexByte(data[i+1:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	switch {
	case crlf == 0:
		return endingsLF
	case crlf == lf:
		return endingsCRLF
	default:
		return endingsMixed
	}
}

// crlfToLF returns data with every CRLF replaced by LF.
func crlfToLF(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for {
		i := bytes.Index(data, []byte("\r\n"))
		if i < 0 {
			return append(out, data...)
		}
		out = append(out, data[:i]...)
		out = append(out, '\n')
		data = data[i+2:]
	}
}

// countBareLF counts LF bytes not preceded by CR: the growth of data in the
// CRLF wire form.
func countBareLF(data []byte) int64 {
	var n int64
	for i, b := range data {
		if b == '\n' && (i == 0 || data[i-1] != '\r') {
			n++
		}
	}
	return n
}
