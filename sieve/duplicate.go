package sieve

import "strings"

// duplicateTest is duplicate [:handle] [:header / :uniqueid] [:seconds]
// [:last] (RFC 7352 §3).
type duplicateTest struct {
	pos      Pos
	handle   *strValue
	header   *strValue
	uniqueID *strValue
	seconds  int64
	last     bool
}

func (c *compiler) duplicate(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtDuplicate, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, []tagDef{
		{name: "handle", want: wantString},
		{name: "header", group: "id", want: wantString}, {name: "uniqueid", group: "id", want: wantString},
		{name: "seconds", want: wantNumber}, {name: "last"},
	}, []want{})
	if err != nil {
		return nil, err
	}
	t := &duplicateTest{pos: a.pos, seconds: c.opt.DuplicatePeriod, last: b.has("last")}
	for tag, dst := range map[string]**strValue{"handle": &t.handle, "header": &t.header, "uniqueid": &t.uniqueID} {
		if v, ok := b.tag(tag); ok {
			s, err := c.str(v.pos, v.strs[0])
			if err != nil {
				return nil, err
			}
			*dst = &s
		}
	}
	if s, ok := b.tag("seconds"); ok {
		t.seconds = s.num
	}
	return t, nil
}

func (t *duplicateTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	var id string
	switch {
	case t.uniqueID != nil:
		id = m.expand(f, *t.uniqueID)
	default:
		name := "message-id"
		if t.header != nil {
			name = lowerASCII(m.expand(f, *t.header))
		}
		var vals []string
		if validHeaderName(name) {
			vals = m.env.RawHeaderValues(name)
		}
		if len(vals) == 0 {
			return false, nil // RFC 7352 §3.1: no header, no duplicate
		}
		id = strings.TrimSpace(vals[0])
	}
	handle := ""
	if t.handle != nil {
		handle = m.expand(f, *t.handle)
	}
	secs := int(min(t.seconds, int64(1<<31-1)))
	dup, err := m.env.Duplicate(id, handle, secs, t.last)
	if err != nil {
		return false, m.fail(f, t.pos, err, "duplicate tracking failed")
	}
	d := DuplicateID{ID: id, Handle: handle, Seconds: secs, Last: t.last}
	for _, prev := range m.dups {
		if prev.ID == id && prev.Handle == handle {
			return dup, nil
		}
	}
	m.dups = append(m.dups, d)
	return dup, nil
}
