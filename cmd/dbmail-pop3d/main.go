// Command dbmail-pop3d is the POP3 daemon (RFC 1939, RFC 2449, RFC 5034,
// RFC 2595; spec 6.3): dbmail-pop3d -f /etc/dbmail.conf -D.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemon"
	"github.com/dbmail-go/dbmail/pop3"
	"github.com/dbmail-go/dbmail/server"
)

func main() {
	os.Exit(daemon.Main(daemon.Spec{
		Program:     "dbmail-pop3d",
		Section:     "POP",
		Ident:       "dbmail/pop3d",
		DefaultPort: 110,
		Protocol:    newProtocol,
	}, os.Args[1:], os.Stdout, os.Stderr))
}

func newProtocol(a *daemon.App) (server.Protocol, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	cfg := a.Config
	p := &pop3.Protocol{
		Hostname:        host,
		Banner:          cfg.POP.Banner,
		DB:              a.DB,
		Pool:            a.Pool,
		LoginDisabled:   cfg.POP.LoginDisabled,
		BeforeSMTP:      cfg.POP.BeforeSMTP,
		NoAPOP:          cfg.DBMail.UseLDAP(),
		SecurityActions: cfg.DBMail.SecurityActions,
		Log:             a.Log,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Init(ctx); err != nil {
		return nil, fmt.Errorf("dbmail-pop3d: %w", err)
	}
	return p, nil
}
