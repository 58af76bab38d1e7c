package sieve

// parser builds the syntax tree of RFC 5228 §8.2 from tokens.
type parser struct {
	lex      *lexer
	tok      token
	maxDepth int
}

func parseAST(src []byte, maxDepth int) ([]*astCommand, error) {
	p := &parser{lex: newLexer(src), maxDepth: maxDepth}
	if err := p.next(); err != nil {
		return nil, err
	}
	cmds, err := p.commands(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.tok.pos.errorf("unexpected %s", p.describe())
	}
	return cmds, nil
}

func (p *parser) next() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tokIdent:
		return "identifier \"" + p.tok.text + "\""
	case tokTag:
		return "tag \":" + p.tok.text + "\""
	}
	return p.tok.kind.String()
}

// commands = *command; stops at "}" or end of script.
func (p *parser) commands(depth int) ([]*astCommand, error) {
	var out []*astCommand
	for p.tok.kind == tokIdent {
		c, err := p.command(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if p.tok.kind != tokEOF && p.tok.kind != tokRBrace {
		return nil, p.tok.pos.errorf("expected command, found %s", p.describe())
	}
	return out, nil
}

// command = identifier arguments (";" / block)
func (p *parser) command(depth int) (*astCommand, error) {
	c := &astCommand{pos: p.tok.pos, name: p.tok.text}
	if err := p.next(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments(0)
	if err != nil {
		return nil, err
	}
	c.args, c.tests, c.list = args, tests, list
	switch p.tok.kind {
	case tokSemicolon:
		return c, p.next()
	case tokLBrace:
		if depth+1 > p.maxDepth {
			return nil, p.tok.pos.errorf("blocks nested deeper than %d", p.maxDepth)
		}
		open := p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		block, err := p.commands(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRBrace {
			return nil, open.errorf("unterminated block")
		}
		c.block, c.hasBlock = block, true
		return c, p.next()
	}
	return nil, p.tok.pos.errorf("expected \";\" or block after %q, found %s", c.name, p.describe())
}

// arguments = *argument [ test / test-list ]; depth is the test nesting
// level of the owner (0 for a command).
func (p *parser) arguments(depth int) (args []astArg, tests []*astTest, list bool, err error) {
	for {
		switch p.tok.kind {
		case tokString:
			args = append(args, astArg{kind: argString, pos: p.tok.pos, strs: []string{p.tok.text}, spos: []Pos{p.tok.pos}})
		case tokNumber:
			args = append(args, astArg{kind: argNumber, pos: p.tok.pos, num: p.tok.num})
		case tokTag:
			args = append(args, astArg{kind: argTag, pos: p.tok.pos, tag: p.tok.text})
		case tokLBracket:
			a, err := p.stringList()
			if err != nil {
				return nil, nil, false, err
			}
			args = append(args, a)
			continue
		case tokIdent:
			t, err := p.test(depth + 1)
			if err != nil {
				return nil, nil, false, err
			}
			return args, []*astTest{t}, false, nil
		case tokLParen:
			ts, err := p.testList(depth + 1)
			if err != nil {
				return nil, nil, false, err
			}
			return args, ts, true, nil
		default:
			return args, nil, false, nil
		}
		if err := p.next(); err != nil {
			return nil, nil, false, err
		}
	}
}

// string-list = "[" string *("," string) "]"
func (p *parser) stringList() (astArg, error) {
	a := astArg{kind: argList, pos: p.tok.pos}
	for {
		if err := p.next(); err != nil {
			return a, err
		}
		if p.tok.kind != tokString {
			return a, p.tok.pos.errorf("expected string in string list, found %s", p.describe())
		}
		a.strs = append(a.strs, p.tok.text)
		a.spos = append(a.spos, p.tok.pos)
		if err := p.next(); err != nil {
			return a, err
		}
		switch p.tok.kind {
		case tokComma:
			continue
		case tokRBracket:
			return a, p.next()
		}
		return a, p.tok.pos.errorf("expected \",\" or \"]\" in string list, found %s", p.describe())
	}
}

// test = identifier arguments
func (p *parser) test(depth int) (*astTest, error) {
	if depth > p.maxDepth {
		return nil, p.tok.pos.errorf("tests nested deeper than %d", p.maxDepth)
	}
	t := &astTest{pos: p.tok.pos, name: p.tok.text}
	if err := p.next(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments(depth)
	if err != nil {
		return nil, err
	}
	t.args, t.tests, t.list = args, tests, list
	return t, nil
}

// test-list = "(" test *("," test) ")"
func (p *parser) testList(depth int) ([]*astTest, error) {
	if depth > p.maxDepth {
		return nil, p.tok.pos.errorf("tests nested deeper than %d", p.maxDepth)
	}
	var out []*astTest
	for {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind != tokIdent {
			return nil, p.tok.pos.errorf("expected test, found %s", p.describe())
		}
		t, err := p.test(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		switch p.tok.kind {
		case tokComma:
			continue
		case tokRParen:
			return out, p.next()
		}
		return nil, p.tok.pos.errorf("expected \",\" or \")\" in test list, found %s", p.describe())
	}
}
