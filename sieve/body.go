package sieve

// bodyTest is body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <keys>
// (RFC 5173 §4, §5).
type bodyTest struct {
	pos       Pos
	transform BodyTransform
	types     []strValue
	m         *matcher
}

func (c *compiler) body(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtBody, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, tagsBody, []want{wantList})
	if err != nil {
		return nil, err
	}
	t := &bodyTest{pos: a.pos, transform: BodyText}
	switch b.group("transform") {
	case "raw":
		t.transform = BodyRaw
	case "content":
		t.transform = BodyContent
		if t.types, err = c.strList(b.val("content")); err != nil {
			return nil, err
		}
	}
	if t.m, err = c.matcher(b, b.pos[0]); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *bodyTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	texts, err := m.env.Body(t.transform, m.expandList(f, t.types))
	if err != nil {
		return false, m.fail(f, t.pos, err, "cannot read the message body")
	}
	return m.runMatch(f, t.m, texts)
}
