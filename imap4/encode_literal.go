package imap4

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrLiteralOverflow is returned when more bytes are written to a literal
// than were announced.
var ErrLiteralOverflow = errors.New("imap4: literal longer than announced")

// ErrLiteralShort is returned by LiteralWriter.Close when fewer bytes were
// written than announced.
var ErrLiteralShort = errors.New("imap4: literal shorter than announced")

// LiteralWriter streams the data of an announced literal and enforces its
// length (style.md practice 6): the client trusts "{n}", so writing more or
// fewer bytes would desynchronise the connection.
type LiteralWriter struct {
	e    *Encoder
	size int64
	n    int64
	done bool
}

// Literal announces a literal of size bytes ("{size}" CRLF, RFC 3501 §4.3)
// and returns the writer for its data. Until it is closed no other
// response syntax can be written.
func (e *Encoder) Literal(size int64) *LiteralWriter { return e.literal(size, false) }

// Literal8 announces a binary literal "~{size}" (RFC 3516 §4.3).
func (e *Encoder) Literal8(size int64) *LiteralWriter { return e.literal(size, true) }

func (e *Encoder) literal(size int64, binary bool) *LiteralWriter {
	lw := &LiteralWriter{e: e, size: size}
	if !e.ok() {
		lw.done = true
		return lw
	}
	if size < 0 {
		e.err = fmt.Errorf("imap4: negative literal size %d", size)
		lw.done = true
		return lw
	}
	e.tmp = e.tmp[:0]
	if binary {
		e.tmp = append(e.tmp, '~')
	}
	e.tmp = append(strconv.AppendInt(append(e.tmp, '{'), size, 10), '}', '\r', '\n')
	e.writeBytes(e.tmp)
	e.lit = lw
	return lw
}

// Write writes literal data. Writing past the announced size writes
// nothing of p, fails with ErrLiteralOverflow and poisons the encoder.
func (lw *LiteralWriter) Write(p []byte) (int, error) {
	if lw.done {
		if lw.e.err != nil {
			return 0, lw.e.err
		}
		return 0, errors.New("imap4: write to a closed literal")
	}
	if int64(len(p)) > lw.size-lw.n {
		err := fmt.Errorf("%w: %d bytes announced, %d written, %d more offered", ErrLiteralOverflow, lw.size, lw.n, len(p))
		lw.fail(err)
		return 0, err
	}
	n, err := lw.e.w.Write(p)
	lw.n += int64(n)
	if err != nil {
		err = fmt.Errorf("imap4: write literal: %w", err)
		lw.fail(err)
		return n, err
	}
	return n, nil
}

// Remaining returns how many bytes are still due.
func (lw *LiteralWriter) Remaining() int64 { return lw.size - lw.n }

// Close ends the literal; it fails with ErrLiteralShort when bytes are
// missing, and the encoder is poisoned (the caller must drop the
// connection, the client cannot resynchronise).
func (lw *LiteralWriter) Close() error {
	if lw.done {
		return lw.e.err
	}
	if lw.n != lw.size {
		err := fmt.Errorf("%w: %d bytes announced, %d written", ErrLiteralShort, lw.size, lw.n)
		lw.fail(err)
		return err
	}
	lw.done = true
	lw.e.lit = nil
	return nil
}

func (lw *LiteralWriter) fail(err error) {
	lw.done = true
	lw.e.lit = nil
	if lw.e.err == nil {
		lw.e.err = err
	}
}
