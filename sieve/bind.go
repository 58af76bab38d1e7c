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

// bound holds the arguments of one command or test, sorted into tags and
// positional arguments.
type bound struct {
	tags   map[string]astArg // value of a tag; the tag's own position for flag tags
	tagPos map[string]Pos
	groups map[string]string // group -> tag used
	order  []string          // tags in source order
	pos    []astArg
}

func (b *bound) has(tag string) bool { _, ok := b.tagPos[tag]; return ok }

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
	b := &bound{tags: map[string]astArg{}, tagPos: map[string]Pos{}, groups: map[string]string{}}
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
		if _, dup := b.tagPos[a.tag]; dup {
			return nil, a.pos.errorf("tagged argument \":%s\" given twice", a.tag)
		}
		if def.group != "" {
			if prev, ok := b.groups[def.group]; ok {
				return nil, a.pos.errorf("\":%s\" conflicts with \":%s\"", a.tag, prev)
			}
			b.groups[def.group] = a.tag
		}
		b.tagPos[a.tag] = a.pos
		b.tags[a.tag] = a
		b.order = append(b.order, a.tag)
		if def.want == wantNone {
			continue
		}
		if i+1 >= len(args) || !fits(args[i+1], def.want) {
			return nil, a.pos.errorf("\":%s\" needs a %s argument", a.tag, def.want)
		}
		i++
		b.tags[a.tag] = args[i]
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
	if a, ok := b.tags["comparator"]; ok {
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
	switch b.groups["match"] {
	case "contains":
		m.mt = mContains
	case "matches":
		m.mt = mMatches
	case "regex":
		m.mt = mRegex
	case "count", "value":
		tag := b.groups["match"]
		m.mt = mValue
		if tag == "count" {
			m.mt = mCount
		}
		a := b.tags[tag]
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
		return nil, b.tagPos[b.groups["match"]].errorf("comparator \"i;ascii-numeric\" cannot be used with \":%s\"", b.groups["match"])
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
