// Command dbmail-util is DBMail's maintenance tool (spec 7.2, DBMail's
// src/maintenance.c): integrity checks, purging, cache repair, reply-cache
// and IP-log expiry, legacy migration and database cleanup. It is a dry run
// unless -y is given; the steps run in a fixed order whatever the command
// line order. Exit status: 0 nothing found, 1 found and fixed (and for
// usage, help and -V), 2 found but not fixed (dry run), 3 failures, 255
// when the database cannot be opened.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
)

// Exit statuses (spec 7.2).
const (
	exitClean    = 0
	exitFixed    = 1
	exitUsage    = 1
	exitFound    = 2
	exitFailures = 3
	exitNoDB     = 255
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program with its streams; it returns the exit status.
func run(argv []string, stdout, stderr io.Writer) int {
	o, code, done := parseArgs(argv, stdout, stderr)
	if done {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.Start(ctx, "dbmail-util", o.config, app.Options{Section: "UTIL", Ident: "dbmail/util", Verbose: o.verbose, MaxConns: 2})
	if err != nil {
		if o.quiet < 2 {
			fmt.Fprintf(stderr, "Failed. Could not connect to database (check log): %v\n", err)
		}
		return exitNoDB
	}
	defer a.Close()
	m := &maint{o: o, db: a.DB, log: a.Log, out: stdout, errw: stderr, headerReadonly: a.Config.DBMail.HeaderCacheReadonly}
	return m.run(ctx)
}
