// Command dbmail-sieved is the ManageSieve daemon (RFC 5804, spec 6.5)
// under DBMail 3.5's name; dbmail-timsieved is the same program under the
// name DBMail used until 3.4. It listens on [SIEVE] port, 4090 when unset as
// in DBMail (4190 is the IANA-assigned ManageSieve port, which the shipped
// dbmail.conf sets).
package main

import (
	"os"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/cmd/internal/daemon"
	"github.com/dbmail-go/dbmail/server"
	"github.com/dbmail-go/dbmail/timsieve"
)

func main() {
	os.Exit(daemon.Main(daemon.Spec{
		Program:     "dbmail-sieved",
		Section:     "SIEVE",
		Ident:       "dbmail/sieved",
		DefaultPort: 4090,
		Protocol: func(a *daemon.App) (server.Protocol, error) {
			return timsieve.FromConfig(a.Config, a.DB, a.Log, app.Version), nil
		},
	}, os.Args[1:], os.Stdout, os.Stderr))
}
