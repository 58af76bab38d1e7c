package sieve

import (
	"fmt"
	"sync"
)

// Script is a parsed and validated Sieve script, ready to Run any number of
// times concurrently without re-parsing.
type Script struct {
	name     string
	opt      Options
	cmds     []command
	requires map[string]bool

	mu       sync.Mutex
	includes map[includeKey]*Script // compiled included scripts, by source
}

type includeKey struct {
	name   string
	global bool
	sum    [32]byte // SHA-256 of the source
}

// Name returns the name the script was parsed with.
func (s *Script) Name() string { return s.name }

// Requires returns whether the script required the extension.
func (s *Script) Requires(ext string) bool { return s.requires[ext] }

// Parse lexes, parses and validates a script. Errors are *Error values with
// the line and column of the fault.
func Parse(name string, src []byte, opt Options) (*Script, error) {
	opt = opt.withDefaults()
	if len(src) > opt.MaxScriptSize {
		return nil, &Error{Line: 1, Column: 1, Msg: fmt.Sprintf("script is %d bytes, more than the limit of %d", len(src), opt.MaxScriptSize)}
	}
	ast, err := parseAST(src, opt.MaxNesting)
	if err != nil {
		return nil, err
	}
	c := &compiler{opt: opt, requires: map[string]bool{}}
	cmds, err := c.block(ast, true)
	if err != nil {
		return nil, err
	}
	return &Script{name: name, opt: opt, cmds: cmds, requires: c.requires, includes: map[includeKey]*Script{}}, nil
}

// compiler validates the syntax tree and builds the executable form.
type compiler struct {
	opt      Options
	requires map[string]bool
	started  bool // a command other than require was seen
}

func (c *compiler) has(ext string) bool { return c.requires[ext] }

// need fails unless ext was required (RFC 5228 §3.2: an extension must be
// required before it is used).
func (c *compiler) need(p Pos, ext, what string) error {
	if !c.requires[ext] {
		return p.errorf("%s requires extension %q (missing require)", what, ext)
	}
	return nil
}

// block compiles a command list, folding if/elsif/else chains.
func (c *compiler) block(cmds []*astCommand, top bool) ([]command, error) {
	var out []command
	for i := 0; i < len(cmds); i++ {
		a := cmds[i]
		switch a.name {
		case "require":
			if !top || c.started {
				return nil, a.pos.errorf("require must come before any other command")
			}
			if err := c.require(a); err != nil {
				return nil, err
			}
			continue
		case "elsif", "else":
			return nil, a.pos.errorf("%q without a preceding \"if\"", a.name)
		case "if":
			c.started = true
			n, used, err := c.ifChain(cmds[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, n)
			i += used - 1
			continue
		}
		c.started = true
		cmd, err := c.command(a)
		if err != nil {
			return nil, err
		}
		out = append(out, cmd)
	}
	return out, nil
}

// require = "require" <capabilities: string-list> (RFC 5228 §3.2)
func (c *compiler) require(a *astCommand) error {
	if err := noBlockNoTest(a); err != nil {
		return err
	}
	if len(a.args) != 1 || (a.args[0].kind != argString && a.args[0].kind != argList) {
		return a.pos.errorf("require expects one string list")
	}
	for i, ext := range a.args[0].strs {
		switch ext {
		case "comparator-i;octet", "comparator-i;ascii-casemap":
			c.requires[ext] = true // built in (RFC 5228 §2.7.3)
			continue
		}
		if !c.opt.enabled(ext) {
			return a.args[0].strPos(i).errorf("unsupported extension %q", ext)
		}
		c.requires[ext] = true
	}
	if c.requires[ExtVacationSeconds] {
		c.requires[ExtVacation] = true // RFC 6131 §2 implies vacation
	}
	return nil
}

func noBlockNoTest(a *astCommand) error {
	if a.hasBlock {
		return a.pos.errorf("%q does not take a block", a.name)
	}
	if len(a.tests) > 0 {
		return a.tests[0].pos.errorf("%q does not take a test", a.name)
	}
	return nil
}

// str compiles a string argument: encoded characters first (RFC 5228
// §2.4.2.4), then variable references (RFC 5229 §3).
func (c *compiler) str(p Pos, s string) (strValue, error) {
	if c.has(ExtEncodedCharacter) {
		d, err := decodeEncodedChars(p, s)
		if err != nil {
			return strValue{}, err
		}
		s = d
	}
	if c.has(ExtVariables) {
		return parseTemplate(p, s, c.has(ExtInclude))
	}
	return constStr(p, s), nil
}

func (c *compiler) strList(a astArg) ([]strValue, error) {
	out := make([]strValue, len(a.strs))
	for i, s := range a.strs {
		v, err := c.str(a.strPos(i), s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// constString compiles an argument that must not contain variables.
func (c *compiler) constString(a astArg, what string) (string, error) {
	v, err := c.str(a.pos, a.strs[0])
	if err != nil {
		return "", err
	}
	if !v.konst {
		return "", a.pos.errorf("%s must be a constant string", what)
	}
	return v.s, nil
}
