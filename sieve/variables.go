package sieve

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// modifier is a "set" modifier (RFC 5229 §4.1) with its precedence.
type modifier struct {
	name string
	prec int
}

var setModifiers = map[string]int{
	"lower": 40, "upper": 40, "lowerfirst": 30, "upperfirst": 30,
	"quotewildcard": 20, "quoteregex": 20, "encodeurl": 15, "length": 10,
}

// tagsSet are the modifiers as tags of "set".
var tagsSet = []tagDef{
	{name: "lower"}, {name: "upper"}, {name: "lowerfirst"}, {name: "upperfirst"},
	{name: "quotewildcard"}, {name: "quoteregex", ext: ExtRegex}, {name: "length"},
	{name: "encodeurl", ext: ExtEnotify},
}

// setNode is set [MODIFIER...] <name: string> <value: string>.
type setNode struct {
	pos    Pos
	name   string
	global bool
	value  strValue
	mods   []modifier // highest precedence first
}

// variableName checks a variable name as "set" and the imap4flags
// variable-list take it: an identifier, or "global.name" with include.
func (c *compiler) variableName(a astArg) (string, bool, error) {
	raw := a.strs[0]
	if isIdent(raw) {
		return lowerASCII(raw), false, nil
	}
	if dot := strings.IndexByte(raw, '.'); dot > 0 && c.has(ExtInclude) && lowerASCII(raw[:dot]) == "global" && isIdent(raw[dot+1:]) {
		return lowerASCII(raw[dot+1:]), true, nil
	}
	return "", false, a.pos.errorf("invalid variable name %q", raw)
}

func (c *compiler) set(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtVariables, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, tagsSet, []want{wantString, wantString})
	if err != nil {
		return nil, err
	}
	n := &setNode{pos: a.pos}
	byPrec := map[int]string{}
	for _, bt := range b.list {
		tag, p, prec := bt.name, bt.pos, setModifiers[bt.name]
		if other, dup := byPrec[prec]; dup {
			return nil, p.errorf("modifiers \":%s\" and \":%s\" cannot be used together", other, tag)
		}
		byPrec[prec] = tag
	}
	for _, prec := range []int{40, 30, 20, 15, 10} {
		if tag, ok := byPrec[prec]; ok {
			n.mods = append(n.mods, modifier{name: tag, prec: prec})
		}
	}
	n.name, n.global, err = c.variableName(b.pos[0])
	if err != nil {
		return nil, err
	}
	n.value, err = c.str(b.pos[1].pos, b.pos[1].strs[0])
	if err != nil {
		return nil, err
	}
	return n, nil
}

// applyModifier implements one RFC 5229 §4.1 modifier.
func applyModifier(name, v string) string {
	switch name {
	case "lower":
		return strings.ToLower(v)
	case "upper":
		return strings.ToUpper(v)
	case "lowerfirst", "upperfirst":
		r, n := utf8.DecodeRuneInString(v)
		if n == 0 {
			return v
		}
		if name == "lowerfirst" {
			r = unicode.ToLower(r)
		} else {
			r = unicode.ToUpper(r)
		}
		return string(r) + v[n:]
	case "quotewildcard":
		return quoteWildcard(v)
	case "quoteregex":
		return quoteRegex(v)
	case "length":
		return strconv.Itoa(utf8.RuneCountInString(v))
	case "encodeurl":
		return encodeURL(v)
	}
	return v
}

// quoteRegex escapes regex metacharacters (draft-ietf-sieve-regex §4).
func quoteRegex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\^$.[]|()?*+{}`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (n *setNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	v := m.expand(f, n.value)
	for _, mod := range n.mods {
		v = applyModifier(mod.name, v)
	}
	m.setVar(f, n.name, n.global, v)
	return ctrlNext, nil
}

// globalNode is global <names: string-list> (RFC 6609 §3.4).
type globalNode struct {
	pos   Pos
	names []string
}

func (c *compiler) global(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtInclude, what); err != nil {
		return nil, err
	}
	if err := c.need(a.pos, ExtVariables, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, nil, []want{wantList})
	if err != nil {
		return nil, err
	}
	n := &globalNode{pos: a.pos}
	for _, s := range b.pos[0].strs {
		if !isIdent(s) {
			return nil, b.pos[0].pos.errorf("invalid variable name %q", s)
		}
		n.names = append(n.names, lowerASCII(s))
	}
	return n, nil
}

func (n *globalNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	for _, name := range n.names {
		f.globals[name] = true
	}
	return ctrlNext, nil
}

// flagNode is setflag/addflag/removeflag [<variablename>] <flags>
// (RFC 5232 §4).
type flagNode struct {
	pos     Pos
	op      string
	varName string // "" for the internal variable
	global  bool
	flags   []strValue
}

func (c *compiler) flagCmd(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtImap4flags, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, nil, nil)
	if err != nil {
		return nil, err
	}
	n := &flagNode{pos: a.pos, op: a.name}
	switch len(b.pos) {
	case 1:
	case 2:
		if err := c.need(b.pos[0].pos, ExtVariables, "a flag variable name"); err != nil {
			return nil, err
		}
		if b.pos[0].kind != argString {
			return nil, b.pos[0].pos.errorf("variable name must be a string")
		}
		n.varName, n.global, err = c.variableName(b.pos[0])
		if err != nil {
			return nil, err
		}
	default:
		return nil, a.pos.errorf("%s expects [variable name] and a flag list", what)
	}
	last := b.pos[len(b.pos)-1]
	if !fits(last, wantList) {
		return nil, last.pos.errorf("flag list must be a string list")
	}
	n.flags, err = c.strList(last)
	if err != nil {
		return nil, err
	}
	return n, nil
}

func (n *flagNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	var cur []string
	if n.varName == "" {
		cur = m.flags
	} else {
		cur = strings.Fields(m.getVar(f, n.varName, n.global))
	}
	given := m.expandList(f, n.flags)
	switch n.op {
	case "setflag":
		cur = splitFlags(given)
	case "addflag":
		cur = splitFlags(append(append([]string(nil), cur...), given...))
	case "removeflag":
		cur = removeFlags(cur, given)
	}
	if n.varName == "" {
		m.flags = cur
	} else {
		m.setVar(f, n.varName, n.global, strings.Join(cur, " "))
	}
	return ctrlNext, nil
}
