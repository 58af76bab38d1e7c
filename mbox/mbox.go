// Package mbox writes and reads mboxrd files: each message is preceded by a
// "From <sender> <asctime>" separator line and followed by an empty line;
// any message line matching ^>*From is quoted with one more ">", which the
// reader removes again, so messages survive byte for byte.
package mbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"
)

// Writer writes messages to an mboxrd stream. Message text is written with
// Write between Begin and End; quoting is applied on the fly, so a message
// is never held in memory.
type Writer struct {
	w         io.Writer
	lineStart bool   // the next byte starts a line
	pending   []byte // a line start that may still turn out to be ">*From "
	lastNL    bool   // the last byte written was '\n'
	inMsg     bool
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Begin writes the separator line of the next message.
func (m *Writer) Begin(sender string, date time.Time) error {
	if m.inMsg {
		return fmt.Errorf("mbox: Begin inside a message")
	}
	if sender == "" {
		sender = "MAILER-DAEMON"
	}
	if date.IsZero() {
		date = time.Now()
	}
	_, err := fmt.Fprintf(m.w, "From %s %s\n", sender, date.UTC().Format("Mon Jan _2 15:04:05 2006"))
	m.inMsg, m.lineStart, m.lastNL, m.pending = true, true, true, m.pending[:0]
	return err
}

var from = []byte("From ")

// Write writes message text, quoting lines that look like separators.
func (m *Writer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if m.lineStart || len(m.pending) > 0 {
			// Collect the candidate prefix: '>'* then "From ".
			i := 0
			decided := false
			for i < len(p) {
				m.pending = append(m.pending, p[i])
				i++
				if quoted, done := classify(m.pending); done {
					if quoted {
						if _, err := m.w.Write([]byte{'>'}); err != nil {
							return 0, err
						}
					}
					decided = true
					break
				}
			}
			m.lineStart = false
			if !decided {
				return n, nil // wait for more bytes
			}
			p = p[i:]
			if _, err := m.w.Write(m.pending); err != nil {
				return 0, err
			}
			m.lastNL = m.pending[len(m.pending)-1] == '\n'
			m.lineStart = m.lastNL
			m.pending = m.pending[:0]
			continue
		}
		j := bytes.IndexByte(p, '\n')
		chunk := p
		if j >= 0 {
			chunk = p[:j+1]
		}
		if _, err := m.w.Write(chunk); err != nil {
			return 0, err
		}
		m.lastNL = chunk[len(chunk)-1] == '\n'
		m.lineStart = j >= 0
		p = p[len(chunk):]
	}
	return n, nil
}

// classify looks at the start of a line: done once it is known whether it
// is ">*From " (quoted = true) or not.
func classify(b []byte) (quoted, done bool) {
	i := 0
	for i < len(b) && b[i] == '>' {
		i++
	}
	rest := b[i:]
	if len(rest) == 0 {
		return false, false
	}
	if len(rest) <= len(from) {
		if !bytes.Equal(rest, from[:len(rest)]) {
			return false, true
		}
		return len(rest) == len(from), len(rest) == len(from)
	}
	return false, true
}

// End finishes a message: pending bytes are written, a final newline added
// when the message lacks one, then the empty separator line.
func (m *Writer) End() error {
	if len(m.pending) > 0 {
		if _, err := m.w.Write(m.pending); err != nil {
			return err
		}
		m.lastNL = m.pending[len(m.pending)-1] == '\n'
		m.pending = m.pending[:0]
	}
	tail := "\n"
	if !m.lastNL {
		tail = "\n\n"
	}
	m.inMsg = false
	_, err := io.WriteString(m.w, tail)
	return err
}

// Message is one message read from an mbox.
type Message struct {
	Separator string // the "From " line without its newline
	Data      []byte
}

// Reader reads mboxrd messages.
type Reader struct {
	r    *bufio.Reader
	next string // a separator line already read
	err  error
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

// Next returns the next message, or io.EOF. The empty line the writer put
// after each message is removed, and one level of ">From " quoting undone.
func (m *Reader) Next() (*Message, error) {
	if m.err != nil {
		return nil, m.err
	}
	sep := m.next
	if sep == "" {
		for {
			line, err := m.r.ReadString('\n')
			if err != nil {
				m.err = err
				if err == io.EOF && line != "" {
					m.err = fmt.Errorf("mbox: no From line before %q", line)
				}
				return nil, m.err
			}
			if len(line) >= 5 && line[:5] == "From " {
				sep = line
				break
			}
			if line != "\n" && line != "\r\n" {
				m.err = fmt.Errorf("mbox: no From line before %q", line)
				return nil, m.err
			}
		}
	}
	m.next = ""
	var data []byte
	for {
		line, err := m.r.ReadBytes('\n')
		if len(line) >= 5 && string(line[:5]) == "From " {
			m.next = string(line)
			break
		}
		if len(line) > 0 {
			i := 0
			for i < len(line) && line[i] == '>' {
				i++
			}
			if i > 0 && bytes.HasPrefix(line[i:], from) {
				line = line[1:]
			}
			data = append(data, line...)
		}
		if err != nil {
			if err != io.EOF {
				m.err = err
				return nil, err
			}
			m.err = io.EOF
			break
		}
	}
	if bytes.HasSuffix(data, []byte("\n")) {
		data = data[:len(data)-1] // the separator's empty line
	}
	return &Message{Separator: string(bytes.TrimRight([]byte(sep), "\r\n")), Data: data}, nil
}
