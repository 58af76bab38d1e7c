package imap4

import (
	"bytes"
	"encoding/base64"
	"io"
)

// newCTEDecoder returns a writer that removes a known transfer encoding
// (RFC 2045 §6) from what is written to it and passes the result to w;
// Close flushes the last quantum or line. Decoding is lenient, as mail
// readers are: characters outside the base64 alphabet are skipped, "="
// ends a base64 quantum and decoding goes on after it (concatenated
// encodings), malformed quoted-printable escapes are kept as written.
func newCTEDecoder(cte string, w io.Writer) io.WriteCloser {
	switch cte {
	case "base64":
		return &base64Decoder{w: w}
	case "quoted-printable":
		return &qpDecoder{w: w}
	}
	return nopCloser{w}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// decodeCTE removes a known transfer encoding from data in memory.
func decodeCTE(cte string, data []byte) []byte {
	if !needsDecoding(cte) {
		return data
	}
	var buf bytes.Buffer
	buf.Grow(len(data))
	d := newCTEDecoder(cte, &buf)
	_, _ = d.Write(data) // a bytes.Buffer does not fail
	_ = d.Close()
	return buf.Bytes()
}

func decodeBase64Lenient(data []byte) []byte { return decodeCTE("base64", data) }

func decodeQuotedPrintable(data []byte) []byte { return decodeCTE("quoted-printable", data) }

// base64Decoder decodes base64 (RFC 2045 §6.8) quantum by quantum.
type base64Decoder struct {
	w       io.Writer
	quantum [4]byte
	n       int
	out     []byte
}

func (d *base64Decoder) Write(p []byte) (int, error) {
	d.out = d.out[:0]
	for _, c := range p {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			d.quantum[d.n] = c
			d.n++
			if d.n == 4 {
				d.flush()
			}
		case c == '=':
			d.flush()
		}
	}
	return len(p), d.emit()
}

// flush decodes the collected characters of a quantum (two or more make
// at least one byte; a single one is dropped).
func (d *base64Decoder) flush() {
	if d.n >= 2 {
		var dst [3]byte
		if k, err := base64.RawStdEncoding.Decode(dst[:], d.quantum[:d.n]); err == nil {
			d.out = append(d.out, dst[:k]...)
		}
	}
	d.n = 0
}

func (d *base64Decoder) emit() error {
	if len(d.out) == 0 {
		return nil
	}
	_, err := d.w.Write(d.out)
	return err
}

func (d *base64Decoder) Close() error {
	d.out = d.out[:0]
	d.flush()
	return d.emit()
}

// qpDecoder decodes quoted-printable (RFC 2045 §6.7) line by line: "=XX"
// escapes, soft line breaks ("=" at the end of a line, trailing white
// space allowed) and trailing white space removed (rule 3).
type qpDecoder struct {
	w    io.Writer
	line []byte
	out  []byte
}

func (d *qpDecoder) Write(p []byte) (int, error) {
	n := len(p)
	d.out = d.out[:0]
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			d.line = append(d.line, p...)
			break
		}
		d.line = append(d.line, p[:i+1]...)
		p = p[i+1:]
		d.decodeLine()
	}
	if len(d.out) > 0 {
		if _, err := d.w.Write(d.out); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// decodeLine decodes d.line (with its line break, if any) into d.out.
func (d *qpDecoder) decodeLine() {
	line := d.line
	var eol []byte
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line, eol = line[:n-1], line[n-1:]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line, eol = line[:n-1], d.line[n-1:]
		}
	}
	line = bytes.TrimRight(line, " \t")
	soft := false
	if n := len(line); n > 0 && line[n-1] == '=' {
		line, soft = line[:n-1], true
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '=' && i+2 < len(line) && qpIsHex(line[i+1]) && qpIsHex(line[i+2]) {
			d.out = append(d.out, qpHexValue(line[i+1])<<4|qpHexValue(line[i+2]))
			i += 2
			continue
		}
		d.out = append(d.out, c)
	}
	if !soft {
		d.out = append(d.out, eol...)
	}
	d.line = d.line[:0]
}

func (d *qpDecoder) Close() error {
	d.out = d.out[:0]
	if len(d.line) > 0 {
		d.decodeLine()
	}
	if len(d.out) == 0 {
		return nil
	}
	_, err := d.w.Write(d.out)
	return err
}

func qpIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func qpHexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodedCounter counts what a decoder produces and notes a NUL (which
// makes the data a literal8, RFC 3516 §4.2).
type decodedCounter struct {
	n   int64
	nul bool
}

func (c *decodedCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if !c.nul && bytes.IndexByte(p, 0) >= 0 {
		c.nul = true
	}
	return len(p), nil
}

// windowWriter passes on the bytes [skip, skip+left) of its input and
// discards the rest (a partial of decoded data).
type windowWriter struct {
	w          io.Writer
	skip, left int64
}

func (ww *windowWriter) Write(p []byte) (int, error) {
	n := len(p)
	if ww.skip > 0 {
		if int64(len(p)) <= ww.skip {
			ww.skip -= int64(len(p))
			return n, nil
		}
		p = p[ww.skip:]
		ww.skip = 0
	}
	if int64(len(p)) > ww.left {
		p = p[:ww.left]
	}
	if len(p) > 0 {
		if _, err := ww.w.Write(p); err != nil {
			return 0, err
		}
		ww.left -= int64(len(p))
	}
	return n, nil
}
