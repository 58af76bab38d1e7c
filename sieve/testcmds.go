package sieve

import (
	"fmt"
)

// constTest is true or false (RFC 5228 §5.6, §5.10).
type constTest struct {
	pos Pos
	val bool
}

func (t *constTest) eval(m *machine, f *frame) (bool, error) { return t.val, m.step(f, t.pos) }

// notTest is not <test> (RFC 5228 §5.8).
type notTest struct {
	pos Pos
	t   test
}

func (t *notTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	ok, err := t.t.eval(m, f)
	return !ok, err
}

// listTest is allof/anyof with short-circuit evaluation (RFC 5228 §5.2, §5.3).
type listTest struct {
	pos   Pos
	all   bool
	tests []test
}

func (t *listTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	for _, sub := range t.tests {
		ok, err := sub.eval(m, f)
		if err != nil {
			return false, err
		}
		if ok != t.all {
			return ok, nil
		}
	}
	return t.all, nil
}

// test compiles one test.
func (c *compiler) test(a *astTest) (test, error) {
	what := fmt.Sprintf("test %q", a.name)
	switch a.name {
	case "true", "false":
		if len(a.args) > 0 || len(a.tests) > 0 {
			return nil, a.pos.errorf("%s takes no arguments", what)
		}
		return &constTest{pos: a.pos, val: a.name == "true"}, nil
	case "not":
		if len(a.args) > 0 || len(a.tests) != 1 || a.list {
			return nil, a.pos.errorf("%s needs exactly one test", what)
		}
		t, err := c.test(a.tests[0])
		if err != nil {
			return nil, err
		}
		return &notTest{pos: a.pos, t: t}, nil
	case "allof", "anyof":
		if len(a.args) > 0 {
			return nil, a.args[0].pos.errorf("%s takes no arguments", what)
		}
		if !a.list {
			return nil, a.pos.errorf("%s needs a parenthesised test list", what)
		}
		lt := &listTest{pos: a.pos, all: a.name == "allof"}
		for _, sub := range a.tests {
			t, err := c.test(sub)
			if err != nil {
				return nil, err
			}
			lt.tests = append(lt.tests, t)
		}
		return lt, nil
	}
	if len(a.tests) > 0 {
		return nil, a.tests[0].pos.errorf("%s does not take a test", what)
	}
	switch a.name {
	case "address", "header", "envelope":
		return c.headerLike(a, what)
	case "exists":
		return c.exists(a, what)
	case "size":
		return c.size(a, what)
	case "string":
		return c.stringTest(a, what)
	case "hasflag":
		return c.hasflag(a, what)
	case "body":
		return c.body(a, what)
	case "date", "currentdate":
		return c.date(a, what)
	case "mailboxexists":
		return c.mailboxExists(a, what)
	case "duplicate":
		return c.duplicate(a, what)
	case "valid_notify_method":
		return c.validNotifyMethod(a, what)
	case "notify_method_capability":
		return c.notifyMethodCapability(a, what)
	}
	return nil, a.pos.errorf("unknown test %q", a.name)
}

// validHeaderName checks an RFC 5322 §3.6.8 field-name.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

// headerNames compiles a header-name list. Invalid names are not an
// error; they just never match (RFC 5228 §2.4.2.2).
func (c *compiler) headerNames(a astArg) ([]strValue, error) {
	return c.strList(a)
}

// existsTest is exists <header-names> (RFC 5228 §5.5).
type existsTest struct {
	pos   Pos
	names []strValue
}

func (c *compiler) exists(a *astTest, what string) (test, error) {
	b, err := c.bind(what, a.pos, a.args, nil, []want{wantList})
	if err != nil {
		return nil, err
	}
	names, err := c.headerNames(b.pos[0])
	if err != nil {
		return nil, err
	}
	return &existsTest{pos: a.pos, names: names}, nil
}

func (t *existsTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	for _, n := range t.names {
		name := lowerASCII(m.expand(f, n))
		if !validHeaderName(name) || len(m.env.RawHeaderValues(name)) == 0 {
			return false, nil
		}
	}
	return true, nil
}

// sizeTest is size <":over" / ":under"> <limit> (RFC 5228 §5.9).
type sizeTest struct {
	pos   Pos
	over  bool
	limit int64
}

func (c *compiler) size(a *astTest, what string) (test, error) {
	b, err := c.bind(what, a.pos, a.args, []tagDef{{name: "over", group: "size"}, {name: "under", group: "size"}}, []want{wantNumber})
	if err != nil {
		return nil, err
	}
	if b.group("size") == "" {
		return nil, a.pos.errorf("%s needs \":over\" or \":under\"", what)
	}
	return &sizeTest{pos: a.pos, over: b.group("size") == "over", limit: b.pos[0].num}, nil
}

func (t *sizeTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	if t.over {
		return m.env.Size() > t.limit, nil
	}
	return m.env.Size() < t.limit, nil
}

// stringTest is string [MATCH-TYPE] [COMPARATOR] <source> <keys>
// (RFC 5229 §5).
type stringTest struct {
	pos    Pos
	source []strValue
	m      *matcher
}

func (c *compiler) stringTest(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtVariables, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, tagsMatchCmp, []want{wantList, wantList})
	if err != nil {
		return nil, err
	}
	t := &stringTest{pos: a.pos}
	if t.source, err = c.strList(b.pos[0]); err != nil {
		return nil, err
	}
	if t.m, err = c.matcher(b, b.pos[1]); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *stringTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	vals := m.expandList(f, t.source)
	if t.m.mt == mCount {
		// RFC 5229 §5: :count counts the non-empty strings.
		var ne []string
		for _, v := range vals {
			if v != "" {
				ne = append(ne, v)
			}
		}
		vals = ne
	}
	return m.runMatch(f, t.m, vals)
}

// hasflagTest is hasflag [MATCH-TYPE] [COMPARATOR] [<variables>] <flags>
// (RFC 5232 §4.4).
type hasflagTest struct {
	pos  Pos
	vars []strValue // nil for the internal variable
	m    *matcher
}

func (c *compiler) hasflag(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtImap4flags, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, tagsMatchCmp, nil)
	if err != nil {
		return nil, err
	}
	t := &hasflagTest{pos: a.pos}
	switch len(b.pos) {
	case 1:
	case 2:
		if err := c.need(b.pos[0].pos, ExtVariables, "a flag variable list"); err != nil {
			return nil, err
		}
		if !fits(b.pos[0], wantList) {
			return nil, b.pos[0].pos.errorf("variable list must be a string list")
		}
		for _, s := range b.pos[0].strs {
			if !isIdent(s) {
				return nil, b.pos[0].pos.errorf("invalid variable name %q", s)
			}
			t.vars = append(t.vars, constStr(b.pos[0].pos, lowerASCII(s)))
		}
	default:
		return nil, a.pos.errorf("%s expects [variable list] and a flag list", what)
	}
	keys := b.pos[len(b.pos)-1]
	if !fits(keys, wantList) {
		return nil, keys.pos.errorf("flag list must be a string list")
	}
	if t.m, err = c.matcher(b, keys); err != nil {
		return nil, err
	}
	t.m.splitKeys = t.m.mt != mCount && t.m.mt != mRegex
	return t, nil
}

func (t *hasflagTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	var flags []string
	if t.vars == nil {
		flags = m.flags
	} else {
		var all []string
		for _, v := range t.vars {
			all = append(all, m.getVar(f, v.s, false))
		}
		flags = splitFlags(all)
	}
	return m.runMatch(f, t.m, flags)
}

// mailboxTest is mailboxexists <mailbox-names> (RFC 5490 §3.1).
type mailboxTest struct {
	pos   Pos
	names []strValue
}

func (c *compiler) mailboxExists(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtMailbox, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, nil, []want{wantList})
	if err != nil {
		return nil, err
	}
	names, err := c.strList(b.pos[0])
	if err != nil {
		return nil, err
	}
	return &mailboxTest{pos: a.pos, names: names}, nil
}

func (t *mailboxTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	for _, n := range t.names {
		if !m.env.MailboxExists(m.expand(f, n)) {
			return false, nil
		}
	}
	return true, nil
}
