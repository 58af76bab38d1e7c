package getopt

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// usersOptions is a subset of dbmail-users' table (spec 7.1) plus an alias
// long name, enough to exercise every rule.
func usersOptions() []Option {
	return []Option{
		{Short: 'a', Long: "add-user", Arg: RequiredArgument},
		{Short: 's', Long: "add-alias", Arg: RequiredArgument},
		{Short: 'c', Long: "change-user", Arg: RequiredArgument},
		{Short: 'u', Long: "user", Arg: RequiredArgument},
		{Short: 'W', Long: "pw-file", Arg: OptionalArgument},
		{Short: 'P', Long: "pw-shadow", Arg: OptionalArgument},
		{Short: 'y', Long: "yes", Arg: NoArgument},
		{Short: 'q', Long: "quiet", Arg: NoArgument},
		{Short: 'v', Long: "verbose", Arg: NoArgument},
		{Short: 'v', Long: "verbosity", Arg: NoArgument},
		{Long: "security-password", Arg: RequiredArgument},
		{Long: "security-action", Arg: RequiredArgument},
		{Long: "enable", Arg: NoArgument},
		{Short: 'f', Long: "config", Arg: RequiredArgument},
	}
}

// render turns a result into a compact string: key[=arg] items, then "|"
// and the arguments.
func render(r *Result) string {
	var parts []string
	for _, o := range r.Options {
		s := o.Opt.Key()
		if o.HasArg {
			s += "=" + o.Arg
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ") + " | " + strings.Join(r.Args, " ")
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		posix bool
		want  string
	}{
		{"empty", nil, false, " | "},
		{"bundled flags", []string{"-yqv"}, false, "yes quiet verbose | "},
		{"bundle ending in required arg attached", []string{"-yaNAME"}, false, "yes add-user=NAME | "},
		{"bundle ending in required arg separate", []string{"-ya", "NAME"}, false, "yes add-user=NAME | "},
		{"required arg attached", []string{"-uNAME"}, false, "user=NAME | "},
		{"required arg separate", []string{"-u", "NAME"}, false, "user=NAME | "},
		{"required arg may start with dash", []string{"-u", "-y"}, false, "user=-y | "},
		{"optional attached", []string{"-W/tmp/pw"}, false, "pw-file=/tmp/pw | "},
		{"optional not taken from next word", []string{"-W", "/tmp/pw"}, false, "pw-file | /tmp/pw"},
		{"optional long with =", []string{"--pw-file=/tmp/pw"}, false, "pw-file=/tmp/pw | "},
		{"optional long without =", []string{"--pw-file", "/tmp/pw"}, false, "pw-file | /tmp/pw"},
		{"optional long with empty =", []string{"--pw-file="}, false, "pw-file= | "},
		{"long with =", []string{"--add-user=bob"}, false, "add-user=bob | "},
		{"long separate", []string{"--add-user", "bob"}, false, "add-user=bob | "},
		{"long = keeps further =", []string{"--user=a=b"}, false, "user=a=b | "},
		{"abbreviation", []string{"--add-u", "bob"}, false, "add-user=bob | "},
		{"abbreviation with =", []string{"--add-a=x@y"}, false, "add-alias=x@y | "},
		{"exact name beats longer names", []string{"--user", "n"}, false, "user=n | "},
		{"abbreviation of aliases of one option", []string{"--verb"}, false, "verbose | "},
		{"long only", []string{"--security-p", "pw", "--enable"}, false, "security-password=pw enable | "},
		{"double dash ends options", []string{"-y", "--", "-q", "--yes"}, false, "yes | -q --yes"},
		{"lone dash is an argument", []string{"-", "-y"}, false, "yes | -"},
		{"permutation", []string{"file1", "-y", "file2", "-uN"}, false, "yes user=N | file1 file2"},
		{"posix stops at first argument", []string{"-y", "file1", "-q"}, true, "yes | file1 -q"},
		{"repeated options kept in order", []string{"-f", "a", "-f", "b"}, false, "config=a config=b | "},
		{"required arg consumes --", []string{"-u", "--"}, false, "user=-- | "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Parser{Options: usersOptions(), StopAtNonOption: tc.posix}
			r, err := p.Parse(tc.args)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.args, err)
			}
			if got := render(r); got != tc.want {
				t.Errorf("Parse(%q) = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestParseNamesAndIndexes(t *testing.T) {
	p := &Parser{Options: usersOptions()}
	r, err := p.Parse([]string{"x", "--add-u", "bob", "-yW"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Parsed{
		{Opt: &p.Options[0], Name: "--add-u", Arg: "bob", HasArg: true, Index: 1},
		{Opt: &p.Options[6], Name: "-y", Index: 3},
		{Opt: &p.Options[4], Name: "-W", Index: 3},
	}
	if !reflect.DeepEqual(r.Options, want) {
		t.Errorf("got %+v\nwant %+v", r.Options, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantOption string
		wantMsg    string
	}{
		{[]string{"-x"}, "-x", "invalid option -- 'x'"},
		{[]string{"-yx"}, "-x", "invalid option -- 'x'"},
		{[]string{"-y-"}, "--", "invalid option -- '-'"},
		{[]string{"-u"}, "-u", "option requires an argument -- 'u'"},
		{[]string{"-yu"}, "-u", "option requires an argument -- 'u'"},
		{[]string{"--user"}, "--user", "option '--user' requires an argument"},
		{[]string{"--us"}, "--user", "option '--user' requires an argument"},
		{[]string{"--yes=1"}, "--yes", "option '--yes' doesn't allow an argument"},
		{[]string{"--nosuch"}, "--nosuch", "unrecognized option '--nosuch'"},
		{[]string{"--add"}, "--add", "option '--add' is ambiguous; possibilities: '--add-user' '--add-alias'"},
		{[]string{"--security"}, "--security", "option '--security' is ambiguous; possibilities: '--security-password' '--security-action'"},
		{[]string{"--=x"}, "--", "unrecognized option '--'"},
	}
	for _, tc := range tests {
		p := &Parser{Options: usersOptions()}
		_, err := p.Parse(tc.args)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error = %v, want *Error", tc.args, err)
			continue
		}
		if e.Option != tc.wantOption || e.Error() != tc.wantMsg {
			t.Errorf("Parse(%q) = {%q, %q}, want {%q, %q}", tc.args, e.Option, e.Error(), tc.wantOption, tc.wantMsg)
		}
	}
}

func TestShortOptionNotUTF8(t *testing.T) {
	p := &Parser{Options: []Option{{Short: 'é', Arg: NoArgument}}}
	r, err := p.Parse([]string{"-é"})
	if err != nil || len(r.Options) != 1 || r.Options[0].Name != "-é" {
		t.Fatalf("Parse(-é) = %+v, %v", r, err)
	}
	_, err = p.Parse([]string{"-\xff"})
	if err == nil || err.Error() != "invalid option -- '\u00ff'" {
		t.Fatalf("Parse(-\\xff) error = %v", err)
	}
}

// FuzzParse checks that any command line either fails with an *Error or
// yields options from the table whose arguments and the plain arguments
// all come from the input words.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"-yaNAME", "--add-u\x00bob", "-W\x00file", "--pw-file=x", "--\x00-y",
		"-u", "--add", "a\x00-y\x00b", "-\x00--yes=1", "-\xff\xfe", "--verb",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, line string, posix bool) {
		args := strings.Split(line, "\x00")
		p := &Parser{Options: usersOptions(), StopAtNonOption: posix}
		r, err := p.Parse(args)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Option == "" || e.Msg == "" {
				t.Fatalf("Parse(%q): bad error %#v", args, err)
			}
			return
		}
		joined := strings.Join(args, "\x00")
		for _, o := range r.Options {
			if o.Opt == nil || o.Index < 0 || o.Index >= len(args) {
				t.Fatalf("Parse(%q): bad option %+v", args, o)
			}
			if o.HasArg && o.Opt.Arg == NoArgument {
				t.Fatalf("Parse(%q): argument for %s", args, o.Name)
			}
			if o.HasArg && !strings.Contains(joined, o.Arg) {
				t.Fatalf("Parse(%q): argument %q not in input", args, o.Arg)
			}
		}
		for _, a := range r.Args {
			if !strings.Contains(joined, a) {
				t.Fatalf("Parse(%q): argument %q not in input", args, a)
			}
		}
		if len(r.Args) > len(args) {
			t.Fatalf("Parse(%q): more arguments than words", args)
		}
	})
}
