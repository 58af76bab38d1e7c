package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
)

// InternalVersion is the schema level -V prints beside the banner (spec
// 7.0).
const InternalVersion = 35006

const usage = `*** dbmail-util ***
Use this program to maintain your DBMail database.
See the man page for more info. Modes of operation:

     -a        perform all checks (in this release: -ctubpds)
     -c        clean up database (optimize/vacuum)
     -t        test for message integrity
     -u        null message check (deprecated, ignored)
     -b        body/header/envelope cache check
     -p        purge messages have the DELETE status set
     -d        set DELETE status for deleted messages
     -e        check for empty or incomplete envelope cache
     -s        remove dangling/invalid aliases and forwards
     -r time   clear the replycache used for autoreply/vacation
     -l time   clear the IP log used for IMAP/POP-before-SMTP
               the time syntax is [<hours>h][<minutes>m]
               valid examples: 72h, 4h5m, 10m
     -M        migrate legacy 2.2.x messageblks to mimeparts table
     -m limit  limit migration to [limit] number of physmessages. Default 10000 per run
     --rehash  recompute the hashes of all mimeparts (after changing hash_algorithm)
     --erase days  mark messages older than days in the --trash mailbox for purging
     --move days   move messages older than days from --inbox to --trash
     --trash name  mailbox name for --erase and --move
     --inbox name  mailbox name for --move

Common options for all DBMail utilities:
     -f file   specify an alternative config file
               Default: /etc/dbmail.conf
     -q        quietly skip interactive prompts
               use twice to suppress error messages
     -n        show the intended action but do not perform it, no to all
     -y        perform all proposed actions, as though yes to all
     -v        verbose details
     -V        show the version
     -h        show this help message
`

var options = []getopt.Option{
	{Short: 'a', Long: "all-checks"},
	{Short: 'c', Long: "clean-database"},
	{Short: 't', Long: "test-integrity"},
	{Short: 'b', Long: "check-body"},
	{Short: 'e', Long: "check-empty-cache"},
	{Short: 'p', Long: "purge-deleted"},
	{Short: 'd', Long: "set-deleted"},
	{Short: 's', Long: "remove-invalid-aliases"},
	{Short: 'r', Long: "clear-replycache", Arg: getopt.RequiredArgument},
	{Short: 'l', Long: "clear-iplog", Arg: getopt.RequiredArgument},
	{Short: 'M', Long: "migrate-legacy"},
	{Short: 'm', Long: "migrate-limit", Arg: getopt.RequiredArgument},
	{Long: "rehash"},
	{Long: "erase", Arg: getopt.RequiredArgument},
	{Long: "move", Arg: getopt.RequiredArgument},
	{Long: "trash", Arg: getopt.RequiredArgument},
	{Long: "inbox", Arg: getopt.RequiredArgument},
	{Short: 'u'},
	{Short: 'i', Long: "interactive"},
	{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
	{Short: 'q', Long: "quiet"},
	{Short: 'n', Long: "no"},
	{Short: 'y', Long: "yes"},
	{Short: 'v', Long: "verbose"},
	{Short: 'V', Long: "version"},
	{Short: 'h', Long: "help"},
}

// opts is a parsed command line.
type opts struct {
	clean, integrity, body, emptyCache, purge, setDeleted, aliases bool
	replyTime, ipTime                                              string
	replySet, ipSet                                                bool
	migrate                                                        bool
	migrateLimit                                                   int
	migrateLimitSet                                                bool
	rehash                                                         bool
	eraseDays, moveDays                                            int
	eraseSet, moveSet                                              bool
	trash, inbox                                                   string

	config  string
	quiet   int
	verbose bool
	yes     bool
	no      bool
}

// defaultMigrateLimit is -m's default (spec 7.2).
const defaultMigrateLimit = 10000

// parseArgs reads the command line; done reports that the run ends here
// with code.
func parseArgs(argv []string, stdout, stderr io.Writer) (o *opts, code int, done bool) {
	o = &opts{migrateLimit: defaultMigrateLimit}
	p := &getopt.Parser{Options: options}
	res, err := p.Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-util: %v\n", err)
		fmt.Fprint(stdout, usage)
		return nil, exitUsage, true
	}
	for _, x := range res.Options {
		switch x.Opt.Key() {
		case "all-checks":
			o.clean, o.purge, o.setDeleted, o.aliases, o.integrity, o.body = true, true, true, true, true, true
		case "clean-database":
			o.clean = true
		case "test-integrity":
			o.integrity = true
		case "check-body":
			o.body = true
		case "check-empty-cache":
			o.emptyCache = true
		case "purge-deleted":
			o.purge = true
		case "set-deleted":
			o.setDeleted = true
		case "remove-invalid-aliases":
			o.aliases = true
		case "clear-replycache":
			o.replyTime, o.replySet = x.Arg, true
		case "clear-iplog": // DBMail mapped the long form to -t (spec 7.2); fixed
			o.ipTime, o.ipSet = x.Arg, true
		case "migrate-legacy":
			o.migrate = true
		case "migrate-limit":
			n, err := strconv.Atoi(strings.TrimSpace(x.Arg))
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "dbmail-util: invalid migrate limit [%s]\n", x.Arg)
				fmt.Fprint(stdout, usage)
				return nil, exitUsage, true
			}
			o.migrateLimit, o.migrateLimitSet = n, true
		case "rehash":
			o.rehash = true
		case "erase", "move":
			n, err := strconv.Atoi(strings.TrimSpace(x.Arg))
			if err != nil || n < 0 {
				fmt.Fprintf(stderr, "dbmail-util: invalid number of days [%s] for --%s\n", x.Arg, x.Opt.Long)
				fmt.Fprint(stdout, usage)
				return nil, exitUsage, true
			}
			if x.Opt.Long == "erase" {
				o.eraseDays, o.eraseSet = n, true
				o.purge = true // --erase implies -p (spec 7.2)
			} else {
				o.moveDays, o.moveSet = n, true
			}
		case "trash":
			o.trash = x.Arg
		case "inbox":
			o.inbox = x.Arg
		case "u": // deprecated, ignored (spec 7.2)
		case "interactive":
			fmt.Fprintln(stderr, "Interactive console is not supported in this release.")
			return nil, exitUsage, true
		case "config":
			o.config = x.Arg
		case "quiet":
			if !o.verbose {
				o.quiet++
			}
		case "verbose":
			o.verbose = true
		case "no":
			o.no = true
		case "yes":
			o.yes = true
		case "version":
			fmt.Fprintln(stdout, app.Banner("dbmail-util"))
			fmt.Fprintf(stdout, "Internal Version %d\n", InternalVersion)
			return nil, exitUsage, true
		case "help":
			fmt.Fprint(stdout, usage)
			return nil, exitUsage, true
		}
	}
	if len(res.Args) > 0 || (o.yes && o.no) || !o.anything() {
		fmt.Fprint(stdout, usage)
		return nil, exitUsage, true
	}
	return o, 0, false
}

// anything says whether the command line asks for any work; -m alone does
// not (spec 7.2).
func (o *opts) anything() bool {
	return o.clean || o.integrity || o.body || o.emptyCache || o.purge || o.setDeleted || o.aliases ||
		o.replySet || o.ipSet || o.migrate || o.rehash || o.eraseSet || o.moveSet
}

// maxTime bounds a TIME argument (and keeps the arithmetic from
// overflowing).
const maxTime = 200 * 365 * 24 * time.Hour

// parseTime reads DBMail's TIME syntax (find_time, spec 7.2): <hours>h,
// <minutes>m or <hours>h<minutes>m, letters in either case. It returns the
// duration.
func parseTime(s string) (time.Duration, error) {
	rest := strings.ToLower(strings.TrimSpace(s))
	if rest == "" {
		return 0, fmt.Errorf("invalid time [%s]", s)
	}
	var d time.Duration
	seenH, seenM := false, false
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("invalid time [%s]", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid time [%s]", s)
		}
		var unit time.Duration
		switch {
		case rest[i] == 'h' && !seenH && !seenM:
			seenH, unit = true, time.Hour
		case rest[i] == 'm' && !seenM:
			seenM, unit = true, time.Minute
		default:
			return 0, fmt.Errorf("invalid time [%s]", s)
		}
		if time.Duration(n) > (maxTime-d)/unit {
			return 0, fmt.Errorf("time [%s] is longer than %d years", s, maxTime/(24*365*time.Hour))
		}
		d += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return d, nil
}
