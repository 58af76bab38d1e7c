package imap4

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// ResponseWriter is where an Encoder writes: a buffered writer such as
// *bufio.Writer, or the daemon's *server.Conn, whose pooled output buffer
// is only held while a callback runs (an idle session keeps none).
type ResponseWriter interface {
	io.Writer
	io.StringWriter
	Flush() error
}

// Encoder writes IMAP response syntax (RFC 3501 §7, §9) to a buffered
// writer. Errors are sticky: after the first failure every call is a no-op
// and Err/Flush report it. Methods return the encoder so calls chain:
//
//	e.Star().Atom("SEARCH").SP().Number(2).CRLF()
type Encoder struct {
	w   ResponseWriter
	err error
	lit *LiteralWriter // the open literal, if any
	tmp []byte
	one [1]byte
}

// NewEncoder returns an encoder writing to w.
func NewEncoder(w ResponseWriter) *Encoder { return &Encoder{w: w} }

// maxKeptScratch is the largest scratch buffer an encoder keeps between
// flushes: a long sequence set must not stay with an idle session.
const maxKeptScratch = 256

// Err returns the first error.
func (e *Encoder) Err() error { return e.err }

// Flush flushes the buffered writer.
func (e *Encoder) Flush() error {
	if e.err != nil {
		return e.err
	}
	if e.lit != nil {
		e.err = fmt.Errorf("imap4: flush with an unfinished literal of %d bytes (%d written)", e.lit.size, e.lit.n)
		return e.err
	}
	if cap(e.tmp) > maxKeptScratch {
		e.tmp = nil
	}
	if err := e.w.Flush(); err != nil {
		e.err = fmt.Errorf("imap4: write response: %w", err)
	}
	return e.err
}

func (e *Encoder) ok() bool {
	if e.err != nil {
		return false
	}
	if e.lit != nil {
		e.err = fmt.Errorf("imap4: response written inside an unfinished literal of %d bytes", e.lit.size)
		return false
	}
	return true
}

func (e *Encoder) writeString(s string) {
	if _, err := e.w.WriteString(s); err != nil {
		e.err = fmt.Errorf("imap4: write response: %w", err)
	}
}

func (e *Encoder) writeBytes(b []byte) {
	if _, err := e.w.Write(b); err != nil {
		e.err = fmt.Errorf("imap4: write response: %w", err)
	}
}

func (e *Encoder) writeByte(c byte) {
	e.one[0] = c
	if _, err := e.w.Write(e.one[:]); err != nil {
		e.err = fmt.Errorf("imap4: write response: %w", err)
	}
}

// Raw writes s verbatim (response text, pre-formatted syntax).
func (e *Encoder) Raw(s string) *Encoder {
	if e.ok() {
		e.writeString(s)
	}
	return e
}

// Star starts an untagged response: "* ".
func (e *Encoder) Star() *Encoder { return e.Raw("* ") }

// Plus starts a continuation request: "+ " (RFC 3501 §7.5).
func (e *Encoder) Plus() *Encoder { return e.Raw("+ ") }

// SP writes a space.
func (e *Encoder) SP() *Encoder {
	if e.ok() {
		e.writeByte(' ')
	}
	return e
}

// CRLF ends a response line.
func (e *Encoder) CRLF() *Encoder { return e.Raw("\r\n") }

// Atom writes s as an atom; s must consist of ATOM-CHARs (or be a flag
// such as `\Seen`, `\*`). Anything else is written as a string so the
// output stays parseable.
func (e *Encoder) Atom(s string) *Encoder {
	if !isResponseAtom(s) {
		return e.String(s)
	}
	return e.Raw(s)
}

// isResponseAtom accepts atoms and flags (RFC 3501 §9 flag, flag-perm).
func isResponseAtom(s string) bool {
	if s == "" {
		return false
	}
	if s == `\*` {
		return true
	}
	start := 0
	if s[0] == '\\' {
		start = 1
		if len(s) == 1 {
			return false
		}
	}
	for i := start; i < len(s); i++ {
		if !isAtomChar(s[i]) {
			return false
		}
	}
	return true
}

// Number writes a decimal number.
func (e *Encoder) Number(n uint32) *Encoder { return e.Number64(uint64(n)) }

// Number64 writes a 63-bit number (mod-sequence, RFC 7162; sizes).
func (e *Encoder) Number64(n uint64) *Encoder {
	if e.ok() {
		e.tmp = strconv.AppendUint(e.tmp[:0], n, 10)
		e.writeBytes(e.tmp)
	}
	return e
}

// NIL writes NIL.
func (e *Encoder) NIL() *Encoder { return e.Raw("NIL") }

// Open writes "(" and Close writes ")".
func (e *Encoder) Open() *Encoder  { return e.Raw("(") }
func (e *Encoder) Close() *Encoder { return e.Raw(")") }

// quotable reports whether s can be a quoted string: TEXT-CHARs only, i.e.
// 7-bit without CR, LF and NUL (RFC 3501 §9 quoted).
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// String writes s as a quoted string, or as a literal when it contains
// 8-bit characters, CR or LF (RFC 3501 §4.3). NUL cannot appear in a
// string (RFC 3501 §9 CHAR8) and is dropped.
func (e *Encoder) String(s string) *Encoder {
	if !e.ok() {
		return e
	}
	if quotable(s) {
		e.writeQuoted(s)
		return e
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != 0 {
			b = append(b, s[i])
		}
	}
	e.tmp = append(strconv.AppendInt(append(e.tmp[:0], '{'), int64(len(b)), 10), '}', '\r', '\n')
	e.writeBytes(e.tmp)
	e.writeBytes(b)
	return e
}

func (e *Encoder) writeQuoted(s string) {
	e.writeByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			e.writeString(s[start:i])
			e.writeByte('\\')
			start = i
		}
	}
	e.writeString(s[start:])
	e.writeByte('"')
}

// NString writes s, or NIL when ok is false.
func (e *Encoder) NString(s string, ok bool) *Encoder {
	if !ok {
		return e.NIL()
	}
	return e.String(s)
}

// AString writes s as an atom when it is one (and not NIL), else as a string.
func (e *Encoder) AString(s string) *Encoder {
	if s != "" && !asciiEqualFold(s, "NIL") {
		plain := true
		for i := 0; i < len(s); i++ {
			if !isAstringChar(s[i]) {
				plain = false
				break
			}
		}
		if plain {
			return e.Raw(s)
		}
	}
	return e.String(s)
}

// Mailbox writes a mailbox name that is already in modified UTF-7 (as
// stored by DBMail, spec 3.1) as a quoted string, as DBMail does.
func (e *Encoder) Mailbox(name string) *Encoder { return e.String(name) }

// MailboxUTF8 encodes a UTF-8 name to modified UTF-7 (RFC 3501 §5.1.3) and
// writes it.
func (e *Encoder) MailboxUTF8(name string) *Encoder { return e.String(EncodeMUTF7(name)) }

// FlagList writes "(" flags separated by SP ")".
func (e *Encoder) FlagList(flags []string) *Encoder {
	e.Open()
	for i, f := range flags {
		if i > 0 {
			e.SP()
		}
		e.Atom(f)
	}
	return e.Close()
}

// SeqSet writes a sequence set.
func (e *Encoder) SeqSet(s SeqSet) *Encoder {
	if e.ok() {
		e.tmp = s.AppendTo(e.tmp[:0])
		e.writeBytes(e.tmp)
	}
	return e
}

// NumSet writes nums compressed to ranges ("1:3,7"), the form ESEARCH ALL,
// COPYUID/APPENDUID and VANISHED use (RFC 4731 §3.1, RFC 4315 §3, RFC 7162
// §3.2.10).
func (e *Encoder) NumSet(nums []uint32) *Encoder { return e.SeqSet(CompressSeqSet(nums)) }

// DateTime writes date-time: DQUOTE dd-Mon-yyyy SP hh:mm:ss SP zone
// DQUOTE with a space-padded day (RFC 3501 §9 date-day-fixed).
func (e *Encoder) DateTime(t time.Time) *Encoder {
	if e.ok() {
		e.tmp = t.AppendFormat(append(e.tmp[:0], '"'), "_2-Jan-2006 15:04:05 -0700")
		e.tmp = append(e.tmp, '"')
		e.writeBytes(e.tmp)
	}
	return e
}

// StatusLine writes a complete status response: "<tag> <status> [<code>]
// <text>" CRLF, with tag "*" for untagged ones (RFC 3501 §7.1).
func (e *Encoder) StatusLine(tag, status, code, text string) *Encoder {
	e.Raw(tag).SP().Raw(status).SP()
	if code != "" {
		e.Raw("[").Raw(code).Raw("] ")
	}
	return e.Raw(text).CRLF()
}
