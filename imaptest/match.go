package imaptest

import (
	"fmt"
	"strconv"
	"strings"
)

// Matcher holds one test's variables and matches expected replies against
// received ones (docs/scripted_test.md "Variables", "Directives").
//
// Strings compare case-insensitively unless the pattern uses ${case:...};
// an unset $name binds to the received text on first match (up to the
// character that follows it in the pattern) and must match the same value
// afterwards; a bare $ matches any one argument or list; $N is the current
// sequence number of the message that had sequence N when the command
// group started; $modseqN must be at least the previous $modseqM plus N-M.
type Matcher struct {
	vars  map[string]string
	added []string // variables bound during the current match attempt

	// seqmap[i] is the current sequence of the message that had sequence
	// i+1 at the start of the group (0: expunged).
	seqmap []uint32

	modseqIdx   uint64
	modseqValue uint64
}

// NewMatcher returns a matcher with the given predefined variables.
func NewMatcher(vars map[string]string) *Matcher {
	m := &Matcher{vars: map[string]string{}}
	for k, v := range vars {
		m.vars[k] = v
	}
	return m
}

// Var returns a variable's value.
func (m *Matcher) Var(name string) (string, bool) {
	v, ok := m.vars[name]
	return v, ok
}

// SetVar sets a variable.
func (m *Matcher) SetVar(name, value string) { m.vars[name] = value }

// DeleteVar removes a variable.
func (m *Matcher) DeleteVar(name string) { delete(m.vars, name) }

// ResetSeqMap starts a new group with count messages in the view.
func (m *Matcher) ResetSeqMap(count int) {
	m.seqmap = m.seqmap[:0]
	for i := 1; i <= count; i++ {
		m.seqmap = append(m.seqmap, uint32(i))
	}
}

// Expunge updates the sequence map for "* seq EXPUNGE" (RFC 3501 §7.4.1).
func (m *Matcher) Expunge(seq uint32) {
	if seq == 0 || int(seq) > len(m.seqmap) {
		return // beyond the initial view: a message added later
	}
	for i := int(seq) - 1; i < len(m.seqmap); i++ {
		switch {
		case m.seqmap[i] == seq:
			m.seqmap[i] = 0
		case m.seqmap[i] > seq:
			m.seqmap[i]--
		}
	}
}

func (m *Matcher) relativeSeq(n uint64) string {
	switch {
	case n == 0:
		return "<zero seq>"
	case n > uint64(len(m.seqmap)):
		return "<out of range>"
	case m.seqmap[n-1] == 0:
		return "<expunged>"
	}
	return strconv.FormatUint(uint64(m.seqmap[n-1]), 10)
}

func isVarChar(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// varName reads the variable name after '$' at s[0]: "{name}" or a run
// of alphanumerics and '_'. It returns the name and the rest of s.
func varName(s string) (name, rest string, err error) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", "", fmt.Errorf("missing '}'")
		}
		return s[1:end], s[end+1:], nil
	}
	i := 0
	for i < len(s) && isVarChar(s[i]) {
		i++
	}
	return s[:i], s[i:], nil
}

// Expand substitutes variables in a command line ("$$" is "$", list
// directives are dropped, "$N" is a relative sequence). An unset variable
// is an error.
func (m *Matcher) Expand(line string) (string, error) {
	if !strings.Contains(line, "$") {
		return line, nil
	}
	var sb strings.Builder
	for len(line) > 0 {
		c := line[0]
		if c != '$' || len(line) == 1 {
			sb.WriteByte(c)
			line = line[1:]
			continue
		}
		line = line[1:]
		switch line[0] {
		case '$':
			sb.WriteByte('$')
			line = line[1:]
			continue
		case '!':
			for len(line) > 1 && line[1] != ' ' {
				line = line[1:]
			}
			line = line[1:]
			continue
		}
		name, rest, err := varName(line)
		if err != nil {
			return "", err
		}
		line = rest
		if n, err := strconv.ParseUint(name, 10, 32); err == nil {
			sb.WriteString(m.relativeSeq(n))
			continue
		}
		v, ok := m.vars[name]
		if !ok {
			return "", fmt.Errorf("uninitialized variable: %s", name)
		}
		sb.WriteString(v)
	}
	return sb.String(), nil
}

// ExpandKnown is Expand for messages: unset variables and directives
// stay as written.
func (m *Matcher) ExpandKnown(line string) string {
	var sb strings.Builder
	for len(line) > 0 {
		c := line[0]
		if c != '$' || len(line) == 1 {
			sb.WriteByte(c)
			line = line[1:]
			continue
		}
		line = line[1:]
		if line[0] == '$' {
			sb.WriteByte('$')
			line = line[1:]
			continue
		}
		name, rest, err := varName(line)
		if err != nil {
			sb.WriteString("$" + line)
			break
		}
		written := line[:len(line)-len(rest)]
		line = rest
		if n, err := strconv.ParseUint(name, 10, 32); err == nil {
			sb.WriteString(m.relativeSeq(n))
		} else if v, ok := m.vars[name]; ok && name != "" {
			sb.WriteString(v)
		} else {
			sb.WriteString("$" + written)
		}
	}
	return sb.String()
}

// nextLiteralChar is the first character the pattern rest will produce,
// used to find where an unset variable's value ends ("" = end of input).
func (m *Matcher) nextLiteralChar(rest string) (byte, bool, bool) {
	if rest == "" {
		return 0, true, false
	}
	if rest[0] != '$' {
		return rest[0], true, true
	}
	if len(rest) > 1 && rest[1] == '$' {
		return '$', true, true
	}
	name, _, err := varName(rest[1:])
	if err != nil {
		return 0, true, false
	}
	if v, ok := strings.CutPrefix(name, "case:"); ok {
		if v == "" {
			return 0, false, false
		}
		return v[0], false, true
	}
	if v, ok := m.vars[name]; ok && v != "" {
		return v[0], true, true
	}
	return 0, true, false
}

// expandInput matches one pattern atom against one received string and
// returns the pattern with its variables resolved, binding unset ones.
// ok is false on a definite mismatch.
func (m *Matcher) expandInput(pat, input string) (out string, icase, ok bool) {
	icase = true
	var sb strings.Builder
	in := 0
	for len(pat) > 0 {
		if pat[0] != '$' || (len(pat) > 1 && pat[1] == '$') {
			if pat[0] == '$' {
				pat = pat[1:]
			}
			if in >= len(input) || upper(pat[0]) != upper(input[in]) {
				return "", icase, false
			}
			in++
			sb.WriteByte(pat[0])
			pat = pat[1:]
			continue
		}
		name, rest, err := varName(pat[1:])
		if err != nil {
			return "", icase, false
		}
		pat = rest
		var value string
		if n, err := strconv.ParseUint(name, 10, 32); err == nil {
			value = m.relativeSeq(n)
		} else if v, ok := strings.CutPrefix(name, "case:"); ok {
			icase = false
			value = v
		} else if v, ok := m.vars[name]; ok && name != "" {
			value = v
		} else {
			end := len(input)
			if c, ci, has := m.nextLiteralChar(pat); has {
				end = in
				for end < len(input) && !(input[end] == c || (ci && upper(input[end]) == upper(c))) {
					end++
				}
			}
			value = input[in:end]
			switch {
			case name == "":
				// "$" ignores the value.
			case strings.HasPrefix(name, "modseq") && isDigits(name[len("modseq"):]):
				value = m.modseq(name, value)
			default:
				m.vars[name] = value
				m.added = append(m.added, name)
			}
		}
		sb.WriteString(value)
		for i := 0; i < len(value); i++ {
			if in >= len(input) || input[in] != value[i] {
				return "", icase, false
			}
			in++
		}
	}
	return sb.String(), icase, true
}

// modseq checks a $modseqN binding: values must grow at least as fast as
// the indexes. A failure yields a value that cannot match.
func (m *Matcher) modseq(name, value string) string {
	idx, _ := strconv.ParseUint(name[len("modseq"):], 10, 64)
	v, err := strconv.ParseUint(value, 10, 64)
	if err != nil {
		return "$modseq-not-number"
	}
	if m.modseqIdx > idx {
		return fmt.Sprintf("$modseq-order-mismatch(%d after %d)", idx, m.modseqIdx)
	}
	atLeast := m.modseqValue + (idx - m.modseqIdx)
	result := value
	if v < atLeast {
		result = fmt.Sprintf("$modseq-at-least-%d", atLeast)
		v = atLeast
	}
	m.modseqIdx, m.modseqValue = idx, v
	m.vars[name] = result
	return result
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

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// full is the match count meaning "everything matched".
const full = -1

// BeginAttempt starts a match attempt whose bindings RevertAttempt undoes.
func (m *Matcher) BeginAttempt() { m.added = m.added[:0] }

// RevertAttempt forgets the variables bound since BeginAttempt.
func (m *Matcher) RevertAttempt() {
	for _, name := range m.added {
		delete(m.vars, name)
	}
	m.added = m.added[:0]
}

// MatchReply matches an expected reply against a received one. With
// prefix (status responses) the received reply may have more arguments
// and the last expected one only has to be a prefix. It returns how many
// leading arguments matched when it fails.
func (m *Matcher) MatchReply(expected, received []Arg, prefix bool) (bool, int) {
	n := m.matchArgs(expected, received, -1, prefix)
	return n == full, n
}

func (m *Matcher) matchArgs(match, args []Arg, max int, prefix bool) int {
	ret := 0
	ai := 0
	for mi := 0; mi < len(match) && max != 0; mi, max = mi+1, max-1 {
		e := &match[mi]
		switch e.Kind {
		case ArgNIL:
			if ai >= len(args) || args[ai].Kind != ArgNIL {
				return ret
			}
		case ArgAtom, ArgString, ArgLiteral:
			if e.Str == "$" && ai < len(args) && args[ai].Kind == ArgList {
				break
			}
			if e.Str == "$]" {
				// "$]" skips up to the atom with ']' ("[CAPABILITY $]").
				for ai < len(args) && args[ai].Kind == ArgAtom && !strings.Contains(args[ai].Str, "]") {
					ai++
				}
				break
			}
			if ai >= len(args) || !args[ai].IsAString() {
				return ret
			}
			got := cString(args[ai].Str)
			exp, icase, ok := m.expandInput(cString(e.Str), got)
			if !ok {
				return ret
			}
			last := mi == len(match)-1
			if prefix && last {
				if len(got) < len(exp) || !strEq(got[:len(exp)], exp, icase) {
					return ret
				}
			} else if !strEq(got, exp, icase) {
				return ret
			}
		case ArgList:
			if ai >= len(args) || args[ai].Kind != ArgList {
				return ret
			}
			if sub := m.matchList(e.List, args[ai].List); sub != full {
				return ret + sub
			}
		}
		ret++
		ai++
	}
	if prefix || ai >= len(args) || max == 0 {
		return full
	}
	return ret
}

// cString cuts s at its first NUL. Dovecot imaptest compares arguments
// as C strings, so data after a NUL (only possible in a literal8, RFC
// 3516) is not compared; scripts rely on that (append-binary).
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func strEq(a, b string, icase bool) bool {
	if icase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func (m *Matcher) matchList(match, args []Arg) int {
	unordered := false
	chain := 1
	noextra := -1
	var ignores, bans []string
	for len(match) > 0 && isDirective(&match[0]) {
		d := match[0].Str[2:]
		switch {
		case strings.HasPrefix(d, "unordered"):
			unordered = true
			if noextra == -1 {
				noextra = 0
			}
			if n, ok := strings.CutPrefix(d, "unordered="); ok {
				chain, _ = strconv.Atoi(n)
				if chain < 1 {
					chain = 1
				}
			}
		case d == "ordered":
			unordered = false
		case d == "extra":
			noextra = 0
		case d == "noextra":
			noextra = 1
		case strings.HasPrefix(d, "ignore="):
			ignores = append(ignores, d[len("ignore="):])
		case strings.HasPrefix(d, "ban="):
			bans = append(bans, d[len("ban="):])
		}
		match = match[1:]
	}
	if noextra == -1 {
		noextra = 1
	}
	if !unordered {
		return m.matchArgs(match, args, -1, false)
	}
	if len(args)%chain != 0 {
		return 0
	}
	matched := make([]bool, len(args))
	ret := 0
	for mi := 0; mi < len(match); mi, ret = mi+chain, ret+1 {
		found := false
		for i := 0; i < len(args); i += chain {
			if m.matchArgs(match[mi:], args[i:], chain, false) == full {
				matched[i] = true
				found = true
				break
			}
		}
		if !found {
			return ret
		}
	}
	for i := 0; i < len(args); i += chain {
		if matched[i] || !args[i].IsAString() {
			continue
		}
		s := args[i].Str
		if noextra > 0 && !containsFold(ignores, s) {
			return ret
		}
		if noextra == 0 && containsFold(bans, s) {
			return ret
		}
	}
	return full
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
