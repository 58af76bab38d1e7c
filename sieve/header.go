package sieve

import "strings"

// indexSpec is :index n [:last] (RFC 5260 §6).
type indexSpec struct {
	n    int64
	last bool
}

func (c *compiler) index(b *bound) (*indexSpec, error) {
	ia, ok := b.tag("index")
	if !ok {
		if b.has("last") {
			return nil, b.posOf("last").errorf("\":last\" needs \":index\"")
		}
		return nil, nil
	}
	if ia.num < 1 {
		return nil, ia.pos.errorf("\":index\" must be at least 1")
	}
	return &indexSpec{n: ia.num, last: b.has("last")}, nil
}

// pick applies the index to the values of one header field.
func (ix *indexSpec) pick(vals []string) []string {
	if ix == nil {
		return vals
	}
	if ix.n > int64(len(vals)) {
		return nil
	}
	i := int(ix.n) - 1
	if ix.last {
		i = len(vals) - int(ix.n)
	}
	return vals[i : i+1]
}

// headerTest is address, header or envelope (RFC 5228 §5.1, §5.4, §5.7).
type headerTest struct {
	pos   Pos
	kind  string
	names []strValue
	part  addressPart
	index *indexSpec
	m     *matcher
}

func (c *compiler) headerLike(a *astTest, what string) (test, error) {
	defs := tagsHeader
	switch a.name {
	case "address":
		defs = tagsAddress
	case "envelope":
		if err := c.need(a.pos, ExtEnvelope, what); err != nil {
			return nil, err
		}
		defs = tagsEnvelope
	}
	b, err := c.bind(what, a.pos, a.args, defs, []want{wantList, wantList})
	if err != nil {
		return nil, err
	}
	t := &headerTest{pos: a.pos, kind: a.name}
	if t.names, err = c.headerNames(b.pos[0]); err != nil {
		return nil, err
	}
	switch a.name {
	case "address":
		for _, n := range t.names {
			if n.konst && !addressHeaders[lowerASCII(n.s)] {
				return nil, n.pos.errorf("header %q does not contain addresses", n.s)
			}
		}
	case "envelope":
		for _, n := range t.names {
			if p := lowerASCII(n.s); n.konst && p != "from" && p != "to" {
				return nil, n.pos.errorf("unknown envelope part %q", n.s)
			}
		}
	}
	t.part = map[string]addressPart{"": partAll, "all": partAll, "localpart": partLocal,
		"domain": partDomain, "user": partUser, "detail": partDetail}[b.group("addrpart")]
	if t.index, err = c.index(b); err != nil {
		return nil, err
	}
	if t.m, err = c.matcher(b, b.pos[1]); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *headerTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	var values []string
	for _, nv := range t.names {
		name := lowerASCII(m.expand(f, nv))
		switch t.kind {
		case "header":
			if validHeaderName(name) {
				// RFC 5228 §5.7: leading and trailing white space is ignored.
				for _, v := range t.index.pick(m.env.HeaderValues(name)) {
					values = append(values, strings.TrimSpace(v))
				}
			}
		case "address":
			if !addressHeaders[name] {
				continue
			}
			// Addresses are parsed from the undecoded field, so that an
			// encoded display name cannot inject separators.
			for _, v := range t.index.pick(m.env.RawHeaderValues(name)) {
				values = t.appendParts(values, parseAddressList(v))
			}
		case "envelope":
			var addr string
			switch name {
			case "from":
				addr = m.env.EnvelopeFrom()
			case "to":
				addr = m.env.EnvelopeTo()
			default:
				continue
			}
			addr = strings.Trim(strings.TrimSpace(addr), "<>")
			if addr == "" {
				// RFC 5228 §5.4: the null reverse-path is matched as the
				// empty string, whatever the address part.
				values = append(values, "")
				continue
			}
			values = t.appendParts(values, parseAddressList(addr))
		}
	}
	return m.runMatch(f, t.m, values)
}

func (t *headerTest) appendParts(values []string, addrs []address) []string {
	for _, a := range addrs {
		if s, ok := t.part.of(a); ok {
			values = append(values, s)
		}
	}
	return values
}
