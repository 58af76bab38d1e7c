package sieve

import (
	"bytes"
	"math"
)

// tokenKind enumerates the lexical tokens of RFC 5228 §8.1.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokTag
	tokNumber
	tokString // quoted-string or multi-line, already unescaped
	tokLBracket
	tokRBracket
	tokLBrace
	tokRBrace
	tokLParen
	tokRParen
	tokComma
	tokSemicolon
)

var tokenNames = [...]string{
	tokEOF: "end of script", tokIdent: "identifier", tokTag: "tagged argument",
	tokNumber: "number", tokString: "string", tokLBracket: `"["`, tokRBracket: `"]"`,
	tokLBrace: `"{"`, tokRBrace: `"}"`, tokLParen: `"("`, tokRParen: `")"`,
	tokComma: `","`, tokSemicolon: `";"`,
}

func (k tokenKind) String() string { return tokenNames[k] }

type token struct {
	kind tokenKind
	pos  Pos
	text string // identifier/tag name (lower case) or string value
	num  int64
}

// lexer turns script bytes into tokens, tracking line and column.
type lexer struct {
	src  []byte
	off  int
	line int
	col  int
}

func newLexer(src []byte) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) pos() Pos { return Pos{Line: l.line, Column: l.col} }

// advance consumes n bytes, keeping line/column current.
func (l *lexer) advance(n int) {
	for i := 0; i < n && l.off < len(l.src); i++ {
		if l.src[l.off] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.off++
	}
}

func (l *lexer) peekByte(ahead int) byte {
	if l.off+ahead < len(l.src) {
		return l.src[l.off+ahead]
	}
	return 0
}

// skipSpace skips white space and comments (RFC 5228 §8.1 "comment").
func (l *lexer) skipSpace() error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.advance(1)
		case c == '#':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advance(1)
			}
		case c == '/' && l.peekByte(1) == '*':
			start := l.pos()
			end := bytes.Index(l.src[l.off+2:], []byte("*/"))
			if end < 0 {
				return start.errorf("unterminated bracket comment")
			}
			l.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: p}, nil
	}
	c := l.src[l.off]
	if k := singleToken(c); k != tokEOF {
		l.advance(1)
		return token{kind: k, pos: p}, nil
	}
	switch {
	case c == '"':
		return l.quoted(p)
	case c == ':':
		l.advance(1)
		if l.off >= len(l.src) || !isAlpha(l.src[l.off]) {
			return token{}, p.errorf("expected tag name after \":\"")
		}
		name := l.identifier()
		return token{kind: tokTag, pos: p, text: lowerASCII(name)}, nil
	case isDigit(c):
		return l.number(p)
	case isAlpha(c):
		name := l.identifier()
		if lowerASCII(name) == "text" && l.peekByte(0) == ':' {
			l.advance(1)
			return l.multiline(p)
		}
		return token{kind: tokIdent, pos: p, text: lowerASCII(name)}, nil
	}
	return token{}, p.errorf("unexpected character %q", rune(c))
}

func (l *lexer) identifier() string {
	start := l.off
	for l.off < len(l.src) && (isAlpha(l.src[l.off]) || isDigit(l.src[l.off])) {
		l.advance(1)
	}
	return string(l.src[start:l.off])
}

// number reads a number with an optional K/M/G quantifier (RFC 5228 §2.4.1).
func (l *lexer) number(p Pos) (token, error) {
	var n uint64
	for l.off < len(l.src) && isDigit(l.src[l.off]) {
		n = n*10 + uint64(l.src[l.off]-'0')
		if n > math.MaxInt64/10 {
			return token{}, p.errorf("number too large")
		}
		l.advance(1)
	}
	var mul uint64 = 1
	switch l.peekByte(0) {
	case 'k', 'K':
		mul = 1 << 10
	case 'm', 'M':
		mul = 1 << 20
	case 'g', 'G':
		mul = 1 << 30
	}
	if mul > 1 {
		l.advance(1)
		if n > math.MaxInt64/mul {
			return token{}, p.errorf("number too large")
		}
		n *= mul
	}
	if l.off < len(l.src) && (isAlpha(l.src[l.off]) || isDigit(l.src[l.off])) {
		return token{}, l.pos().errorf("invalid character %q in number", rune(l.src[l.off]))
	}
	return token{kind: tokNumber, pos: p, num: int64(n)}, nil
}

// quoted reads a quoted-string: backslash escapes the next character
// (RFC 5228 §2.4.2: "\\" and "\"" are the defined escapes, any other
// backslash is dropped).
func (l *lexer) quoted(p Pos) (token, error) {
	l.advance(1)
	// Fast path: no escapes before the closing quote.
	if end := bytes.IndexAny(l.src[l.off:], "\"\\"); end >= 0 && l.src[l.off+end] == '"' {
		text := string(l.src[l.off : l.off+end])
		l.advance(end + 1)
		return token{kind: tokString, pos: p, text: text}, nil
	}
	var b []byte
	for {
		if l.off >= len(l.src) {
			return token{}, p.errorf("unterminated quoted string")
		}
		c := l.src[l.off]
		switch c {
		case '"':
			l.advance(1)
			return token{kind: tokString, pos: p, text: string(b)}, nil
		case '\\':
			if l.off+1 >= len(l.src) {
				return token{}, p.errorf("unterminated quoted string")
			}
			b = append(b, l.src[l.off+1])
			l.advance(2)
		default:
			b = append(b, c)
			l.advance(1)
		}
	}
}

// multiline reads the body of a "text:" string (RFC 5228 §2.4.2, §8.1):
// optional white space and a hash comment up to the line end, then lines up
// to a line holding a single ".", with dot-stuffing removed. Bare LF line
// ends are accepted as well as CRLF.
func (l *lexer) multiline(p Pos) (token, error) {
	for l.off < len(l.src) && (l.src[l.off] == ' ' || l.src[l.off] == '\t') {
		l.advance(1)
	}
	if l.off < len(l.src) && l.src[l.off] == '#' {
		for l.off < len(l.src) && l.src[l.off] != '\n' {
			l.advance(1)
		}
	}
	if l.off < len(l.src) && l.src[l.off] == '\r' {
		l.advance(1)
	}
	if l.off >= len(l.src) || l.src[l.off] != '\n' {
		return token{}, l.pos().errorf("expected end of line after \"text:\"")
	}
	l.advance(1)
	var b []byte
	for {
		if l.off >= len(l.src) {
			return token{}, p.errorf("unterminated multi-line string")
		}
		end := bytes.IndexByte(l.src[l.off:], '\n')
		var line []byte
		if end < 0 {
			line = l.src[l.off:]
		} else {
			line = l.src[l.off : l.off+end+1]
		}
		content := bytes.TrimRight(line, "\r\n")
		if len(content) == 1 && content[0] == '.' {
			l.advance(len(line))
			return token{kind: tokString, pos: p, text: string(b)}, nil
		}
		if end < 0 {
			return token{}, p.errorf("unterminated multi-line string")
		}
		origLen := len(line)
		if len(content) > 0 && content[0] == '.' {
			line = line[1:] // dot-stuffing
		}
		b = append(b, line...)
		l.advance(origLen)
	}
}

func singleToken(c byte) tokenKind {
	switch c {
	case '[':
		return tokLBracket
	case ']':
		return tokRBracket
	case '{':
		return tokLBrace
	case '}':
		return tokRBrace
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case ',':
		return tokComma
	case ';':
		return tokSemicolon
	}
	return tokEOF
}
