// Command dbmail-sievecmd manages one user's Sieve scripts in
// dbmail_sievescripts (spec 7.5): list, show, import, edit, activate,
// deactivate and remove, validating scripts with the same engine and
// options delivery uses. Unlike DBMail (spec 9.6 item 31), -a and -d
// also accept a name as the next word when no other command takes it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
)

const usage = `Usage: dbmail-sievecmd -u USER [options]

Manage the Sieve scripts of one user (DBMail's dbmail-sievecmd, spec 7.5).

  -u, --user USER          the user (required)
  -l, --list               list the scripts; + marks the active one
  -a, --activate[=NAME]    make NAME (or the script of -i/-e) the active script
  -d, --deactivate[=NAME]  deactivate NAME, or the active script
  -c, --show[=NAME]        print NAME, or the active script
  -e, --edit[=NAME]        edit NAME (or the active script) with $EDITOR
  -i, --import NAME [FILE] import a script from FILE or standard input (-)
  -r, --remove NAME        delete the script
  -y, --yes                with -i: overwrite an existing script
  -f, --config FILE        configuration file (default /etc/dbmail.conf)
  -q, --quiet              less output (twice: no errors either)
  -v, --verbose            log to standard error too
  -V, --version            print the version and exit 1
  -h, --help               this help
`

var options = []getopt.Option{
	{Short: 'u', Long: "user", Arg: getopt.RequiredArgument},
	{Short: 'l', Long: "list"},
	{Short: 'a', Long: "activate", Arg: getopt.OptionalArgument},
	{Short: 'd', Long: "deactivate", Arg: getopt.OptionalArgument},
	{Short: 'c', Long: "show", Arg: getopt.OptionalArgument},
	{Short: 'e', Long: "edit", Arg: getopt.OptionalArgument},
	{Short: 'i', Long: "import", Arg: getopt.RequiredArgument},
	{Short: 'r', Long: "remove", Arg: getopt.RequiredArgument},
	{Short: 'y', Long: "yes"},
	{Long: "no"},
	{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
	{Short: 'q', Long: "quiet"},
	{Short: 'v', Long: "verbose"},
	{Short: 'V', Long: "version"},
	{Short: 'h', Long: "help"},
}

// Exit codes (spec 7.5).
const (
	exitOK    = 0
	exitEdit  = 1
	exitError = 255
)

// mode is the one main action of a run.
type mode int

const (
	modeNone mode = iota
	modeList
	modeShow
	modeEdit
	modeImport
	modeRemove
)

// opts is a parsed command line.
type opts struct {
	user, config string
	mode         mode
	name         string // the script the mode acts on
	source       string // -i: file to read, "" or "-" for stdin
	activate     bool
	activateName string
	deactivate   bool
	deactName    string
	yes, verbose bool
	quiet        int
}

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)) }

// parse reads the command line; code >= 0 means exit with it.
func parse(argv []string, stdout, stderr io.Writer) (o opts, code int) {
	res, err := (&getopt.Parser{Options: options}).Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-sievecmd: %v\n", err)
		fmt.Fprint(stdout, usage)
		return o, exitOK
	}
	setMode := func(m mode) bool {
		if o.mode != modeNone && o.mode != m {
			return false
		}
		o.mode = m
		return true
	}
	// nameArg records a name-taking option's value: the first is the
	// script name, a second one the source file of -i (spec 7.5).
	nameArg := func(v string) {
		if o.name == "" {
			o.name = v
		} else if o.source == "" {
			o.source = v
		}
	}
	for _, x := range res.Options {
		ok := true
		switch x.Opt.Key() {
		case "user":
			o.user = x.Arg
		case "list":
			ok = setMode(modeList)
		case "show":
			ok = setMode(modeShow)
			if x.HasArg {
				nameArg(x.Arg)
			}
		case "edit":
			ok = setMode(modeEdit)
			if x.HasArg {
				nameArg(x.Arg)
			}
		case "import":
			ok = setMode(modeImport)
			nameArg(x.Arg)
		case "remove":
			ok = setMode(modeRemove)
			nameArg(x.Arg)
		case "activate":
			o.activate = true
			o.activateName = x.Arg
		case "deactivate":
			o.deactivate = true
			o.deactName = x.Arg
		case "yes":
			o.yes = true
		case "no":
			fmt.Fprintln(stderr, "dbmail-sievecmd: --no is not supported")
			return o, exitEdit
		case "config":
			o.config = x.Arg
		case "quiet":
			if !o.verbose {
				o.quiet++
			}
		case "verbose":
			o.verbose = true
		case "version":
			fmt.Fprintln(stdout, app.Banner("dbmail-sievecmd"))
			return o, exitEdit
		case "help":
			fmt.Fprint(stdout, usage)
			return o, exitOK
		}
		if !ok {
			fmt.Fprintln(stderr, "dbmail-sievecmd: only one of -l, -c, -e, -i and -r may be given")
			fmt.Fprint(stdout, usage)
			return o, exitOK
		}
	}
	args := res.Args
	// -i NAME FILE: the file may also be the next word.
	if o.mode == modeImport && o.source == "" && len(args) > 0 {
		o.source, args = args[0], args[1:]
	}
	// -a NAME / -d NAME with a space (DBMail needs -aNAME, spec 9.6 #31).
	if len(args) > 0 && o.mode == modeNone && (o.activate && o.activateName == "" || o.deactivate && o.deactName == "") {
		if o.activate && o.activateName == "" {
			o.activateName = args[0]
		} else {
			o.deactName = args[0]
		}
		args = args[1:]
	}
	if o.mode == modeShow {
		o.quiet = max(o.quiet, 1) // -c implies quiet (spec 7.5)
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "dbmail-sievecmd: unexpected argument %q\n", args[0])
		fmt.Fprint(stdout, usage)
		return o, exitOK
	}
	if o.user == "" {
		fmt.Fprintln(stderr, "The user must be specicified")
		fmt.Fprint(stdout, usage)
		return o, exitOK
	}
	if o.mode == modeNone && !o.activate && !o.deactivate {
		fmt.Fprint(stdout, usage)
		return o, exitOK
	}
	if (o.activate || o.deactivate) && o.mode != modeNone && o.mode != modeImport && o.mode != modeEdit {
		fmt.Fprintln(stderr, "dbmail-sievecmd: -a and -d go alone or with -i or -e")
		fmt.Fprint(stdout, usage)
		return o, exitOK
	}
	return o, -1
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o, code := parse(argv, stdout, stderr)
	if code >= 0 {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.Start(ctx, "dbmail-sievecmd", o.config, app.Options{Section: "SIEVECMD", Ident: "dbmail/sievecmd", Verbose: o.verbose, MaxConns: 2})
	if err != nil {
		if o.quiet < 2 {
			fmt.Fprintf(stderr, "dbmail-sievecmd: %v\n", err)
		}
		return exitError
	}
	defer a.Close()
	t := &tool{a: a, o: o, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	return t.run(ctx)
}
