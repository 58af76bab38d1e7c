package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
)

// mode is the one action of a run (spec 7.1).
type mode byte

// Modes, by their option letter.
const (
	modeNone    mode = 0
	modeAdd     mode = 'a'
	modeChange  mode = 'c'
	modeDelete  mode = 'd'
	modeEmpty   mode = 'e'
	modeList    mode = 'l'
	modeListAll mode = 'L'
	modeForward mode = 'x'
)

// opts is a parsed command line.
type opts struct {
	mode   mode
	target string // the mode's argument: user or alias name

	password    string
	passwordSet bool // -w
	pwFile      bool // -W
	pwFileName  string
	pwType      string
	pwTypeSet   bool
	shadow      bool // -P, or -p shadow
	shadowFile  string
	newName     string
	newNameSet  bool
	clientID    int64
	clientSet   bool
	maxMail     int64
	maxMailSet  bool
	addAliases  []string
	delAliases  []string
	addForwards []string
	delForwards []string
	secPassword string
	secPwSet    bool
	secAction   int
	secActSet   bool
	active      *bool

	config  string
	quiet   int
	verbose bool
	dryRun  bool
	yes     bool
}

// parseArgs reads the command line. done reports that the run ends here
// with code (help, version, usage errors, -i).
func parseArgs(argv []string, stdout, stderr io.Writer) (o *opts, code int, done bool) {
	o = &opts{}
	p := &getopt.Parser{Options: options}
	res, err := p.Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-users: %v\n", err)
		fmt.Fprint(stdout, usage)
		return nil, exitOK, true
	}
	modes := 0
	enable, disable := false, false
	args := res.Args
	for _, x := range res.Options {
		switch x.Opt.Key() {
		case "add-user", "change-user", "delete-user", "empty-user-mailboxes", "list-user", "forward":
			modes++
			o.mode, o.target = mode(x.Opt.Short), x.Arg
		case "list-users":
			modes++
			o.mode = modeListAll
		case "interactive":
			fmt.Fprintln(stderr, "Interactive console is not supported in this release.")
			return nil, exitUsage, true
		case "password":
			o.password, o.passwordSet = x.Arg, true
		case "pw-file":
			o.pwFile = true
			o.pwFileName, args = optionalFile(x, args, argv)
		case "pw-type":
			if !o.pwTypeSet { // the first -p wins (spec 7.1)
				o.pwType, o.pwTypeSet = x.Arg, true
			}
		case "pw-shadow":
			o.shadow = true
			o.shadowFile, args = optionalFile(x, args, argv)
		case "user":
			o.newName, o.newNameSet = x.Arg, true
		case "client":
			n, err := strconv.ParseInt(strings.TrimSpace(x.Arg), 10, 64)
			if err != nil || n < 0 {
				fmt.Fprintf(stderr, "Invalid client id [%s]\n", x.Arg)
				return nil, exitError, true
			}
			o.clientID, o.clientSet = n, true
		case "max-quota":
			o.maxMail, o.maxMailSet = parseMaxMail(x.Arg), true
		case "add-alias":
			o.addAliases = append(o.addAliases, splitList(x.Arg)...)
		case "delete-alias":
			o.delAliases = append(o.delAliases, splitList(x.Arg)...)
		case "add-forward":
			o.addForwards = append(o.addForwards, splitList(x.Arg)...)
		case "delete-forward":
			o.delForwards = append(o.delForwards, splitList(x.Arg)...)
		case "security-password":
			o.secPassword, o.secPwSet = x.Arg, true
		case "security-action":
			n, err := strconv.Atoi(strings.TrimSpace(x.Arg))
			if err != nil || n < 0 || n > 999 {
				fmt.Fprintln(stderr, "Use a security-action between 0 and 999")
				return nil, exitUsage, true
			}
			o.secAction, o.secActSet = n, true
		case "enable":
			enable = true
		case "disable":
			disable = true
		case "config":
			o.config = x.Arg
		case "quiet":
			if !o.verbose { // -q after -v is ignored (spec 7.0)
				o.quiet++
			}
		case "verbose":
			o.verbose = true
		case "no":
			o.dryRun = true
		case "yes":
			o.yes = true
		case "version":
			fmt.Fprintln(stdout, app.Banner("dbmail-users"))
			return nil, exitUsage, true
		case "help":
			fmt.Fprint(stdout, usage)
			return nil, exitOK, true
		}
	}
	if strings.EqualFold(o.pwType, "shadow") {
		o.shadow = true
	}
	switch {
	case modes != 1, len(args) > 0, enable && disable, o.dryRun && o.yes:
		fmt.Fprint(stdout, usage)
		return nil, exitOK, true
	}
	if enable || disable {
		v := enable
		o.active = &v
	}
	return o, 0, false
}

// optionalFile returns the FILE of -W/-P: the attached argument, or — an
// extension over getopt's rules — the next word when it is a non-option
// argument, so `-W FILE` reads FILE as the manual page suggests. The word
// is removed from args.
func optionalFile(x getopt.Parsed, args, argv []string) (string, []string) {
	if x.HasArg {
		return x.Arg, args
	}
	next := x.Index + 1
	if next >= len(argv) {
		return "", args
	}
	for i, a := range args {
		if a == argv[next] && !strings.HasPrefix(a, "-") {
			return a, append(args[:i:i], args[i+1:]...)
		}
	}
	return "", args
}

// splitList splits a comma-separated -s/-S/-t/-T argument, dropping empty
// items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parseMaxMail reads a -m value as DBMail's strtomaxmail: digits with an
// optional K, M or G suffix (×1024, ×1024², ×1024³, either case; B means
// bytes); any other suffix, or no digits, gives 0 = unlimited (spec 7.1).
func parseMaxMail(s string) int64 {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0
	}
	var mult int64
	switch s[i:] {
	case "", "b", "B":
		mult = 1
	case "k", "K":
		mult = 1 << 10
	case "m", "M":
		mult = 1 << 20
	case "g", "G":
		mult = 1 << 30
	default:
		return 0
	}
	if n > (1<<63-1)/mult {
		return 0
	}
	return n * mult
}
