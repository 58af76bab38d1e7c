package sieve

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// ifNode is an if/elsif/else chain (RFC 5228 §3.1).
type ifNode struct {
	pos    Pos
	conds  []test
	blocks [][]command
	els    []command
}

func (n *ifNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	for i, t := range n.conds {
		ok, err := t.eval(m, f)
		if err != nil {
			return ctrlNext, err
		}
		if ok {
			return m.block(f, n.blocks[i])
		}
	}
	return m.block(f, n.els)
}

// ifChain compiles "if" and the elsif/else commands following it; used is
// the number of syntax nodes consumed.
func (c *compiler) ifChain(cmds []*astCommand) (*ifNode, int, error) {
	n := &ifNode{pos: cmds[0].pos}
	used := 0
	for used < len(cmds) {
		a := cmds[used]
		if used > 0 && a.name != "elsif" && a.name != "else" {
			break
		}
		if !a.hasBlock {
			return nil, 0, a.pos.errorf("%q needs a block", a.name)
		}
		if len(a.args) > 0 {
			return nil, 0, a.args[0].pos.errorf("%q takes no arguments", a.name)
		}
		body, err := c.block(a.block, false)
		if err != nil {
			return nil, 0, err
		}
		used++
		if a.name == "else" {
			if len(a.tests) > 0 {
				return nil, 0, a.tests[0].pos.errorf("\"else\" takes no test")
			}
			n.els = body
			break
		}
		if len(a.tests) != 1 || a.list {
			return nil, 0, a.pos.errorf("%q needs exactly one test", a.name)
		}
		t, err := c.test(a.tests[0])
		if err != nil {
			return nil, 0, err
		}
		n.conds = append(n.conds, t)
		n.blocks = append(n.blocks, body)
	}
	return n, used, nil
}

// simple is a command without arguments: stop, discard, return.
type simple struct {
	pos  Pos
	name string
}

func (n *simple) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	switch n.name {
	case "stop":
		return ctrlStop, nil
	case "return":
		return ctrlReturn, nil
	}
	// discard (RFC 5228 §4.4) cancels the implicit keep.
	m.keep = false
	return ctrlNext, m.addAction(f, n.pos, Discard{})
}

// command compiles any command other than require and if/elsif/else.
func (c *compiler) command(a *astCommand) (command, error) {
	if a.hasBlock {
		return nil, a.pos.errorf("%q does not take a block", a.name)
	}
	if len(a.tests) > 0 {
		return nil, a.tests[0].pos.errorf("%q does not take a test", a.name)
	}
	what := fmt.Sprintf("command %q", a.name)
	switch a.name {
	case "stop", "discard":
		if _, err := c.bind(what, a.pos, a.args, nil, []want{}); err != nil {
			return nil, err
		}
		return &simple{pos: a.pos, name: a.name}, nil
	case "return":
		if err := c.need(a.pos, ExtInclude, what); err != nil {
			return nil, err
		}
		if _, err := c.bind(what, a.pos, a.args, nil, []want{}); err != nil {
			return nil, err
		}
		return &simple{pos: a.pos, name: a.name}, nil
	case "keep":
		return c.keep(a, what)
	case "fileinto":
		return c.fileinto(a, what)
	case "redirect":
		return c.redirect(a, what)
	case "reject", "ereject":
		return c.reject(a, what)
	case "vacation":
		return c.vacation(a, what)
	case "setflag", "addflag", "removeflag":
		return c.flagCmd(a, what)
	case "set":
		return c.set(a, what)
	case "include":
		return c.include(a, what)
	case "global":
		return c.global(a, what)
	case "notify":
		return c.notify(a, what)
	}
	return nil, a.pos.errorf("unknown command %q", a.name)
}

var tagFlags = tagDef{name: "flags", ext: ExtImap4flags, want: wantList}

// actionNode is keep or fileinto (RFC 5228 §4.1, §4.3; RFC 5232 §5;
// RFC 3894; RFC 5490 §3.2).
type actionNode struct {
	pos      Pos
	fileinto bool
	mailbox  strValue
	flags    []strValue
	hasFlags bool
	copy     bool
	create   bool
}

func (c *compiler) keep(a *astCommand, what string) (command, error) {
	b, err := c.bind(what, a.pos, a.args, []tagDef{tagFlags}, []want{})
	if err != nil {
		return nil, err
	}
	n := &actionNode{pos: a.pos}
	return n, c.actionFlags(b, n)
}

func (c *compiler) actionFlags(b *bound, n *actionNode) error {
	if fa, ok := b.tag("flags"); ok {
		fl, err := c.strList(fa)
		if err != nil {
			return err
		}
		n.flags, n.hasFlags = fl, true
	}
	return nil
}

func (c *compiler) fileinto(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtFileinto, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, []tagDef{tagFlags,
		{name: "copy", ext: ExtCopy}, {name: "create", ext: ExtMailbox}}, []want{wantString})
	if err != nil {
		return nil, err
	}
	mb, err := c.str(b.pos[0].pos, b.pos[0].strs[0])
	if err != nil {
		return nil, err
	}
	if mb.konst && !validMailbox(mb.s) {
		return nil, b.pos[0].pos.errorf("invalid mailbox name %q", mb.s)
	}
	n := &actionNode{pos: a.pos, fileinto: true, mailbox: mb, copy: b.has("copy"), create: b.has("create")}
	return n, c.actionFlags(b, n)
}

func (n *actionNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	flags := m.flags
	if n.hasFlags {
		flags = splitFlags(m.expandList(f, n.flags))
	}
	flags = append([]string(nil), flags...)
	if !n.fileinto {
		m.keep = false
		for _, a := range m.actions {
			if _, dup := a.(Keep); dup {
				return ctrlNext, nil // RFC 5228 §2.10.3: keep once
			}
		}
		return ctrlNext, m.addAction(f, n.pos, Keep{Flags: flags})
	}
	mb := m.expand(f, n.mailbox)
	if !validMailbox(mb) {
		return ctrlNext, m.fail(f, n.pos, nil, "invalid mailbox name %q", mb)
	}
	if !n.copy {
		m.keep = false
	}
	for i, a := range m.actions {
		if fi, ok := a.(FileInto); ok && fi.Mailbox == mb {
			// RFC 5228 §2.10.3: filing twice into one mailbox files once;
			// a later non-:copy fileinto still makes it a move.
			fi.Copy = fi.Copy && n.copy
			fi.Create = fi.Create || n.create
			m.actions[i] = fi
			return ctrlNext, nil
		}
	}
	return ctrlNext, m.addAction(f, n.pos, FileInto{Mailbox: mb, Flags: flags, Copy: n.copy, Create: n.create})
}

// validMailbox rejects names no mailstore can hold: empty, not UTF-8, or
// with control characters (RFC 5228 §4.1 lets implementations refuse
// invalid names).
func validMailbox(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// redirectNode is redirect [:copy] address (RFC 5228 §4.2, RFC 3894).
type redirectNode struct {
	pos  Pos
	addr strValue
	copy bool
}

// redirectAddress checks a sieve-address (RFC 5228 §2.4.2.3: addr-spec or
// phrase "<" addr-spec ">", no groups or routes) and returns the addr-spec.
func redirectAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") || strings.Contains(s, ":") {
		return "", false
	}
	return a.Address, true
}

func (c *compiler) redirect(a *astCommand, what string) (command, error) {
	b, err := c.bind(what, a.pos, a.args, []tagDef{{name: "copy", ext: ExtCopy}}, []want{wantString})
	if err != nil {
		return nil, err
	}
	addr, err := c.str(b.pos[0].pos, b.pos[0].strs[0])
	if err != nil {
		return nil, err
	}
	if _, ok := redirectAddress(addr.s); addr.konst && !ok {
		return nil, b.pos[0].pos.errorf("invalid redirect address %q", addr.s)
	}
	return &redirectNode{pos: a.pos, addr: addr, copy: b.has("copy")}, nil
}

func (n *redirectNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	raw := m.expand(f, n.addr)
	addr, ok := redirectAddress(raw)
	if !ok {
		return ctrlNext, m.fail(f, n.pos, nil, "invalid redirect address %q", raw)
	}
	if !n.copy {
		m.keep = false
	}
	for i, a := range m.actions {
		if r, ok := a.(Redirect); ok && strings.EqualFold(r.Address, addr) {
			r.Copy = r.Copy && n.copy // RFC 5228 §4.2: never send twice
			m.actions[i] = r
			return ctrlNext, nil
		}
	}
	m.redirects++
	if m.redirects > m.opt.MaxRedirects {
		return ctrlNext, m.fail(f, n.pos, nil, "script exceeded the limit of %d redirects", m.opt.MaxRedirects)
	}
	return ctrlNext, m.addAction(f, n.pos, Redirect{Address: addr, Copy: n.copy})
}

// rejectNode is reject/ereject (RFC 5429 §2).
type rejectNode struct {
	pos      Pos
	reason   strValue
	extended bool
}

func (c *compiler) reject(a *astCommand, what string) (command, error) {
	ext := ExtReject
	if a.name == "ereject" {
		ext = ExtEreject
	}
	if err := c.need(a.pos, ext, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, nil, []want{wantString})
	if err != nil {
		return nil, err
	}
	r, err := c.str(b.pos[0].pos, b.pos[0].strs[0])
	if err != nil {
		return nil, err
	}
	return &rejectNode{pos: a.pos, reason: r, extended: a.name == "ereject"}, nil
}

func (n *rejectNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	// RFC 5429 §2.4: at most one reject/ereject, and neither together with
	// vacation.
	if m.rejected {
		return ctrlNext, m.fail(f, n.pos, nil, "more than one reject")
	}
	if m.vacation {
		return ctrlNext, m.fail(f, n.pos, nil, "reject cannot be combined with vacation")
	}
	m.rejected = true
	m.keep = false
	return ctrlNext, m.addAction(f, n.pos, Reject{Reason: m.expand(f, n.reason), Extended: n.extended})
}
