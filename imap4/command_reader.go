package imap4

import (
	"fmt"
	"strings"
)

// reader is a recursive-descent reader over one assembled command: its
// lines joined by CRLF after each literal announcement, with buffered
// literal data inline and streamed literals recorded in lits only.
type reader struct {
	b        []byte
	pos      int
	lits     []literal
	li       int
	pending  bool // the last literal is announced but not yet received
	depth    int
	maxDepth int

	tag  string
	name string
	uid  bool
}

// errorf builds a syntax error naming the command being parsed.
func (r *reader) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if r.name != "" {
		msg = r.name + ": " + msg
	}
	return &SyntaxError{Tag: r.tag, Msg: msg}
}

func (r *reader) eof() bool { return r.pos >= len(r.b) }

func (r *reader) peek() byte {
	if r.pos < len(r.b) {
		return r.b[r.pos]
	}
	return 0
}

// what names the next input for error messages.
func (r *reader) what() string {
	if r.eof() {
		if r.pending {
			return "literal"
		}
		return "end of line"
	}
	c := r.b[r.pos]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", rune(c))
}

func (r *reader) sp() error {
	if r.peek() != ' ' || r.eof() {
		return r.errorf("expected SP, got %s", r.what())
	}
	r.pos++
	return nil
}

// maybeSP consumes a SP when one follows.
func (r *reader) maybeSP() bool {
	if !r.eof() && r.b[r.pos] == ' ' {
		r.pos++
		return true
	}
	return false
}

func (r *reader) expect(c byte) error {
	if r.eof() || r.b[r.pos] != c {
		return r.errorf("expected %q, got %s", rune(c), r.what())
	}
	r.pos++
	return nil
}

// end checks that the whole command was consumed.
func (r *reader) end() error {
	if !r.eof() {
		return r.errorf("unexpected %s after arguments", r.what())
	}
	if r.pending {
		return r.errorf("unexpected literal after arguments")
	}
	return nil
}

// open consumes "(" and enforces the nesting limit.
func (r *reader) open() error {
	if err := r.expect('('); err != nil {
		return err
	}
	r.depth++
	if r.depth > r.maxDepth {
		return r.errorf("lists nested deeper than %d", r.maxDepth)
	}
	return nil
}

func (r *reader) close() error {
	if err := r.expect(')'); err != nil {
		return err
	}
	r.depth--
	return nil
}

// list parses "(" [item *(SP item)] ")", calling item for each element.
// When empty is false at least one item is required.
func (r *reader) list(empty bool, item func() error) error {
	if err := r.open(); err != nil {
		return err
	}
	if r.peek() == ')' && !r.eof() {
		if !empty {
			return r.errorf("empty list")
		}
		return r.close()
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if r.peek() == ')' && !r.eof() {
			return r.close()
		}
		if err := r.sp(); err != nil {
			return r.errorf("expected SP or \")\" in list, got %s", r.what())
		}
	}
}

// RFC 3501 §9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards
// / quoted-specials / resp-specials.
func isAtomChar(c byte) bool {
	if c <= 0x20 || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '%', '*', '"', '\\', ']':
		return false
	}
	return true
}

// isAstringChar: ASTRING-CHAR = ATOM-CHAR / resp-specials.
func isAstringChar(c byte) bool { return isAtomChar(c) || c == ']' }

// isListChar: list-char = ATOM-CHAR / list-wildcards / resp-specials.
func isListChar(c byte) bool { return isAstringChar(c) || c == '%' || c == '*' }

// isTagChar: tag = 1*<any ASTRING-CHAR except "+">.
func isTagChar(c byte) bool { return isAstringChar(c) && c != '+' }

func validTag(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		if !isTagChar(c) {
			return false
		}
	}
	return true
}

// span consumes the longest run of bytes satisfying ok.
func (r *reader) span(ok func(byte) bool) string {
	start := r.pos
	for r.pos < len(r.b) && ok(r.b[r.pos]) {
		r.pos++
	}
	return string(r.b[start:r.pos])
}

// atom parses an RFC 3501 atom.
func (r *reader) atom(what string) (string, error) {
	s := r.span(isAtomChar)
	if s == "" {
		return "", r.errorf("expected %s, got %s", what, r.what())
	}
	return s, nil
}

// keyword parses an atom and returns it upper-cased.
func (r *reader) keyword(what string) (string, error) {
	s, err := r.atom(what)
	if err != nil {
		return "", err
	}
	return upperASCII(s), nil
}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'a' && x <= 'z' {
			x -= 'a' - 'A'
		}
		if y >= 'a' && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// number parses number = 1*DIGIT fitting 32 bits (RFC 3501 §9).
func (r *reader) number(what string) (uint32, error) {
	v, err := r.number64(what, 1<<32-1)
	return uint32(v), err
}

// number64 parses 1*DIGIT up to max (RFC 7162 §7 mod-sequence-value is
// 63-bit, RFC 9208 number64 likewise).
func (r *reader) number64(what string, max uint64) (uint64, error) {
	start := r.pos
	var v uint64
	for r.pos < len(r.b) && r.b[r.pos] >= '0' && r.b[r.pos] <= '9' {
		d := uint64(r.b[r.pos] - '0')
		if v > (max-d)/10 {
			return 0, r.errorf("%s out of range", what)
		}
		v = v*10 + d
		r.pos++
	}
	if r.pos == start {
		return 0, r.errorf("expected %s, got %s", what, r.what())
	}
	return v, nil
}

// nzNumber parses nz-number (no zero).
func (r *reader) nzNumber(what string) (uint32, error) {
	v, err := r.number(what)
	if err == nil && v == 0 {
		err = r.errorf("%s must not be zero", what)
	}
	return v, err
}

const maxModSeq = 1<<63 - 1

// quoted parses a quoted string (RFC 3501 §9 quoted): only \\ and \" may
// be escaped; CR, LF and NUL are not allowed. 8-bit bytes are accepted as
// UTF-8 (RFC 9051 quoted).
func (r *reader) quoted() (string, error) {
	if err := r.expect('"'); err != nil {
		return "", err
	}
	start := r.pos
	escaped := false
	for r.pos < len(r.b) {
		c := r.b[r.pos]
		switch c {
		case '"':
			s := r.b[start:r.pos]
			r.pos++
			if !escaped {
				return string(s), nil
			}
			return unescapeQuoted(s), nil
		case '\\':
			if r.pos+1 >= len(r.b) || (r.b[r.pos+1] != '\\' && r.b[r.pos+1] != '"') {
				return "", r.errorf("invalid escape in quoted string")
			}
			escaped = true
			r.pos += 2
			continue
		case '\r', '\n', 0:
			return "", r.errorf("invalid character 0x%02x in quoted string", c)
		}
		r.pos++
	}
	return "", r.errorf("unterminated quoted string")
}

func unescapeQuoted(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		}
		out = append(out, s[i])
	}
	return string(out)
}

// literalAhead reports whether a literal starts here.
func (r *reader) literalAhead() bool {
	c := r.peek()
	return !r.eof() && (c == '{' || (c == '~' && r.pos+1 < len(r.b) && r.b[r.pos+1] == '{'))
}

// literalHeader parses "{n}" / "{n+}" / "~{n}" / "~{n+}" and the CRLF.
// It returns the literal record; pend is true when the literal is the one
// announced at the end of the input and not received yet.
func (r *reader) literalHeader() (lit literal, pend bool, err error) {
	binary := false
	if r.peek() == '~' {
		binary = true
		r.pos++
	}
	if err := r.expect('{'); err != nil {
		return lit, false, err
	}
	size, err := r.number64("literal size", 1<<62)
	if err != nil {
		return lit, false, err
	}
	if r.peek() == '+' {
		r.pos++
	}
	if err := r.expect('}'); err != nil {
		return lit, false, err
	}
	if r.eof() && r.pending && r.li == len(r.lits) {
		return literal{size: int64(size), binary: binary}, true, nil
	}
	if r.pos+2 > len(r.b) || r.b[r.pos] != '\r' || r.b[r.pos+1] != '\n' || r.li >= len(r.lits) {
		return lit, false, r.errorf("literal announcement not at end of line")
	}
	r.pos += 2
	lit = r.lits[r.li]
	r.li++
	if lit.off != r.pos || lit.size != int64(size) {
		return lit, false, r.errorf("literal bookkeeping mismatch")
	}
	if !lit.streamed {
		r.pos += int(lit.size)
	}
	return lit, false, nil
}

// stringLiteral parses a literal used as a string argument: buffered, not
// literal8, no NUL (RFC 3501 §9 CHAR8 excludes %x00).
func (r *reader) stringLiteral() (string, error) {
	lit, pend, err := r.literalHeader()
	if err != nil {
		return "", err
	}
	if lit.binary {
		return "", r.errorf("literal8 is allowed only for message data")
	}
	if pend {
		return "", &pendingString{tag: r.tag, name: r.name, uid: r.uid}
	}
	if lit.streamed {
		return "", r.errorf("streamed literal where a string is expected")
	}
	data := r.b[lit.off : lit.off+int(lit.size)]
	for _, c := range data {
		if c == 0 {
			return "", r.errorf("NUL in literal")
		}
	}
	return string(data), nil
}

// string parses string = quoted / literal.
func (r *reader) string(what string) (string, error) {
	switch {
	case r.peek() == '"' && !r.eof():
		return r.quoted()
	case r.literalAhead():
		return r.stringLiteral()
	}
	return "", r.errorf("expected %s (quoted string or literal), got %s", what, r.what())
}

// astring parses astring = 1*ASTRING-CHAR / string.
func (r *reader) astring(what string) (string, error) {
	if r.eof() || r.b[r.pos] == '"' || r.literalAhead() {
		return r.string(what)
	}
	s := r.span(isAstringChar)
	if s == "" {
		return "", r.errorf("expected %s, got %s", what, r.what())
	}
	return s, nil
}

// nstring parses nstring = string / NIL; ok is false for NIL.
func (r *reader) nstring(what string) (s string, ok bool, err error) {
	if r.atNIL() {
		r.pos += 3
		return "", false, nil
	}
	s, err = r.string(what)
	return s, err == nil, err
}

func (r *reader) atNIL() bool {
	if r.pos+3 > len(r.b) || !asciiEqualFold(string(r.b[r.pos:r.pos+3]), "NIL") {
		return false
	}
	return r.pos+3 == len(r.b) || !isAtomChar(r.b[r.pos+3])
}

// mailbox parses mailbox = "INBOX" / astring (RFC 3501 §9): INBOX in any
// case is INBOX (also as the first component of a hierarchy, spec 3.1), and
// the name must be canonical modified UTF-7 (RFC 3501 §5.1.3).
// The name is not checked for modified UTF-7 here: a name that cannot
// exist is a NO from the command (RFC 3501 §6.3.1, imaptest "atoms"), and
// CREATE and RENAME refuse invalid new names with CheckMailboxName.
func (r *reader) mailbox() (string, error) {
	name, err := r.astring("mailbox name")
	if err != nil {
		return "", err
	}
	return NormalizeMailbox(name), nil
}

// listMailbox parses list-mailbox = 1*list-char / string (RFC 3501 §9).
func (r *reader) listMailbox() (string, error) {
	if r.eof() || r.b[r.pos] == '"' || r.literalAhead() {
		return r.string("mailbox pattern")
	}
	s := r.span(isListChar)
	if s == "" {
		return "", r.errorf("expected mailbox pattern, got %s", r.what())
	}
	return s, nil
}

// NormalizeMailbox maps "inbox" in any case, alone or as the first
// hierarchy component, to "INBOX" (RFC 3501 §5.1, spec 3.1).
func NormalizeMailbox(name string) string {
	if len(name) >= 5 && asciiEqualFold(name[:5], "INBOX") && (len(name) == 5 || name[5] == '/') && name[:5] != "INBOX" {
		return "INBOX" + name[5:]
	}
	return name
}

// CheckMailboxName validates a mailbox name as received on the wire:
// non-empty and canonical modified UTF-7 (RFC 3501 §5.1.3). Storage rules
// (spec 3.1 allowed characters, length) belong to the mailbox layer.
func CheckMailboxName(name string) error {
	if name == "" {
		return nil // "" is meaningful in LIST and GETQUOTA; handlers decide
	}
	if _, err := DecodeMUTF7(name); err != nil {
		return fmt.Errorf("invalid mailbox name: %w", err)
	}
	return nil
}

// flag parses flag = "\" atom / atom (RFC 3501 §9 flag, flag-keyword,
// flag-extension). System flags are returned in their canonical case.
func (r *reader) flag() (string, error) {
	if r.peek() == '\\' && !r.eof() {
		r.pos++
		a, err := r.atom("flag name")
		if err != nil {
			return "", err
		}
		return canonicalFlag(a), nil
	}
	return r.atom("flag")
}

// canonicalFlag returns a system flag's canonical spelling with "\".
func canonicalFlag(name string) string {
	switch upperASCII(name) {
	case "SEEN":
		return `\Seen`
	case "ANSWERED":
		return `\Answered`
	case "FLAGGED":
		return `\Flagged`
	case "DELETED":
		return `\Deleted`
	case "DRAFT":
		return `\Draft`
	case "RECENT":
		return `\Recent`
	}
	return `\` + name
}

// flagList parses flag-list = "(" [flag *(SP flag)] ")".
func (r *reader) flagList() ([]string, error) {
	flags := []string{}
	err := r.list(true, func() error {
		f, err := r.flag()
		flags = append(flags, f)
		return err
	})
	return flags, err
}

// seqSet parses a sequence-set or "$" (RFC 3501 §9, RFC 5182).
func (r *reader) seqSet() (SeqSet, error) {
	s := r.span(func(c byte) bool { return (c >= '0' && c <= '9') || c == ':' || c == ',' || c == '*' || c == '$' })
	if s == "" {
		return SeqSet{}, r.errorf("expected sequence set, got %s", r.what())
	}
	set, err := ParseSeqSet(s)
	if err != nil {
		return SeqSet{}, r.errorf("%v", err)
	}
	return set, nil
}
