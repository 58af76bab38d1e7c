package pop3

import (
	"bytes"
	"errors"
	"strings"
)

// ErrLineTooLong: a command line exceeded the limit (spec 6.1: DBMail drops
// the connection past 65536 bytes).
var ErrLineTooLong = errors.New("pop3: command line too long")

// LineReader splits a byte stream into command lines. It is a push parser
// (style practice 4): Next is fed whatever the socket delivered and never
// does I/O. Lines end with CRLF or a bare LF (spec 6.1). A line split across
// reads is carried in a scratch buffer whose growth is checked against the
// limit on every carry-over.
type LineReader struct {
	max   int
	carry []byte
}

// NewLineReader returns a reader for lines of at most max bytes (without
// the line ending).
func NewLineReader(max int) *LineReader { return &LineReader{max: max} }

// Next returns the next complete line from b, without its line ending, and
// the number of bytes of b consumed. A nil line with a nil error means b
// was consumed entirely and the line is not complete yet. The line is valid
// until the next call.
func (r *LineReader) Next(b []byte) (line []byte, n int, err error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(r.carry)+len(b) > r.max+1 { // +1: a CR may still be followed by LF
			r.carry = r.carry[:0]
			return nil, len(b), ErrLineTooLong
		}
		r.carry = append(r.carry, b...)
		return nil, len(b), nil
	}
	if len(r.carry) > 0 {
		if len(r.carry)+i > r.max+1 {
			r.carry = r.carry[:0]
			return nil, i + 1, ErrLineTooLong
		}
		r.carry = append(r.carry, b[:i]...)
		line = r.carry
		r.carry = r.carry[:0:0]
	} else {
		line = b[:i]
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > r.max {
		return nil, i + 1, ErrLineTooLong
	}
	return line, i + 1, nil
}

// Reset drops a partial line (after STLS: RFC 2595 §4, no plaintext
// command injection).
func (r *LineReader) Reset() { r.carry = r.carry[:0:0] }

// Pending reports whether a partial line is buffered.
func (r *LineReader) Pending() bool { return len(r.carry) > 0 }

// Command is one parsed command line (RFC 1939 §3): a case-insensitive
// keyword and arguments separated by spaces.
type Command struct {
	Name string   // keyword in upper case
	Args []string // arguments split at runs of spaces
	Rest string   // everything after the keyword and one space, as sent (PASS may contain spaces)
}

// maxKeyword bounds the keyword: RFC 1939 keywords are 3 or 4 characters,
// RFC 2449 §3 allows extensions; anything longer is not a command.
const maxKeyword = 16

// ParseCommand splits a command line. An empty line or one whose keyword is
// not printable ASCII is an error.
func ParseCommand(line []byte) (Command, error) {
	s := string(line)
	name, rest, _ := strings.Cut(s, " ")
	if name == "" || len(name) > maxKeyword {
		return Command{}, errSyntax
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f {
			return Command{}, errSyntax
		}
	}
	cmd := Command{Name: strings.ToUpper(name), Rest: rest}
	cmd.Args = strings.Fields(rest)
	return cmd, nil
}

var errSyntax = errors.New("pop3: syntax error")
