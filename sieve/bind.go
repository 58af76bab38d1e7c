package sieve

import (
	"fmt"
	"regexp"
)

// want is the argument type a tag or positional slot expects
// (RFC 5228 §2.6).
type want int

const (
	wantNone   want = iota
	wantString      // a single string
	wantList        // a string-list (a single string is accepted)
	wantNumber
)

func (w want) String() string {
	return [...]string{"nothing", "string", "string list", "number"}[w]
}

// tagDef describes one tagged argument of a command or test.
type tagDef struct {
	name  string
	ext   string // extension that must be required, "" for the base spec
	group string // tags in one group are mutually exclusive
	want  want
}

// boundTag is one tagged argument as given.
type boundTag struct {
	name  string
	group string
	pos   Pos    // position of the tag itself
	val   astArg // its argument; the tag itself for flag tags
}

// bound holds the arguments of one command or test, sorted into tags (in
// source order) and positional arguments. Commands have few tags, so a
// slice beats maps here.
type bound struct {
	list []boundTag
	pos  []astArg
}

func (b *bound) find(tag string) *boundTag {
	for i := range b.list {
		if b.list[i].name == tag {
			return &b.list[i]
		}
	}
	return nil
}

func (b *bound) has(tag string) bool { return b.find(tag) != nil }

// tag returns the argument of a tag and whether it was given.
func (b *bound) tag(name string) (astArg, bool) {
	if t := b.find(name); t != nil {
		return t.val, true
	}
	return astArg{}, false
}

// val returns the argument of a tag that was given.
func (b *bound) val(name string) astArg { a, _ := b.tag(name); return a }

// posOf returns the position of a tag that was given.
func (b *bound) posOf(name string) Pos {
	if t := b.find(name); t != nil {
		return t.pos
	}
	return Pos{}
}

// group returns the tag used from a group, "" if none.
func (b *bound) group(g string) string {
	for _, t := range b.list {
		if t.group == g {
			return t.name
		}
	}
	return ""
}

// Common tag sets (RFC 5228 §2.7).
var (
	tagsComparator = []tagDef{{name: "comparator", group: "comparator", want: wantString}}
	tagsMatch      = []tagDef{
		{name: "is", group: "match"}, {name: "contains", group: "match"}, {name: "matches", group: "match"},
		{name: "regex", group: "match", ext: ExtRegex},
		{name: "count", group: "match", ext: ExtRelational, want: wantString},
		{name: "value", group: "match", ext: ExtRelational, want: wantString},
	}
	tagsAddrPart = []tagDef{
		{name: "all", group: "addrpart"}, {name: "localpart", group: "addrpart"}, {name: "domain", group: "addrpart"},
		{name: "user", group: "addrpart", ext: ExtSubaddress}, {name: "detail", group: "addrpart", ext: ExtSubaddress},
	}
	tagsIndex = []tagDef{
		{name: "index", ext: ExtIndex, want: wantNumber},
		{name: "last", ext: ExtIndex},
	}
)

// Tag sets of the tests, built once; they are never modified.
var (
	tagsMatchCmp = tagSets(tagsComparator, tagsMatch)
	tagsHeader   = tagSets(tagsMatchCmp, tagsIndex)
	tagsAddress  = tagSets(tagsMatchCmp, tagsAddrPart, tagsIndex)
	tagsEnvelope = tagSets(tagsMatchCmp, tagsAddrPart)
	tagsBody     = tagSets(tagsMatchCmp, []tagDef{
		{name: "raw", group: "transform"}, {name: "text", group: "transform"},
		{name: "content", group: "transform", want: wantList},
	})
	tagsCurrentDate = tagSets(tagsMatchCmp, []tagDef{{name: "zone", group: "zone", want: wantString}})
	tagsDate        = tagSets(tagsCurrentDate, []tagDef{{name: "originalzone", group: "zone"}}, tagsIndex)
)

func tagSets(sets ...[]tagDef) []tagDef {
	var out []tagDef
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// bind checks the arguments against the tag definitions and positional
// slots (RFC 5228 §2.6): tagged arguments come before positional ones, in
// any order, each at most once, and never two of one group.
func (c *compiler) bind(what string, p Pos, args []astArg, defs []tagDef, pos []want) (*bound, error) {
	b := &bound{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.kind != argTag {
			b.pos = append(b.pos, a)
			continue
		}
		if len(b.pos) > 0 {
			return nil, a.pos.errorf("tagged argument \":%s\" after positional arguments of %s", a.tag, what)
		}
		var def *tagDef
		for k := range defs {
			if defs[k].name == a.tag {
				def = &defs[k]
				break
			}
		}
		if def == nil {
			return nil, a.pos.errorf("unknown tagged argument \":%s\" for %s", a.tag, what)
		}
		if def.ext != "" {
			if err := c.need(a.pos, def.ext, fmt.Sprintf("tagged argument \":%s\"", a.tag)); err != nil {
				return nil, err
			}
		}
		if b.has(a.tag) {
			return nil, a.pos.errorf("tagged argument \":%s\" given twice", a.tag)
		}
		if def.group != "" {
			if prev := b.group(def.group); prev != "" {
				return nil, a.pos.errorf("\":%s\" conflicts with \":%s\"", a.tag, prev)
			}
		}
		bt := boundTag{name: a.tag, group: def.group, pos: a.pos, val: a}
		if def.want != wantNone {
			if i+1 >= len(args) || !fits(args[i+1], def.want) {
				return nil, a.pos.errorf("\":%s\" needs a %s argument", a.tag, def.want)
			}
			i++
			bt.val = args[i]
		}
		b.list = append(b.list, bt)
	}
	if pos == nil {
		return b, nil
	}
	if len(b.pos) != len(pos) {
		at := p
		if len(b.pos) > len(pos) {
			at = b.pos[len(pos)].pos
		}
		return nil, at.errorf("%s expects %d positional argument(s), found %d", what, len(pos), len(b.pos))
	}
	for i, w := range pos {
		if !fits(b.pos[i], w) {
			return nil, b.pos[i].pos.errorf("argument %d of %s must be a %s, found %s", i+1, what, w, kindName(b.pos[i].kind))
		}
	}
	return b, nil
}

func fits(a astArg, w want) bool {
	switch w {
	case wantString:
		return a.kind == argString
	case wantList:
		return a.kind == argString || a.kind == argList
	case wantNumber:
		return a.kind == argNumber
	}
	return false
}

func kindName(k argKind) string {
	return [...]string{"string", "string list", "number", "tag"}[k]
}

// matcher builds the COMPARATOR and MATCH-TYPE of a test from its tags and
// key list (RFC 5228 §2.7, RFC 5231, draft-ietf-sieve-regex).
func (c *compiler) matcher(b *bound, keys astArg) (*matcher, error) {
	m := &matcher{mt: mIs, cmp: cmpCasemap}
	if a, ok := b.tag("comparator"); ok {
		name, err := c.constString(a, "comparator name")
		if err != nil {
			return nil, err
		}
		switch lowerASCII(name) {
		case "i;octet":
			m.cmp = cmpOctet
		case "i;ascii-casemap":
			m.cmp = cmpCasemap
		case "i;ascii-numeric":
			if err := c.need(a.pos, ExtAsciiNumeric, "comparator \"i;ascii-numeric\""); err != nil {
				return nil, err
			}
			m.cmp = cmpNumeric
		default:
			return nil, a.pos.errorf("unknown comparator %q", name)
		}
	}
	switch b.group("match") {
	case "contains":
		m.mt = mContains
	case "matches":
		m.mt = mMatches
	case "regex":
		m.mt = mRegex
	case "count", "value":
		tag := b.group("match")
		m.mt = mValue
		if tag == "count" {
			m.mt = mCount
		}
		a := b.val(tag)
		op, err := c.constString(a, "relational operator")
		if err != nil {
			return nil, err
		}
		r, ok := relOps[lowerASCII(op)]
		if !ok {
			return nil, a.pos.errorf("invalid relational operator %q", op)
		}
		m.rel = r
	}
	if m.cmp == cmpNumeric && (m.mt == mContains || m.mt == mMatches || m.mt == mRegex) {
		// RFC 4790 §9.1: i;ascii-numeric offers equality and ordering only.
		return nil, b.posOf(b.group("match")).errorf("comparator \"i;ascii-numeric\" cannot be used with \":%s\"", b.group("match"))
	}
	ks, err := c.strList(keys)
	if err != nil {
		return nil, err
	}
	m.keys = ks
	if m.mt == mRegex {
		m.re = make([]*regexp.Regexp, len(ks))
		for i, k := range ks {
			if !k.konst {
				continue
			}
			if len(k.s) > c.opt.MaxRegexLen {
				return nil, k.pos.errorf("regular expression longer than %d bytes", c.opt.MaxRegexLen)
			}
			re, err := compileRegex(k.s, m.cmp)
			if err != nil {
				return nil, k.pos.errorf("invalid regular expression %q: %v", k.s, err)
			}
			m.re[i] = re
		}
	}
	return m, nil
}
