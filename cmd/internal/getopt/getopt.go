// Package getopt parses command lines the way GNU getopt_long(3) does, for
// the dbmail-go tools, which must accept every spelling DBMail's tools
// accept (spec 7.0):
//
//   - short options, bundled: -ay is -a -y;
//   - a required argument attached or in the next word: -uNAME, -u NAME;
//   - an optional argument only when attached: -WFILE, --pw-file=FILE
//     (-W FILE is -W without argument followed by the word FILE);
//   - long options with "=value" or, for a required argument, the next word:
//     --user=NAME, --user NAME;
//   - unambiguous abbreviations of long options: --add-u for --add-user;
//   - "--" ends the options, a lone "-" is an ordinary argument;
//   - non-option words may appear between options (GNU permutation) and
//     are returned in order, unless StopAtNonOption asks for POSIX mode.
//
// Errors carry GNU's wording and name the option at fault.
package getopt

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ArgMode says whether an option takes an argument.
type ArgMode int

// Argument modes, as no_argument, required_argument and optional_argument.
const (
	NoArgument ArgMode = iota
	RequiredArgument
	OptionalArgument
)

// Option describes one option: a short letter, a long name, or both.
// Several Options may share a Short letter to give one option more than
// one long name; abbreviations matching only such aliases are not
// ambiguous.
type Option struct {
	Short rune   // 0 for a long-only option
	Long  string // "" for a short-only option
	Arg   ArgMode
}

// Key names the option for a switch: its long name, or its letter when it
// has none.
func (o *Option) Key() string {
	if o.Long != "" {
		return o.Long
	}
	return string(o.Short)
}

// Parsed is one option found on the command line.
type Parsed struct {
	Opt    *Option // the matching entry of Parser.Options
	Name   string  // as written: "-u", "--add-u"
	Arg    string  // the argument, if HasArg
	HasArg bool    // false for NoArgument and for an absent optional argument
	Index  int     // position in the args slice of the word holding the option
}

// Result is a parsed command line.
type Result struct {
	Options []Parsed // in command-line order
	Args    []string // non-option arguments, in order
}

// Parser holds the option table of one program.
type Parser struct {
	Options []Option
	// StopAtNonOption makes the first non-option word end option
	// processing, like a "+" optstring or POSIXLY_CORRECT; by default GNU
	// permutation is used and options may follow arguments.
	StopAtNonOption bool
}

// Error is a command-line error; Option is the option as the user wrote it
// ("-x", "--foo").
type Error struct {
	Option string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Parse parses args (without the program name).
func (p *Parser) Parse(args []string) (*Result, error) {
	res := &Result{Options: []Parsed{}, Args: []string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			res.Args = append(res.Args, args[i+1:]...)
			return res, nil
		case strings.HasPrefix(a, "--"):
			n, err := p.long(args, i, res)
			if err != nil {
				return nil, err
			}
			i = n
		case len(a) > 1 && a[0] == '-':
			n, err := p.short(args, i, res)
			if err != nil {
				return nil, err
			}
			i = n
		default:
			if p.StopAtNonOption {
				res.Args = append(res.Args, args[i:]...)
				return res, nil
			}
			res.Args = append(res.Args, a)
		}
	}
	return res, nil
}

// long handles args[i], a "--name[=value]" word, and returns the index of
// the last word it consumed.
func (p *Parser) long(args []string, i int, res *Result) (int, error) {
	body := args[i][2:]
	name, value, hasValue := strings.Cut(body, "=")
	opt, err := p.findLong(name)
	if err != nil {
		return i, err
	}
	shown := "--" + opt.Long
	pr := Parsed{Opt: opt, Name: "--" + name, Index: i}
	switch opt.Arg {
	case NoArgument:
		if hasValue {
			return i, &Error{Option: shown, Msg: fmt.Sprintf("option '%s' doesn't allow an argument", shown)}
		}
	case RequiredArgument:
		switch {
		case hasValue:
			pr.Arg, pr.HasArg = value, true
		case i+1 < len(args):
			i++
			pr.Arg, pr.HasArg = args[i], true
		default:
			return i, &Error{Option: shown, Msg: fmt.Sprintf("option '%s' requires an argument", shown)}
		}
	case OptionalArgument:
		pr.Arg, pr.HasArg = value, hasValue
	}
	res.Options = append(res.Options, pr)
	return i, nil
}

// findLong resolves a long name or an unambiguous abbreviation of one.
func (p *Parser) findLong(name string) (*Option, error) {
	var matches []*Option
	for k := range p.Options {
		o := &p.Options[k]
		if o.Long == "" {
			continue
		}
		if o.Long == name {
			return o, nil
		}
		if name != "" && strings.HasPrefix(o.Long, name) {
			matches = append(matches, o)
		}
	}
	if len(matches) == 0 {
		return nil, &Error{Option: "--" + name, Msg: fmt.Sprintf("unrecognized option '--%s'", name)}
	}
	first := matches[0]
	for _, o := range matches[1:] {
		if o.Short == 0 || o.Short != first.Short || o.Arg != first.Arg {
			var names []string
			for _, m := range matches {
				names = append(names, "'--"+m.Long+"'")
			}
			return nil, &Error{Option: "--" + name, Msg: fmt.Sprintf("option '--%s' is ambiguous; possibilities: %s", name, strings.Join(names, " "))}
		}
	}
	return first, nil
}

// short handles args[i], a bundle of short options, and returns the index
// of the last word it consumed.
func (p *Parser) short(args []string, i int, res *Result) (int, error) {
	word := args[i]
	for j := 1; j < len(word); {
		c, size := decodeRune(word[j:])
		opt := p.findShort(c)
		name := "-" + string(c)
		if opt == nil {
			return i, &Error{Option: name, Msg: fmt.Sprintf("invalid option -- '%c'", c)}
		}
		j += size
		pr := Parsed{Opt: opt, Name: name, Index: i}
		rest := word[j:]
		switch opt.Arg {
		case NoArgument:
			res.Options = append(res.Options, pr)
			continue
		case RequiredArgument:
			switch {
			case rest != "":
				pr.Arg, pr.HasArg = rest, true
			case i+1 < len(args):
				i++
				pr.Arg, pr.HasArg = args[i], true
			default:
				return i, &Error{Option: name, Msg: fmt.Sprintf("option requires an argument -- '%c'", c)}
			}
		case OptionalArgument:
			pr.Arg, pr.HasArg = rest, rest != ""
		}
		res.Options = append(res.Options, pr)
		return i, nil
	}
	return i, nil
}

func (p *Parser) findShort(c rune) *Option {
	if c == 0 || c == '-' {
		return nil
	}
	for k := range p.Options {
		if p.Options[k].Short == c {
			return &p.Options[k]
		}
	}
	return nil
}

// decodeRune returns the first character of s; a byte that is not valid
// UTF-8 counts as one character of its own.
func decodeRune(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return rune(s[0]), 1
	}
	return r, size
}
