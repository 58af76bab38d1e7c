// Command dbmail-imapd is the IMAP4rev1 daemon (spec 6.2): it serves the
// [IMAP] listeners of dbmail.conf with the imap4 protocol on the shared
// daemon main (options, config, database, worker pool, reload).
package main

import (
	"context"
	"os"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemon"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/imap4"
	"github.com/dbmail-go/dbmail/server"
)

// watchInterval is how often changes committed by other processes
// (dbmail-deliver, another imapd, dbmail-util) are looked for: one
// batched query for every selected mailbox of this process.
const watchInterval = time.Second

// pgWatchInterval is the poll interval on PostgreSQL, where LISTEN/NOTIFY
// carries the changes of other dbmail-go processes.
const pgWatchInterval = 10 * time.Second

func main() {
	os.Exit(daemon.Main(daemon.Spec{
		Program:     "dbmail-imapd",
		Section:     "IMAP",
		Ident:       "dbmail/imap4d",
		DefaultPort: 143,
		Protocol:    newProtocol,
	}, os.Args[1:], os.Stdout, os.Stderr))
}

// newProtocol maps [IMAP] settings (spec 5.4) onto imap4.Config.
func newProtocol(a *daemon.App) (server.Protocol, error) {
	c := a.Config
	lim := imap4.Limits{MaxLine: a.Service.MaxLineLength, MaxLiteral: a.Service.MaxLiteralSize, MaxPipeline: a.Service.PipelineDepth}
	if m := c.IMAP.MaxMessageSize; m > 0 && (lim.MaxLiteral <= 0 || int64(m) < lim.MaxLiteral) {
		lim.MaxLiteral = int64(min(m, 1<<62))
	}
	keep := c.IMAP.IdleTimeout * time.Duration(max(c.IMAP.IdleInterval, 1))
	if t := a.Service.Timeout; t > 0 && keep >= t {
		// The keepalive must come before the idle timeout closes an
		// IDLE client (RFC 2177 §3).
		keep = t / 2
	}
	hub := imap4.NewHub()
	// Other processes' changes come in through the daemon's relay (local
	// datagrams; LISTEN/NOTIFY on PostgreSQL), and ours go out through it.
	a.Relay.OnChange(hub.Notify)
	hub.SetForward(a.Relay.Publish)
	interval := watchInterval
	if a.DB.Dialect == db.Postgres {
		// dbmail-go processes on every host tell each other with NOTIFY;
		// the poll only catches tools that do not.
		interval = pgWatchInterval
	}
	go hub.Watch(context.Background(), a.DB, interval, a.Log)
	if unknown := imap4.UnknownCapabilities(c.IMAP.Capability); len(unknown) > 0 {
		a.Log.Warn("[IMAP] capability lists capabilities this server does not implement; they are not announced", "ignored", unknown)
	}
	return imap4.NewProtocol(imap4.Config{
		DB:              a.DB,
		Cache:           a.Cache,
		Hub:             hub,
		Log:             a.Log,
		Banner:          a.Service.Banner,
		LoginDisabled:   c.IMAP.LoginDisabled,
		NoCRAMMD5:       !c.IMAP.EnableCramMD5 || c.DBMail.UseLDAP(),
		SecurityActions: c.DBMail.SecurityActions,
		Limits:          lim,
		IdleKeepalive:   keep,
		Capability:      c.IMAP.Capability,
	}), nil
}
