package sieve

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ctrl tells the command loop how to continue.
type ctrl int

const (
	ctrlNext   ctrl = iota
	ctrlStop        // stop (RFC 5228 §3.3)
	ctrlReturn      // return (RFC 6609 §3.3)
)

// command is a compiled command; test a compiled test.
type command interface {
	exec(m *machine, f *frame) (ctrl, error)
}

type test interface {
	eval(m *machine, f *frame) (bool, error)
}

// frame is one executing script: the top-level one or an included one,
// each with its own variables (RFC 6609 §3.4).
type frame struct {
	script  *Script
	vars    map[string]string
	globals map[string]bool // names declared with "global"
}

// machine is the state of one run.
type machine struct {
	ctx       context.Context
	env       Env
	opt       Options
	root      *Script
	steps     int
	redirects int
	actions   []Action
	keep      bool // implicit keep still in force
	flags     []string
	globalVar map[string]string
	matchVars []string
	included  map[string]bool // scripts already included, for :once
	running   []string        // include stack, for recursion detection
	vacation  bool
	rejected  bool
	dups      []DuplicateID
}

// fail builds the runtime error for a command or test at p.
func (m *machine) fail(f *frame, p Pos, err error, format string, args ...any) error {
	return &RuntimeError{Script: f.script.name, Pos: p, Msg: fmt.Sprintf(format, args...), Err: err}
}

// step counts one command or test against MaxSteps and notices a
// cancelled context.
func (m *machine) step(f *frame, p Pos) error {
	m.steps++
	if m.steps > m.opt.MaxSteps {
		return m.fail(f, p, nil, "script exceeded the limit of %d steps", m.opt.MaxSteps)
	}
	if m.steps&255 == 0 {
		if err := m.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Run executes the compiled script against one message. Runtime errors are
// reported in Result.Errors (the message is then kept, RFC 5228 §2.10.6);
// the returned error is non-nil only when ctx ends the run.
func (s *Script) Run(ctx context.Context, env Env) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sieve run %s: %w", s.name, err)
	}
	m := &machine{ctx: ctx, env: env, opt: s.opt, root: s, keep: true,
		globalVar: map[string]string{}, included: map[string]bool{}}
	f := &frame{script: s, vars: map[string]string{}, globals: map[string]bool{}}
	m.running = append(m.running, ":personal:"+s.name)
	_, err := m.block(f, s.cmds)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, fmt.Errorf("sieve run %s: %w", s.name, err)
		}
		return &Result{ImplicitKeep: true, Errors: []error{err}}, nil
	}
	res := &Result{ImplicitKeep: m.keep, Actions: m.actions, Duplicates: m.dups}
	if m.keep {
		res.ImplicitKeepFlags = append([]string(nil), m.flags...)
	}
	return res, nil
}

// block runs commands in order until one stops or returns.
func (m *machine) block(f *frame, cmds []command) (ctrl, error) {
	for _, c := range cmds {
		r, err := c.exec(m, f)
		if err != nil || r != ctrlNext {
			return r, err
		}
	}
	return ctrlNext, nil
}

// expand substitutes variables in a compiled string (RFC 5229 §3). The
// substituted text is capped at MaxVariableSize bytes beyond the
// template's own literal text, so that many references to one large
// variable cannot blow up memory (RFC 5229 §3 allows truncation).
func (m *machine) expand(f *frame, v strValue) string {
	if v.konst {
		return v.s
	}
	limit := v.litLen + m.opt.MaxVariableSize
	var b strings.Builder
	for _, p := range v.parts {
		var s string
		switch {
		case !p.isVar:
			s = p.lit
		case p.match >= 0:
			if p.match < len(m.matchVars) {
				s = m.matchVars[p.match]
			}
		default:
			s = m.getVar(f, p.name, p.global)
		}
		if b.Len()+len(s) > limit {
			b.WriteString(truncateUTF8(s, limit-b.Len()))
			break
		}
		b.WriteString(s)
	}
	return b.String()
}

func (m *machine) expandList(f *frame, vs []strValue) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = m.expand(f, v)
	}
	return out
}

func (m *machine) getVar(f *frame, name string, global bool) string {
	if global || f.globals[name] {
		return m.globalVar[name]
	}
	return f.vars[name]
}

func (m *machine) setVar(f *frame, name string, global bool, value string) {
	value = truncateUTF8(value, m.opt.MaxVariableSize)
	if global || f.globals[name] {
		m.globalVar[name] = value
		return
	}
	f.vars[name] = value
}

// addAction appends an action, enforcing MaxActions.
func (m *machine) addAction(f *frame, p Pos, a Action) error {
	if len(m.actions) >= m.opt.MaxActions {
		return m.fail(f, p, nil, "script exceeded the limit of %d actions", m.opt.MaxActions)
	}
	m.actions = append(m.actions, a)
	return nil
}

// runMatch evaluates a matcher against values: true when any value matches
// any key (RFC 5228 §2.7.1). On success of :matches or :regex the match
// variables are replaced (RFC 5229 §3.2).
func (m *machine) runMatch(f *frame, mt *matcher, values []string) (bool, error) {
	if mt.mt == mCount {
		n := len(values)
		for _, k := range mt.keys {
			if mt.countMatches(n, m.expand(f, k)) {
				return true, nil
			}
		}
		return false, nil
	}
	for i, k := range mt.keys {
		key := m.expand(f, k)
		var re *regexp.Regexp
		if mt.re != nil {
			re = mt.re[i]
		}
		if mt.mt == mRegex && re == nil && len(key) > m.opt.MaxRegexLen {
			return false, m.fail(f, k.pos, nil, "regular expression longer than %d bytes", m.opt.MaxRegexLen)
		}
		keys := []string{key}
		if mt.splitKeys {
			keys = strings.Fields(key)
		}
		for _, key := range keys {
			for _, v := range values {
				ok, vars, err := mt.matchValue(v, key, re)
				if err != nil {
					return false, m.fail(f, k.pos, err, "invalid regular expression %q", key)
				}
				if ok {
					if vars != nil {
						m.matchVars = vars
					}
					return true, nil
				}
			}
		}
	}
	return false, nil
}
