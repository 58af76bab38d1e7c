package sieve

import (
	"crypto/sha256"
	"errors"
	"strings"
)

// includeNode is include [:personal/:global] [:once] [:optional] <name>
// (RFC 6609 §3.2).
type includeNode struct {
	pos      Pos
	name     string
	global   bool
	once     bool
	optional bool
}

func (c *compiler) include(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtInclude, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, []tagDef{
		{name: "personal", group: "location"}, {name: "global", group: "location"},
		{name: "once"}, {name: "optional"},
	}, []want{wantString})
	if err != nil {
		return nil, err
	}
	// RFC 6609 §3.2: the script name is a constant, without "/".
	name, err := c.constString(b.pos[0], "include script name")
	if err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, "/\x00") {
		return nil, b.pos[0].pos.errorf("invalid script name %q", name)
	}
	return &includeNode{pos: a.pos, name: name, global: b.has("global"), once: b.has("once"), optional: b.has("optional")}, nil
}

func (n *includeNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	key := ":personal:" + n.name
	if n.global {
		key = ":global:" + n.name
	}
	if n.once && m.included[key] {
		return ctrlNext, nil
	}
	for _, r := range m.running {
		if r == key {
			return ctrlNext, m.fail(f, n.pos, nil, "script %q includes itself", n.name)
		}
	}
	if len(m.running) > m.opt.MaxIncludeDepth {
		return ctrlNext, m.fail(f, n.pos, nil, "includes nested deeper than %d", m.opt.MaxIncludeDepth)
	}
	src, err := m.env.Include(n.name, n.global)
	if err != nil {
		if n.optional && errors.Is(err, ErrScriptNotFound) {
			return ctrlNext, nil
		}
		return ctrlNext, m.fail(f, n.pos, err, "cannot include %q", n.name)
	}
	sc, err := m.root.compileInclude(n.name, n.global, src)
	if err != nil {
		return ctrlNext, m.fail(f, n.pos, err, "included script %q is invalid", n.name)
	}
	m.included[key] = true
	child := &frame{script: sc, vars: map[string]string{}, globals: map[string]bool{}}
	m.running = append(m.running, key)
	r, err := m.block(child, sc.cmds)
	m.running = m.running[:len(m.running)-1]
	if err != nil || r == ctrlStop {
		return r, err
	}
	return ctrlNext, nil
}

// compileInclude parses an included script once per distinct source and
// keeps it with the including script, so later runs do not re-parse it.
func (s *Script) compileInclude(name string, global bool, src []byte) (*Script, error) {
	k := includeKey{name: name, global: global, sum: sha256.Sum256(src)}
	s.mu.Lock()
	sc, ok := s.includes[k]
	s.mu.Unlock()
	if ok {
		return sc, nil
	}
	sc, err := Parse(name, src, s.opt)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.includes) >= 64 {
		clear(s.includes) // bound the cache; sources changed many times
	}
	s.includes[k] = sc
	s.mu.Unlock()
	return sc, nil
}
