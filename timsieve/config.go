package timsieve

import (
	"log/slog"

	"github.com/dbmail-go/dbmail/config"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/delivery"
)

// DefaultImplementation is the IMPLEMENTATION capability when [SIEVE]
// banner is unset (spec 5.7: DBMail's "DBMail sieved <version>").
func DefaultImplementation(version string) string {
	return "DBMail sieved 3.5.6 (dbmail-go " + version + ")"
}

// FromConfig builds the protocol from dbmail.conf: [SIEVE] banner, the
// [DELIVERY] SIEVE_VACATION / SIEVE_NOTIFY switches that decide which
// extensions scripts may use (the same options delivery runs them with),
// [DBMAIL] security_action, and [SIEVE] max_literal_size (dbmail-go's
// per-service literal limit) capped at the engine's script size limit.
func FromConfig(c *config.Config, d *db.DB, log *slog.Logger, version string) *Protocol {
	svc := c.Service(config.SectionSieve)
	impl := DefaultImplementation(version)
	var maxLit int64
	if svc != nil {
		if svc.Banner != "" {
			impl = svc.Banner
		}
		maxLit = svc.MaxLiteralSize
	}
	opt := delivery.SieveOptions{Enabled: c.Delivery.Sieve, Vacation: c.Delivery.SieveVacation, Notify: c.Delivery.SieveNotify}
	return &Protocol{
		DB:              d,
		Implementation:  impl,
		Sieve:           opt.EngineOptions(),
		SecurityActions: c.DBMail.SecurityActions,
		MaxScriptSize:   min(max(maxLit, 0), DefaultMaxScriptSize),
		Log:             log,
	}
}
