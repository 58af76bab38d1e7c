// Command dbmail-users manages accounts, aliases and forwards (spec 7.1 of
// the DBMail compatibility contract, DBMail's src/user.c). Exactly one mode
// (-a -c -d -e -l -L -x) is required; the exit status is 0 on success, 1 for
// usage-ish outcomes (dry run, -e without -y, -l not found, -V) and 255 for
// errors, and for -c the bitwise OR of the step results.
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

// Exit statuses (spec 7.1).
const (
	exitOK    = 0
	exitUsage = 1   // dry run, -e without -y, -l not found, -V
	exitError = 255 // DBMail's -1
)

const usage = `*** dbmail-users ***
Use this program to manage the users for your DBMail system.
See the man page for more info. Summary:

     -a user   add a user
     -d user   delete a user
     -c user   change details for a user
     -e user   empty all mailboxes for a user
     -l uspec  list information for matching users
     -L        list all users and forwards
     -x alias  create an external forwarding address
     -i        enter an interactive user management console

     -w passwd specify user's password on the command line
     -W [file] read from a file or prompt for a user's password
     -p pwtype password type may be one of the following:
               plaintext, crypt, md5-hash, md5-digest, md5-base64,
               sha1, sha256, sha512, whirlpool, tiger (append -raw to
               store an already encoded value), shadow
     -P [file] pull encrypted password from the shadow file
     -u user   new username (only useful for -c, change)
     -g client assign the user to a client
     -m max    set the maximum mail quota in <bytes>B,
               <kbytes>K, or <mbytes>M, default in bytes
               specify 0 to remove any mail quota limits
     -s alia.. adds a list of recipient aliases
     -S alia.. removes a list of recipient aliases (wildcards supported)
     -t fwds.. adds a list of deliver-to forwards
     -T fwds.. removes a list of deliver-to forwards (wildcards supported)
     --security-password PW  set the security password (spec 4.3)
     --security-action N     set the security action, 0-999
     --enable, --disable     allow or refuse logins

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
	{Short: 'a', Long: "add-user", Arg: getopt.RequiredArgument},
	{Short: 'c', Long: "change-user", Arg: getopt.RequiredArgument},
	{Short: 'd', Long: "delete-user", Arg: getopt.RequiredArgument},
	{Short: 'e', Long: "empty-user-mailboxes", Arg: getopt.RequiredArgument},
	{Short: 'l', Long: "list-user", Arg: getopt.RequiredArgument},
	{Short: 'L', Long: "list-users"},
	{Short: 'x', Long: "forward", Arg: getopt.RequiredArgument},
	{Short: 'i', Long: "interactive"},
	{Short: 'w', Long: "password", Arg: getopt.RequiredArgument},
	{Short: 'W', Long: "pw-file", Arg: getopt.OptionalArgument},
	{Short: 'p', Long: "pw-type", Arg: getopt.RequiredArgument},
	{Short: 'P', Long: "pw-shadow", Arg: getopt.OptionalArgument},
	{Short: 'u', Long: "user", Arg: getopt.RequiredArgument},
	{Short: 'g', Long: "client", Arg: getopt.RequiredArgument},
	{Short: 'm', Long: "max-quota", Arg: getopt.RequiredArgument},
	{Short: 's', Long: "add-alias", Arg: getopt.RequiredArgument},
	{Short: 'S', Long: "delete-alias", Arg: getopt.RequiredArgument},
	{Short: 't', Long: "add-forward", Arg: getopt.RequiredArgument},
	{Short: 'T', Long: "delete-forward", Arg: getopt.RequiredArgument},
	{Long: "security-password", Arg: getopt.RequiredArgument},
	{Long: "security-action", Arg: getopt.RequiredArgument},
	{Long: "enable"},
	{Long: "disable"},
	{Short: 'f', Long: "config", Arg: getopt.RequiredArgument},
	{Short: 'q', Long: "quiet"},
	{Short: 'n', Long: "no"},
	{Short: 'y', Long: "yes"},
	{Short: 'v', Long: "verbose"},
	{Short: 'V', Long: "version"},
	{Short: 'h', Long: "help"},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program with its streams; it returns the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code, done := parseArgs(argv, stdout, stderr)
	if done {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.Start(ctx, "dbmail-users", o.config, app.Options{Section: "USERS", Ident: "dbmail/users", Verbose: o.verbose, MaxConns: 2})
	if err != nil {
		o.errorf(stderr, "Failed. Could not connect to database (check log): %v\n", err)
		return exitError
	}
	defer a.Close()
	c := &cmd{o: o, db: a.DB, log: a.Log, stdin: stdin, stdout: stdout, stderr: stderr}
	return c.dispatch(ctx)
}

// errorf writes an error unless -q was given twice (spec 7.0).
func (o *opts) errorf(w io.Writer, format string, args ...any) {
	if o.quiet >= 2 {
		return
	}
	fmt.Fprintf(w, format, args...)
}

// infof writes an informational line unless -q was given (spec 7.0).
func (o *opts) infof(w io.Writer, format string, args ...any) {
	if o.quiet >= 1 {
		return
	}
	fmt.Fprintf(w, format, args...)
}
