package timsieve

import (
	"errors"
	"fmt"
	"strconv"
)

// Kind is the kind of one command token (RFC 5804 §4).
type Kind uint8

const (
	Atom    Kind = iota + 1 // command names, ACTIVE
	Quoted                  // "..." with \" and \\ escapes
	Literal                 // {n+} or {n} followed by n octets
	Number                  // a bare decimal number
)

// Arg is one token of a command line.
type Arg struct {
	Kind  Kind
	Value string
}

// IsString reports whether a is a string (quoted or literal, RFC 5804 §4).
func (a Arg) IsString() bool { return a.Kind == Quoted || a.Kind == Literal }

// Command is one complete command: every token up to the CRLF that ends
// it, literals included. Err is set when the command was malformed or a
// literal was too large; the session answers NO and carries on.
type Command struct {
	Args []Arg
	Err  error
	// Size is the number of octets the command took on the wire.
	Size int64
}

// Errors that end the connection.
var (
	ErrLineTooLong = errors.New("command line too long")
)

// ErrLiteralTooLarge marks a command whose literal exceeded the limit; its
// octets were read and dropped.
var ErrLiteralTooLarge = errors.New("literal too large")

// Parser is the push parser of ManageSieve commands: Feed gives it bytes
// in any split, and it emits every complete command. It never does I/O
// and keeps all state between calls (style: nats-server parser).
type Parser struct {
	MaxLine    int   // longest line segment between literals
	MaxLiteral int64 // largest literal kept; larger ones are read and dropped

	line    []byte // the current line segment
	cmd     Command
	litLeft int64 // octets of the current literal still to read
	litBuf  []byte
	litDrop bool // the current literal is too large: discard it
}

// Pending reports whether a command has begun but is not complete.
func (p *Parser) Pending() bool { return len(p.line) > 0 || len(p.cmd.Args) > 0 || p.litLeft > 0 }

// Reset drops any partial command (after STARTTLS, RFC 5804 §2.2: nothing
// sent before the handshake may be used after it).
func (p *Parser) Reset() {
	p.line = p.line[:0]
	p.cmd = Command{}
	p.litLeft, p.litBuf, p.litDrop = 0, nil, false
}

// Feed consumes b and calls emit for each complete command, in order.
// emit returns false to stop parsing at once (STARTTLS, LOGOUT): the rest
// of b is dropped. A non-nil error (ErrLineTooLong) means the connection
// must be closed.
func (p *Parser) Feed(b []byte, emit func(Command) bool) error {
	for len(b) > 0 {
		if p.litLeft > 0 {
			n := min(int64(len(b)), p.litLeft)
			if !p.litDrop {
				p.litBuf = append(p.litBuf, b[:n]...)
			}
			p.cmd.Size += n
			p.litLeft -= n
			b = b[n:]
			if p.litLeft == 0 {
				if !p.litDrop {
					p.cmd.Args = append(p.cmd.Args, Arg{Kind: Literal, Value: string(p.litBuf)})
				}
				p.litBuf = nil
			}
			continue
		}
		i := indexLF(b)
		if i < 0 {
			p.line = append(p.line, b...)
			if len(p.line) > p.MaxLine+2 {
				return ErrLineTooLong
			}
			return nil
		}
		p.line = append(p.line, b[:i+1]...)
		b = b[i+1:]
		if len(p.line) > p.MaxLine+2 {
			return ErrLineTooLong
		}
		p.cmd.Size += int64(len(p.line))
		seg := trimEOL(p.line)
		size, lit, err := tokenize(seg, &p.cmd.Args)
		p.line = p.line[:0]
		if err != nil && p.cmd.Err == nil {
			p.cmd.Err = err
		}
		if lit && err == nil {
			p.litLeft = size
			p.litDrop = size > p.MaxLiteral || p.cmd.Err != nil
			if size > p.MaxLiteral && p.cmd.Err == nil {
				p.cmd.Err = fmt.Errorf("%w: %d octets, the limit is %d", ErrLiteralTooLarge, size, p.MaxLiteral)
			}
			if size > 0 {
				p.litBuf = make([]byte, 0, min(size, 64<<10))
				continue
			}
			if !p.litDrop {
				p.cmd.Args = append(p.cmd.Args, Arg{Kind: Literal})
			}
			continue
		}
		cmd := p.cmd
		p.cmd = Command{}
		if !emit(cmd) {
			return nil
		}
	}
	return nil
}

func indexLF(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// tokenize appends the tokens of one line segment to args. When the
// segment ends with a literal marker it returns the literal's size and
// lit=true (RFC 5804 §4: literal-c2s "{" number "+}" CRLF; the
// synchronizing form "{" number "}" is accepted too, without a
// continuation, as DBMail and Cyrus do).
func tokenize(seg []byte, args *[]Arg) (size int64, lit bool, err error) {
	i := 0
	for i < len(seg) {
		c := seg[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			s, n, err := quoted(seg[i:])
			if err != nil {
				return 0, false, err
			}
			*args = append(*args, Arg{Kind: Quoted, Value: s})
			i += n
		case c == '{':
			end := i + 1
			for end < len(seg) && seg[end] != '}' {
				end++
			}
			if end >= len(seg) {
				return 0, false, errors.New("unterminated literal marker")
			}
			num := string(seg[i+1 : end])
			if len(num) > 0 && num[len(num)-1] == '+' {
				num = num[:len(num)-1]
			}
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n < 0 || num == "" || num[0] == '+' || num[0] == '-' {
				return 0, false, fmt.Errorf("bad literal size %q", num)
			}
			if end+1 != len(seg) {
				return 0, false, errors.New("literal marker must end the line")
			}
			return n, true, nil
		default:
			start := i
			for i < len(seg) && seg[i] != ' ' && seg[i] != '\t' && seg[i] != '"' && seg[i] != '{' {
				if seg[i] < 0x20 || seg[i] == 0x7f {
					return 0, false, errors.New("control character in command")
				}
				i++
			}
			word := string(seg[start:i])
			kind := Atom
			if isDigits(word) {
				kind = Number
			}
			*args = append(*args, Arg{Kind: kind, Value: word})
		}
	}
	return 0, false, nil
}

// quoted reads a quoted string at the start of b (RFC 5804 §4: quoted =
// DQUOTE *1024QUOTED-CHAR DQUOTE, with \" and \\ as the only escapes).
func quoted(b []byte) (string, int, error) {
	out := make([]byte, 0, len(b))
	for i := 1; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			return string(out), i + 1, nil
		case '\\':
			if i+1 >= len(b) || b[i+1] != '"' && b[i+1] != '\\' {
				return "", 0, errors.New(`bad escape in quoted string`)
			}
			out = append(out, b[i+1])
			i++
		case 0:
			return "", 0, errors.New("NUL in quoted string")
		default:
			out = append(out, c)
		}
	}
	return "", 0, errors.New("unterminated quoted string")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
