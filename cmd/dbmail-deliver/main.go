// Command dbmail-deliver is the local delivery agent for an MTA (spec 7.3):
// it reads one message on stdin and delivers it with the pipeline LMTP uses.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/getopt"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/notify"
)

// sysexits(3) codes (spec 7.3).
const (
	exOK        = 0
	exUsage     = 64
	exNoUser    = 67
	exCantCreat = 73
	exTempFail  = 75
)

const usage = `Usage: dbmail-deliver [options] < message

Deliver the message on standard input (spec 7.3 of DBMail's dbmail-deliver).

  -d, --to-address ADDR    deliver to ADDR (repeatable); resolved like LMTP RCPT TO
  -u, --to-user NAME       deliver to the user NAME (same as -d)
  -t, --to-header[=FIELD]  take recipients from header FIELD (default delivered-to)
  -m, --mailbox MAILBOX    implicit-keep mailbox instead of INBOX (created if missing)
  -M, --mailbox-force MBOX deliver straight into MBOX: no Sieve, subaddress or ACL checks
  -r, --return-path ADDR   set the Return-Path header
  -f, --config FILE        configuration file (default /etc/dbmail.conf)
  -v, --verbose            log to standard error too
  -V, --version            print the version and exit 1
  -h, --help               this help

Exit status: 0 delivered, 64 usage, 67 no such user, 73 over quota, 75 temporary failure.
`

var options = []getopt.Option{
	{Short: 'd', Long: "to-address", Arg: getopt.RequiredArgument},
	{Short: 'u', Long: "to-user", Arg: getopt.RequiredArgument},
	{Short: 't', Long: "to-header", Arg: getopt.OptionalArgument},
	{Short: 'm', Long: "mailbox", Arg: getopt.RequiredArgument},
	{Short: 'M', Long: "mailbox-force", Arg: getopt.RequiredArgument},
	{Short: 'r', Long: "return-path", Arg: getopt.RequiredArgument},
	{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
	{Short: 'v', Long: "verbose"},
	{Short: 'V', Long: "version"},
	{Short: 'h', Long: "help"},
}

type args struct {
	addrs        []string
	toHeader     string
	useHeader    bool
	mailbox      string
	force        bool
	returnPath   string
	returnPathOK bool
	config       string
	verbose      bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) == 0 {
		fmt.Fprint(stderr, usage)
		return exUsage
	}
	p := &getopt.Parser{Options: options}
	res, err := p.Parse(argv)
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-deliver: %v\n%s", err, usage)
		return exUsage
	}
	var a args
	mailboxSet := false
	for _, o := range res.Options {
		switch o.Opt.Short {
		case 'd', 'u':
			a.addrs = append(a.addrs, o.Arg)
		case 't':
			if a.useHeader {
				fmt.Fprintf(stderr, "dbmail-deliver: only one -t allowed\n%s", usage)
				return exUsage
			}
			a.useHeader = true
			a.toHeader = "delivered-to"
			if o.HasArg {
				a.toHeader = o.Arg
			}
		case 'm', 'M':
			if mailboxSet {
				fmt.Fprintf(stderr, "dbmail-deliver: only one -m or -M allowed\n%s", usage)
				return exUsage
			}
			mailboxSet = true
			a.mailbox, a.force = o.Arg, o.Opt.Short == 'M'
		case 'r':
			a.returnPath, a.returnPathOK = o.Arg, true
		case 'f':
			a.config = o.Arg
		case 'v':
			a.verbose = true
		case 'V':
			fmt.Fprintln(stdout, app.Banner("dbmail-deliver"))
			return 1 // deliberately non-zero, as DBMail: a misconfigured MTA defers
		case 'h':
			fmt.Fprint(stdout, usage)
			return exOK
		}
	}
	if len(res.Args) > 0 {
		fmt.Fprintf(stderr, "dbmail-deliver: unexpected argument %q\n%s", res.Args[0], usage)
		return exUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	raw, err := io.ReadAll(stdin)
	if err != nil || len(raw) == 0 {
		fmt.Fprintln(stderr, "dbmail-deliver: no message on standard input")
		return exTempFail
	}
	parsed, err := message.Parse(raw, message.Options{MaxDepth: 64})
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-deliver: unparsable message: %v\n", err)
		return exTempFail
	}
	a.addrs = append(a.addrs, headerRecipients(parsed, a)...)
	if len(a.addrs) == 0 {
		fmt.Fprintln(stderr, "dbmail-deliver: no recipients")
		return exNoUser
	}
	var sender string
	raw, sender = withReturnPath(raw, parsed, a.returnPath, a.returnPathOK)

	ap, err := app.Start(ctx, "dbmail-deliver", a.config, app.Options{Section: "DELIVERY", Ident: "dbmail/deliver", Verbose: a.verbose, MaxConns: 4})
	if err != nil {
		fmt.Fprintf(stderr, "dbmail-deliver: %v\n", err)
		return exTempFail
	}
	defer ap.Close()

	rcpts := make([]delivery.Recipient, 0, len(a.addrs))
	results := make([]delivery.Result, len(a.addrs))
	resolved := make([]bool, len(a.addrs))
	for i, addr := range a.addrs {
		r, err := ap.DB.ResolveRecipient(ctx, addr)
		switch {
		case err == nil:
			resolved[i] = true
			rcpts = append(rcpts, delivery.Recipient{Address: addr, Resolution: r, Mailbox: a.mailbox, Force: a.force})
		case errors.Is(err, db.ErrNotFound), errors.Is(err, db.ErrInvalid):
			results[i] = delivery.Result{Recipient: addr, DSN: delivery.DSNNoUser, Err: err}
		default:
			results[i] = delivery.Result{Recipient: addr, DSN: delivery.DSNTempFail, Err: err}
		}
	}
	if len(rcpts) > 0 {
		out, err := ap.Deliverer().Deliver(ctx, raw, sender, rcpts)
		if err != nil {
			ap.Log.Error("delivery failed", "err", err)
			fmt.Fprintf(stderr, "dbmail-deliver: %v\n", err)
			return exTempFail
		}
		j := 0
		for i := range results {
			if resolved[i] {
				results[i] = out[j]
				j++
			}
		}
	}
	var changed []int64
	for _, r := range results {
		if r.DSN != delivery.DSNDelivered {
			ap.Log.Warn("recipient not delivered", "recipient", r.Recipient, "dsn", r.DSN.String(), "err", r.Err)
		} else {
			ap.Log.Info("delivered", "recipient", r.Recipient)
		}
		changed = append(changed, r.Mailboxes...)
	}
	// Wake IMAP IDLE sessions of the running daemons (notify package).
	ncfg := notify.Config{
		Dir:       ap.Config.IMAP.PidDirectory,
		Namespace: notify.NamespaceOf(ap.Config.DBMail.DBURI, ap.Config.DBMail.TablePrefix),
	}
	if ap.DB.Dialect == db.Postgres {
		ncfg.PostgresDSN = ap.DB.Target.DSN
	}
	if err := notify.Announce(ctx, ncfg, changed); err != nil {
		ap.Log.Warn("change notification failed", "err", err)
	}
	return exitCode(results)
}

// exitCode folds the per-recipient outcomes into one sysexits value (spec
// 7.3): any temporary → 75; else any permanent non-quota → 67; else any
// quota → 73; else 0. Unlike DBMail, a transient storage error is 75.
func exitCode(results []delivery.Result) int {
	code := exOK
	for _, r := range results {
		switch {
		case r.DSN.Class == delivery.Transient && r.DSN != delivery.DSNQuotaSoft:
			return exTempFail
		case r.DSN == delivery.DSNQuotaSoft:
			return exTempFail
		case r.DSN == delivery.DSNQuotaHard:
			if code == exOK {
				code = exCantCreat
			}
		case r.DSN.Class == delivery.Permanent:
			code = exNoUser
		}
	}
	return code
}

// headerRecipients returns the addresses of the -t header, if asked. The
// list is parsed leniently as DBMail's GMime does: a bare login name
// ("Delivered-To: alice") and group members count too.
func headerRecipients(m *message.Message, a args) []string {
	if !a.useHeader {
		return nil
	}
	var out []string
	var add func(list []message.Address)
	add = func(list []message.Address) {
		for _, ad := range list {
			if ad.IsGroup {
				add(ad.Members)
				continue
			}
			if addr := ad.Addr(); addr != "" {
				out = append(out, addr)
			}
		}
	}
	for _, v := range m.HeaderValues(a.toHeader) {
		add(message.ParseAddressList(v))
	}
	return out
}

// withReturnPath applies spec 7.3's Return-Path precedence: -r replaces an
// existing header; else an existing one stays; else the From: value is
// copied. It returns the message and the envelope sender for forwards.
func withReturnPath(raw []byte, m *message.Message, rp string, set bool) ([]byte, string) {
	existing := m.HeaderValues("Return-Path")
	if !set {
		if len(existing) > 0 {
			return raw, trimAngles(strings.TrimSpace(existing[0]))
		}
		from := m.HeaderValues("From")
		if len(from) == 0 {
			return raw, ""
		}
		rp = from[0]
		if ad, err := mail.ParseAddress(rp); err == nil {
			rp = ad.Address
		}
	} else if len(existing) > 0 {
		raw = delivery.RemoveHeader(raw, "Return-Path")
	}
	rp = trimAngles(strings.TrimSpace(rp))
	return delivery.PrependHeader(raw, "Return-Path", "<"+rp+">"), rp
}

func trimAngles(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return s[1 : len(s)-1]
	}
	return s
}
