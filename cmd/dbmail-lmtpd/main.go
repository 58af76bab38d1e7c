// Command dbmail-lmtpd is DBMail's LMTP delivery daemon (RFC 2033; spec
// 6.4): an MTA hands it messages, it stores them.
package main

import (
	"os"
	"strings"

	"github.com/dbmail-go/dbmail/cmd/internal/daemon"
	"github.com/dbmail-go/dbmail/lmtp"
	"github.com/dbmail-go/dbmail/server"
)

func main() {
	os.Exit(daemon.Main(Spec, os.Args[1:], os.Stdout, os.Stderr))
}

// Spec is dbmail-lmtpd's daemon description. LMTP has no default port
// (spec 5.6): without port, tls_port or socket it refuses to start.
var Spec = daemon.Spec{
	Program: "dbmail-lmtpd",
	Section: "LMTP",
	Ident:   "dbmail/lmtpd",
	Protocol: func(a *daemon.App) (server.Protocol, error) {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "localhost"
		}
		return &lmtp.Protocol{
			Hostname:   host,
			Banner:     a.Service.Banner,
			DB:         a.DB,
			Deliverer:  a.Deliverer(),
			MaxMessage: a.Service.MaxLiteralSize,
			QuotaSoft:  strings.EqualFold(a.Config.Delivery.QuotaFailure, "soft"),
			Notify:     a.Relay,
		}, nil
	},
}
