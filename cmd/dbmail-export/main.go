// Command dbmail-export writes mailboxes to mbox files (spec 7.4), as valid
// mboxrd: every message gets a "From " separator line, body lines that look
// like one are quoted with ">", and -d/-D touch only the exported messages.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/mbox"
)

const usage = `Usage: dbmail-export -u USER [options]

Export mailboxes to mbox (mboxrd) files (spec 7.4 of DBMail's dbmail-export).

  -u, --user USER          user (may contain * and ? globs)
  -m, --mailbox MAILBOX    mailbox to export (default: every mailbox the user owns)
  -r, --recursive          with -m: also the mailboxes below it
  -b, --basedir DIR        write DIR/USER/MAILBOX.mbox files (default .)
  -o, --outfile FILE       write everything to FILE (- for standard output)
  -s, --search KEYS        export only messages matching IMAP SEARCH keys (default 1:*)
  -d, --set-del-flag       afterwards set \Deleted on the exported messages
  -D, --set-del-status     afterwards set status 2 (expunged) on the exported messages
  -f, --config FILE        configuration file (default /etc/dbmail.conf)
  -q, --quiet              no progress output
  -v, --verbose            log to standard error too
  -V, --version            print the version and exit 1
  -h, --help               this help
`

var options = []getopt.Option{
	{Short: 'u', Long: "user", Arg: getopt.RequiredArgument},
	{Short: 'm', Long: "mailbox", Arg: getopt.RequiredArgument},
	{Short: 'r', Long: "recursive"},
	{Short: 'b', Long: "basedir", Arg: getopt.RequiredArgument},
	{Short: 'o', Long: "outfile", Arg: getopt.RequiredArgument},
	{Short: 's', Long: "search", Arg: getopt.RequiredArgument},
	{Short: 'd', Long: "set-del-flag"},
	{Short: 'D', Long: "set-del-status"},
	{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
	{Short: 'q', Long: "quiet"},
	{Short: 'v', Long: "verbose"},
	{Short: 'V', Long: "version"},
	{Short: 'h', Long: "help"},
	{Long: "no"},
	{Short: 'y', Long: "yes"},
}

type opts struct {
	user, mailbox, basedir, outfile, search, config string
	recursive, delFlag, delStatus, verbose          bool
	quiet                                           int
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(argv []string, stdout, stderr io.Writer) int {
	p := &getopt.Parser{Options: options}
	res, err := p.Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-export: %v\n%s", err, usage)
		return 1
	}
	var o opts
	for _, x := range res.Options {
		switch x.Opt.Key() {
		case "user":
			o.user = x.Arg
		case "mailbox":
			o.mailbox = x.Arg
		case "recursive":
			o.recursive = true
		case "basedir":
			o.basedir = x.Arg
		case "outfile":
			o.outfile = x.Arg
		case "search":
			o.search = x.Arg
		case "set-del-flag":
			o.delFlag = true
		case "set-del-status":
			o.delStatus = true
		case "config":
			o.config = x.Arg
		case "quiet":
			o.quiet++
		case "verbose":
			o.verbose = true
		case "version":
			fmt.Fprintln(stdout, app.Banner("dbmail-export"))
			return 1
		case "help":
			fmt.Fprint(stdout, usage)
			return 1
		}
	}
	if o.user == "" || len(res.Args) > 0 || (o.basedir != "" && o.outfile != "") {
		fmt.Fprint(stderr, usage)
		return 1
	}
	if o.basedir == "" && o.outfile == "" {
		o.basedir = "."
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.Start(ctx, "dbmail-export", o.config, app.Options{Section: "EXPORT", Ident: "dbmail/export", Verbose: o.verbose, MaxConns: 2})
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-export: %v\n", err)
		return 255
	}
	defer a.Close()
	progress := stdout
	if o.quiet > 0 || o.outfile == "-" {
		progress = io.Discard
	}
	e := &exporter{db: a.DB, o: o, progress: progress, stderr: stderr, tty: isTerminal(os.Stderr) && o.quiet == 0}
	if err := e.run(ctx, stdout); err != nil {
		a.Log.Error("export failed", "err", err)
		fmt.Fprintf(stderr, "dbmail-export: %v\n", err)
		return 2
	}
	return 0
}

type exporter struct {
	db       *db.DB
	o        opts
	progress io.Writer
	stderr   io.Writer
	tty      bool
}

func (e *exporter) run(ctx context.Context, stdout io.Writer) error {
	users, err := e.matchUsers(ctx)
	if err != nil {
		return err
	}
	var single *bufio.Writer
	var singleFile *os.File
	if e.o.outfile != "" {
		if e.o.outfile == "-" {
			single = bufio.NewWriterSize(stdout, 64<<10)
		} else {
			f, err := os.OpenFile(e.o.outfile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			if err != nil {
				return fmt.Errorf("open %s: %w", e.o.outfile, err)
			}
			singleFile = f
			single = bufio.NewWriterSize(f, 64<<10)
		}
	}
	for _, u := range users {
		boxes, err := e.db.Mailboxes(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, mb := range boxes {
			if !e.wanted(mb.Name) || mb.NoSelect {
				continue
			}
			fmt.Fprintf(e.progress, "Export user [%s] mailbox [%s]\n", u.Name, mb.Name)
			w := single
			var f *os.File
			if w == nil {
				dir := filepath.Join(e.o.basedir, u.Name, filepath.Dir(filepath.FromSlash(mb.Name)))
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return fmt.Errorf("create %s: %w", dir, err)
				}
				name := filepath.Join(e.o.basedir, u.Name, filepath.FromSlash(mb.Name)+".mbox")
				f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
				if err != nil {
					return fmt.Errorf("open %s: %w", name, err)
				}
				w = bufio.NewWriterSize(f, 64<<10)
			}
			err := e.exportMailbox(ctx, u, &mb, w)
			if ferr := w.Flush(); err == nil && ferr != nil {
				err = ferr
			}
			if f != nil {
				if cerr := f.Close(); err == nil && cerr != nil {
					err = cerr
				}
			}
			if err != nil {
				return err
			}
		}
	}
	if single != nil {
		if err := single.Flush(); err != nil {
			return err
		}
	}
	if singleFile != nil {
		return singleFile.Close()
	}
	return nil
}

// wanted says whether a mailbox is selected by -m/-r (spec 7.4).
func (e *exporter) wanted(name string) bool {
	if e.o.mailbox == "" {
		return true
	}
	want := db.NormalizeMailboxName(e.o.mailbox)
	if db.MailboxNameEqual(name, want) {
		return true
	}
	return e.o.recursive && len(name) > len(want) && db.MailboxNameEqual(name[:len(want)], want) && name[len(want)] == '/'
}

func (e *exporter) matchUsers(ctx context.Context) ([]db.User, error) {
	if !strings.ContainsAny(e.o.user, "*?[") {
		u, err := e.db.UserByName(ctx, e.o.user)
		if err != nil {
			return nil, err
		}
		return []db.User{*u}, nil
	}
	all, err := e.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []db.User
	for _, u := range all {
		if ok, _ := path.Match(e.o.user, u.Name); ok {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no user matches %q: %w", e.o.user, db.ErrNotFound)
	}
	return out, nil
}

func (e *exporter) exportMailbox(ctx context.Context, u db.User, mb *db.Mailbox, w io.Writer) error {
	msgs, err := e.db.MailboxMessages(ctx, mb.ID)
	if err != nil {
		return err
	}
	selected, err := e.selectMessages(ctx, mb.ID, msgs)
	if err != nil {
		return err
	}
	mw := mbox.NewWriter(w)
	start := time.Now()
	var uids []int64
	for i, mi := range selected {
		sender, err := e.db.ReturnPath(ctx, mi.PhysID)
		if err != nil {
			return err
		}
		if err := mw.Begin(sender, mi.InternalDate); err != nil {
			return err
		}
		if _, err := e.db.WriteMessage(ctx, mi.PhysID, mw, db.OriginalForm(mi.MessageSize, mi.RFCSize)); err != nil {
			return err
		}
		if err := mw.End(); err != nil {
			return err
		}
		uids = append(uids, mi.UID)
		if e.tty && (i%50 == 0 || i == len(selected)-1) {
			fmt.Fprintf(e.stderr, "\r%s/%s: %d/%d messages (%.0f/s)", u.Name, mb.Name, i+1, len(selected), float64(i+1)/time.Since(start).Seconds())
		}
	}
	if e.tty && len(selected) > 0 {
		fmt.Fprintln(e.stderr)
	}
	if len(uids) == 0 {
		return nil
	}
	if e.o.delFlag {
		if _, err := e.db.ChangeFlags(ctx, mb.ID, uids, db.FlagChange{Set: db.Flags{Deleted: true}}); err != nil {
			return err
		}
	}
	if e.o.delStatus {
		if err := e.db.SetStatus(ctx, mb.ID, uids, 2); err != nil {
			return err
		}
	}
	return nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
