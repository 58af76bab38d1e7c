package imaptest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Script format: docs/scripted_test.md of dovecot/imaptest.

// StartState is the state a test starts in ("state:" header).
type StartState int

// Start states; each includes the setup of the ones before it.
const (
	StateNonAuth  StartState = iota // not logged in
	StateAuth                       // logged in, test mailboxes deleted
	StateCreated                    // $mailbox created
	StateAppended                   // messages appended
	StateSelected                   // $mailbox selected (default)
)

var stateNames = map[string]StartState{
	"nonauth": StateNonAuth, "auth": StateAuth, "created": StateCreated,
	"appended": StateAppended, "selected": StateSelected,
}

// AllMessages is Test.Messages for "messages: all".
const AllMessages = -1

// Existence says how an untagged line is expected.
type Existence int

// Existence of an untagged reply: "*" must, "!" must not, "?" may exist.
const (
	MustExist Existence = iota
	MustNotExist
	MayExist
)

// Untagged is one expected untagged reply line.
type Untagged struct {
	Args      []Arg
	Existence Existence
	Line      int
}

// Command is one command of a group and its expected tagged reply.
type Command struct {
	Text  string // command text, variables unexpanded, literals inline
	Tag   int    // explicit "tagN" (0: none)
	Reply []Arg  // expected tagged reply; [""] accepts any
	Line  int
}

// Group is a set of commands sent together on one connection and the
// untagged replies expected while they run.
type Group struct {
	Conn      int // 0-based connection index
	Commands  []*Command
	Untagged  []Untagged
	Ordered   bool     // "!ordered": untagged replies in the listed order
	SleepMS   int      // "!sleep"
	Output    []string // "!output" lines
	HasBye    bool     // a "* bye" is expected
	pending   int      // commands still without a reply (parsing)
	IsBanner  bool     // no command: match the greeting
	FirstLine int
}

// Test is one parsed script.
type Test struct {
	Name                string
	Path                string
	MboxPath            string
	Capabilities        []string
	Connections         int
	Messages            int // 0 default, AllMessages for "all"
	State               StartState
	IgnoreExtraUntagged bool
	ConnUsers           map[int]string // "user N:" header (1-based)
	RequireUser2        bool
	Groups              []*Group
}

// ParseError locates a script error.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.Path, e.Line, e.Msg)
}

// LoadTests reads one test file, or every test of a directory (sorted by
// name, skipping *.mbox and dot files). lookupEnv decides !ifenv blocks.
func LoadTests(path string, lookupEnv func(string) (string, bool)) ([]*Test, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load tests: %w", err)
	}
	var files []string
	dir := filepath.Dir(path)
	if st.IsDir() {
		dir = path
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("load tests: %w", err)
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".mbox") {
				continue
			}
			files = append(files, filepath.Join(path, n))
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	defaultMbox := filepath.Join(dir, "default.mbox")
	var tests []*Test
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load tests: %w", err)
		}
		t, err := ParseTest(filepath.Base(f), f, data, lookupEnv)
		if err != nil {
			return nil, err
		}
		t.MboxPath = defaultMbox
		if _, err := os.Stat(f + ".mbox"); err == nil {
			t.MboxPath = f + ".mbox"
		}
		tests = append(tests, t)
	}
	return tests, nil
}

type scriptParser struct {
	t       *Test
	path    string
	env     func(string) (string, bool)
	group   *Group
	skip    bool
	ifstack []ifenvFrame
}

type ifenvFrame struct {
	line     int
	elseSeen bool
	skip     bool // parser.skip before this block
}

// ParseTest parses one script. name is the test name, path is used in
// error messages.
func ParseTest(name, path string, data []byte, lookupEnv func(string) (string, bool)) (*Test, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	t := &Test{
		Name: name, Path: path, Connections: 1, State: StateSelected,
		IgnoreExtraUntagged: true, ConnUsers: map[int]string{},
	}
	p := &scriptParser{t: t, path: path, env: lookupEnv}
	if err := p.parse(data); err != nil {
		return nil, err
	}
	p.addLogout()
	return t, nil
}

func (p *scriptParser) fail(line int, format string, a ...any) error {
	return &ParseError{Path: p.path, Line: line, Msg: fmt.Sprintf(format, a...)}
}

// parse walks the lines, joining "{{{" ... "}}}" multi-line literals.
func (p *scriptParser) parse(data []byte) error {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return p.fail(bytes.Count(data, []byte("\n"))+1, "last line doesn't end with LF")
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	header := true
	for i := 0; i < len(lines); i++ {
		raw := lines[i]
		if len(raw) == 0 {
			continue
		}
		lineNo := i + 1
		line := strings.TrimSuffix(string(raw), "\n")
		if line == "" {
			header = false
			continue
		}
		if line[0] == '#' {
			continue
		}
		if strings.HasSuffix(line, "{{{") {
			joined, next, err := p.joinMultiline(lines, i)
			if err != nil {
				return err
			}
			line, i = joined, next
		}
		var err error
		if header {
			err = p.headerLine(lineNo, line)
		} else {
			err = p.commandLine(lineNo, line)
		}
		if err != nil {
			return err
		}
	}
	if len(p.ifstack) > 0 {
		return p.fail(p.ifstack[0].line, "!ifenv not closed with !endif")
	}
	if p.group == nil {
		return p.fail(len(lines), "no commands in file")
	}
	if p.group.pending > 0 {
		return p.fail(len(lines), "missing reply for the command at line %d", p.group.FirstLine)
	}
	return nil
}

// joinMultiline turns lines[start] ending in "{{{" (or "~{{{" for a
// literal8) and the lines up to "}}}" into "{n}\r\n" and the data with
// CRLF line ends (a literal8 keeps the file's LF ends); the
// final line break before "}}}" is not part of the literal. Text after
// "}}}" continues the line and may open another "{{{".
func (p *scriptParser) joinMultiline(lines [][]byte, start int) (string, int, error) {
	var out strings.Builder
	cur := strings.TrimSuffix(string(lines[start]), "\n")
	i := start
	for {
		binary := strings.HasSuffix(cur, "~{{{")
		prefix := strings.TrimSuffix(cur, "{{{")
		if binary {
			prefix = strings.TrimSuffix(prefix, "~")
		}
		out.WriteString(prefix)
		var lit strings.Builder
		lastEnd := 0
		closed := false
		for i++; i < len(lines); i++ {
			l := string(lines[i])
			if strings.HasPrefix(l, "}}}") {
				cur = strings.TrimSuffix(l[3:], "\n")
				closed = true
				break
			}
			// The line is kept byte for byte (a CR before the LF stays);
			// it ends in CRLF, or in a literal8 in LF, so a literal8
			// holds exactly the file's bytes ("x^M" then "}}}" is "x\r").
			lit.WriteString(strings.TrimSuffix(l, "\n"))
			lastEnd = lit.Len()
			if binary {
				lit.WriteString("\n")
			} else {
				lit.WriteString("\r\n")
			}
		}
		if !closed {
			return "", i, p.fail(start+1, "multiline literal not ended with }}}")
		}
		data := lit.String()[:lastEnd]
		if binary {
			out.WriteByte('~')
		}
		fmt.Fprintf(&out, "{%d}\r\n%s", len(data), data)
		if !strings.HasSuffix(cur, "{{{") {
			out.WriteString(cur)
			return out.String(), i, nil
		}
	}
}

func (p *scriptParser) headerLine(lineNo int, line string) error {
	key, value, ok := strings.Cut(line, ":")
	if !ok {
		return p.fail(lineNo, "missing ':' in header")
	}
	key = strings.ToLower(strings.TrimRight(key, " "))
	value = strings.TrimLeft(value, " ")
	t := p.t
	switch {
	case key == "capabilities":
		t.Capabilities = strings.Fields(value)
	case key == "connections":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 100 {
			return p.fail(lineNo, "bad connections value %q", value)
		}
		t.Connections = n
	case key == "ignore_extra_untagged":
		t.IgnoreExtraUntagged = strings.HasPrefix(value, "y")
	case key == "messages":
		if value == "all" {
			t.Messages = AllMessages
		} else {
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return p.fail(lineNo, "bad messages value %q", value)
			}
			t.Messages = n
		}
	case key == "state":
		s, ok := stateNames[strings.ToLower(value)]
		if !ok {
			return p.fail(lineNo, "unknown state value %q", value)
		}
		t.State = s
	case strings.HasPrefix(key, "user "):
		n, err := strconv.Atoi(key[5:])
		if err != nil || n < 1 || n > 100 {
			return p.fail(lineNo, "bad user index in %q", key)
		}
		if value == "$user2" || value == "${user2}" {
			t.RequireUser2 = true
		}
		t.ConnUsers[n] = value
	default:
		return p.fail(lineNo, "unknown setting %q", key)
	}
	return nil
}

func (p *scriptParser) preprocess(lineNo int, line string) (handled bool, err error) {
	if env, ok := strings.CutPrefix(line, "!ifenv "); ok {
		_, have := p.env(env)
		p.ifstack = append(p.ifstack, ifenvFrame{line: lineNo, skip: p.skip})
		if !have {
			p.skip = true
		}
		return true, nil
	}
	if env, ok := strings.CutPrefix(line, "!ifnenv "); ok {
		_, have := p.env(env)
		p.ifstack = append(p.ifstack, ifenvFrame{line: lineNo, skip: p.skip})
		if have {
			p.skip = true
		}
		return true, nil
	}
	switch line {
	case "!else":
		if len(p.ifstack) == 0 {
			return true, p.fail(lineNo, "!else without !ifenv")
		}
		top := &p.ifstack[len(p.ifstack)-1]
		if top.elseSeen {
			return true, p.fail(lineNo, "!else already seen")
		}
		top.elseSeen = true
		if !top.skip {
			p.skip = !p.skip
		}
		return true, nil
	case "!endif":
		if len(p.ifstack) == 0 {
			return true, p.fail(lineNo, "!endif without !ifenv")
		}
		p.skip = p.ifstack[len(p.ifstack)-1].skip
		p.ifstack = p.ifstack[:len(p.ifstack)-1]
		return true, nil
	}
	return false, nil
}

func untaggedPrefix(line string) (Existence, bool) {
	switch {
	case strings.HasPrefix(line, "* "):
		return MustExist, true
	case strings.HasPrefix(line, "! "):
		return MustNotExist, true
	case strings.HasPrefix(line, "? "):
		return MayExist, true
	}
	return 0, false
}

// replyWord parses an optional "tagN" and an ok/no/bad/"" status word at
// the start of line. It returns the expected reply (nil if none), the tag
// number and the rest of the line.
func replyWord(line string) (reply []Arg, tag int, rest string) {
	rest = line
	word, after, _ := strings.Cut(rest, " ")
	if len(word) > 3 && strings.EqualFold(word[:3], "tag") {
		if n, err := strconv.Atoi(word[3:]); err == nil && n > 0 {
			tag, rest = n, after
			word, after, _ = strings.Cut(rest, " ")
		}
	}
	switch {
	case strings.EqualFold(word, "ok"), strings.EqualFold(word, "no"), strings.EqualFold(word, "bad"):
		return []Arg{{Kind: ArgAtom, Str: strings.ToLower(word)}}, tag, after
	case word == `""`:
		return []Arg{{Kind: ArgAtom, Str: ""}}, tag, after
	}
	return nil, tag, rest
}

func (p *scriptParser) commandLine(lineNo int, line string) error {
	if handled, err := p.preprocess(lineNo, line); handled || err != nil {
		return err
	}
	if p.skip {
		return nil
	}
	t := p.t
	g := p.group
	if g != nil {
		if v, ok := strings.CutPrefix(line, "!sleep "); ok {
			ms, err := parseInterval(v)
			if err != nil {
				return p.fail(lineNo, "invalid !sleep value %q: %v", v, err)
			}
			g.SleepMS = ms
			return nil
		}
		if v, ok := strings.CutPrefix(line, "!output "); ok {
			g.Output = append(g.Output, v)
			return nil
		}
		if line == "!ordered" {
			g.Ordered = true
			return nil
		}
		if ex, ok := untaggedPrefix(line); ok {
			return p.untagged(lineNo, line[2:], ex)
		}
		if g.pending > 0 {
			if done, err := p.tryFinish(lineNo, line); done || err != nil {
				return err
			}
		}
	}
	if g == nil || g.pending == 0 {
		g = &Group{FirstLine: lineNo}
		p.group = g
		t.Groups = append(t.Groups, g)
	}
	cmd := &Command{Line: lineNo}
	if t.Connections > 1 {
		word, rest, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(word)
		if err != nil || n < 1 {
			return p.fail(lineNo, "missing connection number")
		}
		if n > 100 {
			return p.fail(lineNo, "too many connections")
		}
		if len(g.Commands) > 0 && g.Conn != n-1 {
			return p.fail(lineNo, "all pipelined commands must use the same connection")
		}
		g.Conn = n - 1
		if n > t.Connections {
			t.Connections = n
		}
		line = rest
	}
	cmd.Reply, cmd.Tag, line = replyWord(line)
	if cmd.Tag == 0 {
		if g.pending > 0 {
			return p.fail(lineNo, "missing reply from previous command group")
		}
	} else {
		for _, c := range g.Commands {
			if c.Tag == cmd.Tag {
				return p.fail(lineNo, "tag reused within command group")
			}
		}
	}
	if len(g.Commands) == 0 {
		if ex, ok := untaggedPrefix(line); ok {
			g.IsBanner = true
			return p.untagged(lineNo, line[2:], ex)
		}
	}
	if cmd.Reply == nil {
		g.pending++
	}
	cmd.Text = line
	g.Commands = append(g.Commands, cmd)
	return nil
}

// tryFinish handles a line that may be the tagged reply of a pending
// command (method 2 and 3).
func (p *scriptParser) tryFinish(lineNo int, line string) (bool, error) {
	t, g := p.t, p.group
	noConn := line
	connIdx := 0
	if t.Connections > 1 {
		word, rest, _ := strings.Cut(line, " ")
		if n, err := strconv.Atoi(word); err == nil && n > 0 {
			connIdx, noConn = n, rest
		}
	}
	reply, tag, _ := replyWord(noConn)
	if reply == nil {
		return false, nil
	}
	// Older scripts omit the connection number on a method 2 reply line;
	// the reply then belongs to the group's connection.
	if t.Connections > 1 && connIdx != 0 {
		if connIdx-1 != g.Conn {
			return true, p.fail(lineNo, "reply for wrong connection")
		}
	}
	var cmd *Command
	for _, c := range g.Commands {
		if c.Tag == tag {
			cmd = c
			break
		}
	}
	if cmd == nil {
		return true, p.fail(lineNo, "reply for unknown tag")
	}
	if cmd.Reply != nil {
		return true, p.fail(lineNo, "command already has a reply")
	}
	args, err := ParseArgs([]byte(noConn))
	if err != nil {
		return true, p.fail(lineNo, "%v", err)
	}
	if tag != 0 {
		args = args[1:]
	}
	if len(args) > 0 && args[0].Kind == ArgString && args[0].Str == "" {
		args[0] = Arg{Kind: ArgAtom, Str: ""}
	}
	cmd.Reply = args
	g.pending--
	return true, nil
}

func (p *scriptParser) untagged(lineNo int, line string, ex Existence) error {
	args, err := ParseArgs([]byte(line))
	if err != nil {
		return p.fail(lineNo, "%v", err)
	}
	if err := applyDefaultDirectives(args); err != nil {
		return p.fail(lineNo, "%v", err)
	}
	if name := replyName(args); strings.EqualFold(name, "bye") {
		switch ex {
		case MustExist:
			p.group.HasBye = true
		case MayExist:
			return p.fail(lineNo, "? BYE not supported")
		}
	}
	p.group.Untagged = append(p.group.Untagged, Untagged{Args: args, Existence: ex, Line: lineNo})
	return nil
}

// addLogout appends "ok logout" on the first connection unless the script
// logs out itself.
func (p *scriptParser) addLogout() {
	for _, g := range p.t.Groups {
		if g.HasBye {
			return
		}
		for _, c := range g.Commands {
			if strings.EqualFold(c.Text, "logout") {
				return
			}
		}
	}
	p.t.Groups = append(p.t.Groups, &Group{
		Commands: []*Command{{Text: "logout", Reply: []Arg{{Kind: ArgAtom, Str: "ok"}}}},
	})
}

// parseInterval reads "100", "100ms", "2s" or "2 secs" as milliseconds.
func parseInterval(s string) (int, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	switch strings.TrimSpace(s[i:]) {
	case "", "ms", "msec", "msecs", "milliseconds":
		return n, nil
	case "s", "sec", "secs", "seconds":
		return n * 1000, nil
	case "m", "min", "mins", "minutes":
		return n * 60000, nil
	}
	return 0, fmt.Errorf("unknown unit %q", s[i:])
}
