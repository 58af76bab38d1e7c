// Package imaptest is an IMAP compliance runner and stress tester.
//
// Script mode runs Dovecot imaptest's scripted tests (the format of
// docs/scripted_test.md in dovecot/imaptest) strictly against a server;
// stress mode drives many concurrent clients with weighted random commands
// and checks every reply against the state each client tracks.
//
// This file is the project's own wire reader: a strict tokenizer for IMAP
// responses (RFC 3501 §9 formal syntax, RFC 3516 literal8, RFC 7888
// LITERAL+), used where go-imap's client is too lenient for exact matching.
package imaptest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ArgKind is the type of one parsed IMAP argument.
type ArgKind uint8

// Argument kinds, as in RFC 3501 §4.
const (
	ArgAtom    ArgKind = iota // atom (also numbers and flags)
	ArgString                 // quoted string
	ArgLiteral                // {n} or ~{n} literal
	ArgNIL                    // the atom NIL
	ArgList                   // parenthesized list
)

// Arg is one IMAP argument: an atom, string, literal, NIL or list.
type Arg struct {
	Kind ArgKind
	Str  string // atom, string or literal content
	List []Arg  // list elements
	// Binary is true for a literal8 (RFC 3516 ~{n}).
	Binary bool
}

// IsAString reports whether the argument is an atom, string or literal
// (RFC 3501 §9 astring).
func (a *Arg) IsAString() bool {
	return a.Kind == ArgAtom || a.Kind == ArgString || a.Kind == ArgLiteral
}

// AtomIs reports whether the argument is an atom equal to s, ignoring case.
func (a *Arg) AtomIs(s string) bool {
	return a.Kind == ArgAtom && strings.EqualFold(a.Str, s)
}

// ErrIncomplete is returned by ParseArgs when the input ends inside a
// quoted string, literal or list.
var ErrIncomplete = errors.New("incomplete IMAP arguments")

// maxLiteral bounds a literal's announced size in bytes.
const maxLiteral = 256 << 20

type argParser struct {
	data []byte
	pos  int
}

// ParseArgs tokenizes one complete IMAP line whose literals are inline
// (`{n}\r\n` followed by n bytes). Atoms end at SP, CR, LF and, inside a
// list, at ')'. A '[' inside an atom is not special: "BODY[HEADER.FIELDS
// (FROM)]" becomes the atom "BODY[HEADER.FIELDS", a list and the atom "]",
// on both the expected and the received side.
func ParseArgs(data []byte) ([]Arg, error) {
	p := &argParser{data: data}
	args, err := p.parseList(0)
	if err != nil {
		return args, err
	}
	return args, nil
}

func (p *argParser) skipSpaces() {
	for p.pos < len(p.data) && p.data[p.pos] == ' ' {
		p.pos++
	}
}

// parseList reads arguments until ')' (depth > 0) or the end of data.
func (p *argParser) parseList(depth int) ([]Arg, error) {
	args := []Arg{}
	for {
		p.skipSpaces()
		if p.pos >= len(p.data) {
			if depth > 0 {
				return args, fmt.Errorf("unterminated list: %w", ErrIncomplete)
			}
			return args, nil
		}
		c := p.data[p.pos]
		switch {
		case c == '\r' || c == '\n':
			if depth > 0 {
				return args, fmt.Errorf("line ends inside a list: %w", ErrIncomplete)
			}
			return args, nil
		case c == '(':
			p.pos++
			sub, err := p.parseList(depth + 1)
			if err != nil {
				return args, err
			}
			args = append(args, Arg{Kind: ArgList, List: sub})
		case c == ')':
			if depth == 0 {
				return args, fmt.Errorf("unexpected ')' at offset %d", p.pos)
			}
			p.pos++
			return args, nil
		case c == '"':
			s, err := p.parseQuoted()
			if err != nil {
				return args, err
			}
			args = append(args, Arg{Kind: ArgString, Str: s})
		case c == '{' || (c == '~' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '{'):
			binary := c == '~'
			if binary {
				p.pos++
			}
			s, err := p.parseLiteral()
			if err != nil {
				return args, err
			}
			args = append(args, Arg{Kind: ArgLiteral, Str: s, Binary: binary})
		default:
			start := p.pos
			for p.pos < len(p.data) {
				c := p.data[p.pos]
				if c == ' ' || c == '\r' || c == '\n' || (c == ')' && depth > 0) {
					break
				}
				p.pos++
			}
			atom := string(p.data[start:p.pos])
			if strings.EqualFold(atom, "NIL") {
				args = append(args, Arg{Kind: ArgNIL})
			} else {
				args = append(args, Arg{Kind: ArgAtom, Str: atom})
			}
		}
	}
}

// parseQuoted reads an RFC 3501 §4.3 quoted string.
func (p *argParser) parseQuoted() (string, error) {
	p.pos++ // opening quote
	var sb strings.Builder
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch c {
		case '"':
			p.pos++
			return sb.String(), nil
		case '\\':
			if p.pos+1 >= len(p.data) {
				return "", fmt.Errorf("quoted string ends in '\\': %w", ErrIncomplete)
			}
			sb.WriteByte(p.data[p.pos+1])
			p.pos += 2
		case '\r', '\n':
			return "", fmt.Errorf("line break inside quoted string: %w", ErrIncomplete)
		default:
			sb.WriteByte(c)
			p.pos++
		}
	}
	return "", fmt.Errorf("unterminated quoted string: %w", ErrIncomplete)
}

// parseLiteral reads "{n}\r\n" (or "{n+}\r\n") and n bytes (RFC 3501 §4.3,
// RFC 7888).
func (p *argParser) parseLiteral() (string, error) {
	end := bytes.IndexByte(p.data[p.pos:], '}')
	if end < 0 {
		return "", fmt.Errorf("unterminated literal size: %w", ErrIncomplete)
	}
	spec := string(p.data[p.pos+1 : p.pos+end])
	spec = strings.TrimSuffix(spec, "+")
	n, err := strconv.ParseUint(spec, 10, 32)
	if err != nil || n > maxLiteral {
		return "", fmt.Errorf("bad literal size %q", spec)
	}
	p.pos += end + 1
	if !bytes.HasPrefix(p.data[p.pos:], []byte("\r\n")) {
		if p.pos >= len(p.data) {
			return "", fmt.Errorf("literal without data: %w", ErrIncomplete)
		}
		return "", fmt.Errorf("literal size not followed by CRLF at offset %d", p.pos)
	}
	p.pos += 2
	if uint64(len(p.data)-p.pos) < n {
		return "", fmt.Errorf("literal shorter than announced %d bytes: %w", n, ErrIncomplete)
	}
	s := string(p.data[p.pos : p.pos+int(n)])
	p.pos += int(n)
	return s, nil
}

// FormatArgs renders arguments back to IMAP syntax, for messages.
func FormatArgs(args []Arg) string {
	var sb strings.Builder
	writeArgs(&sb, args)
	return sb.String()
}

func writeArgs(sb *strings.Builder, args []Arg) {
	for i := range args {
		if i > 0 {
			sb.WriteByte(' ')
		}
		a := &args[i]
		switch a.Kind {
		case ArgAtom:
			sb.WriteString(a.Str)
		case ArgNIL:
			sb.WriteString("NIL")
		case ArgString:
			if strings.ContainsAny(a.Str, "\r\n\x00") {
				fmt.Fprintf(sb, "{%d}\r\n%s", len(a.Str), a.Str)
			} else {
				sb.WriteString(quote(a.Str))
			}
		case ArgLiteral:
			if a.Binary {
				sb.WriteByte('~')
			}
			fmt.Fprintf(sb, "{%d}\r\n%s", len(a.Str), a.Str)
		case ArgList:
			sb.WriteByte('(')
			writeArgs(sb, a.List)
			sb.WriteByte(')')
		}
	}
}

// ResponseReader reads whole server responses: a line and, when it ends
// with a literal announcement, the literal and the rest of the line, until
// a line without literal. RFC 3501 §7.
type ResponseReader struct {
	r       *bufio.Reader
	maxLine int
}

// NewResponseReader wraps r. maxLine bounds one line (not literals).
func NewResponseReader(r io.Reader, maxLine int) *ResponseReader {
	return newResponseReaderSize(r, 16<<10, maxLine)
}

// newResponseReaderSize is NewResponseReader with a read buffer of size
// bytes (a longer line is assembled from several reads).
func newResponseReaderSize(r io.Reader, size, maxLine int) *ResponseReader {
	return &ResponseReader{r: bufio.NewReaderSize(r, size), maxLine: maxLine}
}

// ReadResponse returns one complete response with inline literals and
// without the final CRLF.
func (rr *ResponseReader) ReadResponse() ([]byte, error) {
	return rr.AppendResponse(nil)
}

// AppendResponse is ReadResponse appending to out, so that a caller
// reading response after response can reuse one buffer.
func (rr *ResponseReader) AppendResponse(out []byte) ([]byte, error) {
	for {
		line, err := rr.readLine()
		if err != nil {
			return out, err
		}
		out = append(out, line...)
		n, ok := trailingLiteral(line)
		if !ok {
			return out, nil
		}
		out = append(out, '\r', '\n')
		start := len(out)
		out = append(out, make([]byte, n)...)
		if _, err := io.ReadFull(rr.r, out[start:]); err != nil {
			return out, fmt.Errorf("read %d-byte literal: %w", n, err)
		}
	}
}

// readLine returns the next line without its CRLF. A line that fits the
// read buffer is returned in place, valid until the next read.
func (rr *ResponseReader) readLine() ([]byte, error) {
	line, err := rr.r.ReadSlice('\n')
	if err == nil {
		return trimCRLF(line), nil
	}
	line = append([]byte(nil), line...)
	for {
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > rr.maxLine {
				return nil, fmt.Errorf("response line longer than %d bytes", rr.maxLine)
			}
			var chunk []byte
			chunk, err = rr.r.ReadSlice('\n')
			line = append(line, chunk...)
			if err == nil {
				return trimCRLF(line), nil
			}
			continue
		}
		if len(line) > 0 && errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("connection closed mid-line: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
}

func trimCRLF(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// trailingLiteral reports the size of a "{n}", "{n+}" or "~{n}" at the end
// of line.
func trailingLiteral(line []byte) (int, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	spec := strings.TrimSuffix(string(line[open+1:len(line)-1]), "+")
	n, err := strconv.ParseUint(spec, 10, 32)
	if err != nil || n > maxLiteral {
		return 0, false
	}
	return int(n), true
}

// Response is one parsed server response.
type Response struct {
	Tag  string // "*", "+" or a command tag
	Args []Arg  // arguments after the tag
	Raw  string // the response as received (literals inline)
}

// ParseResponse splits a complete response into tag and arguments. For
// status responses (OK, NO, BAD, BYE, PREAUTH) human-readable text that is
// not valid IMAP syntax (an unbalanced quote or parenthesis) is kept as one
// final atom rather than rejected; RFC 3501 §7.1 allows any text there.
func ParseResponse(raw []byte) (Response, error) {
	r := Response{Raw: string(raw)}
	sp := bytes.IndexByte(raw, ' ')
	if sp < 0 {
		r.Tag = string(raw)
		if r.Tag == "+" {
			return r, nil
		}
		return r, fmt.Errorf("response without arguments: %q", raw)
	}
	r.Tag = string(raw[:sp])
	rest := raw[sp+1:]
	if r.Tag == "+" {
		r.Args = []Arg{{Kind: ArgAtom, Str: string(rest)}}
		return r, nil
	}
	args, err := ParseArgs(rest)
	if err == nil {
		r.Args = args
		return r, nil
	}
	if isStatusWord(rest) {
		r.Args = lenientStatus(rest)
		return r, nil
	}
	return r, fmt.Errorf("parse %q: %w", raw, err)
}

func isStatusWord(rest []byte) bool {
	word, _, _ := bytes.Cut(rest, []byte(" "))
	for _, s := range []string{"OK", "NO", "BAD", "BYE", "PREAUTH"} {
		if strings.EqualFold(string(word), s) {
			return true
		}
	}
	return false
}

// lenientStatus tokenizes a status response word by word, keeping the
// first word that does not parse, and everything after it, as one atom.
func lenientStatus(rest []byte) []Arg {
	var args []Arg
	for len(rest) > 0 {
		word, tail, found := bytes.Cut(rest, []byte(" "))
		parsed, err := ParseArgs(word)
		if err != nil || len(parsed) != 1 {
			args = append(args, Arg{Kind: ArgAtom, Str: string(rest)})
			return args
		}
		args = append(args, parsed[0])
		if !found {
			break
		}
		rest = tail
	}
	return args
}
