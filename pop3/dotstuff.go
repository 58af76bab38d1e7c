package pop3

import (
	"bytes"
	"errors"
	"io"
)

// dotWriter writes a multi-line response body (RFC 1939 §3): every line
// that starts with "." gets one more "." in front, and Close ends the
// response with CRLF "." CRLF, adding a CRLF first when the body did not
// end with one. Input must already be in CRLF form; dotWriter keeps no
// copy of it.
type dotWriter struct {
	w    io.Writer
	bol  bool // the next byte starts a line
	last [2]byte
	n    int64 // body bytes accepted (before stuffing)
}

func newDotWriter(w io.Writer) *dotWriter { return &dotWriter{w: w, bol: true} }

var dot = []byte{'.'}

func (d *dotWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		if d.bol && p[0] == '.' {
			if _, err := d.w.Write(dot); err != nil {
				return total - len(p), err
			}
		}
		i := bytes.IndexByte(p, '\n')
		seg := p
		if i >= 0 {
			seg = p[:i+1]
		}
		if _, err := d.w.Write(seg); err != nil {
			return total - len(p), err
		}
		d.bol = i >= 0
		d.remember(seg)
		p = p[len(seg):]
	}
	d.n += int64(total)
	return total, nil
}

func (d *dotWriter) remember(seg []byte) {
	if len(seg) >= 2 {
		d.last[0], d.last[1] = seg[len(seg)-2], seg[len(seg)-1]
	} else if len(seg) == 1 {
		d.last[0], d.last[1] = d.last[1], seg[0]
	}
}

var (
	endCRLF = []byte(".\r\n")
	endLine = []byte("\r\n.\r\n")
)

// Close writes the termination octet line.
func (d *dotWriter) Close() error {
	end := endCRLF
	if d.n > 0 && (d.last[0] != '\r' || d.last[1] != '\n') {
		end = endLine
	}
	_, err := d.w.Write(end)
	return err
}

// errTopDone stops the streaming of a message once TOP has sent the
// requested lines.
var errTopDone = errors.New("pop3: TOP lines sent")

// topWriter passes through the header, the blank line after it and then
// at most lines body lines (RFC 1939 §7 TOP), and fails with errTopDone
// once they are written, which ends the stream early.
type topWriter struct {
	w        io.Writer
	lines    int  // body lines still allowed
	inHeader bool // before the blank line
	lineLen  int  // bytes of the current line other than CR
	done     bool
}

func newTopWriter(w io.Writer, lines int) *topWriter {
	return &topWriter{w: w, lines: lines, inHeader: true}
}

func (t *topWriter) Write(p []byte) (int, error) {
	if t.done {
		return 0, errTopDone
	}
	for i, c := range p {
		if c != '\n' {
			if c != '\r' {
				t.lineLen++
			}
			continue
		}
		empty := t.lineLen == 0
		t.lineLen = 0
		if t.inHeader {
			if !empty {
				continue
			}
			t.inHeader = false
		} else {
			t.lines--
		}
		if t.lines <= 0 && !t.inHeader {
			t.done = true
			if _, err := t.w.Write(p[:i+1]); err != nil {
				return 0, err
			}
			return i + 1, errTopDone
		}
	}
	return t.w.Write(p)
}
