package app

import (
	"strings"

	"github.com/dbmail-go/dbmail/delivery"
)

// Deliverer builds the delivery pipeline from [DELIVERY] and [DBMAIL]
// (spec 5.10, 6.6), as dbmail-lmtpd and dbmail-deliver use it.
func (a *App) Deliverer() *delivery.Deliverer {
	c := a.Config
	mailer := delivery.NewMailer(c.DBMail.Sendmail, c.DBMail.SMTPHostSet, c.DBMail.SMTPHost, c.DBMail.SMTPUser, c.DBMail.SMTPPassword)
	return &delivery.Deliverer{
		DB: a.DB,
		Opt: delivery.Options{
			Subaddress:         c.Delivery.Subaddress,
			SuppressDuplicates: c.Delivery.SuppressDuplicates,
			QuotaSoft:          strings.EqualFold(c.Delivery.QuotaFailure, "soft"),
			Postmaster:         c.DBMail.Postmaster,
			DefaultCharset:     c.DBMail.DefaultMsgEncoding,
		},
		Mailer: mailer,
		Log:    a.Log,
		Sorter: delivery.NewSieveSorter(a.DB, mailer, a.Log, delivery.SieveOptions{
			Enabled:        c.Delivery.Sieve,
			Vacation:       c.Delivery.SieveVacation,
			Notify:         c.Delivery.SieveNotify,
			Postmaster:     c.DBMail.Postmaster,
			DefaultCharset: c.DBMail.DefaultMsgEncoding,
		}),
	}
}
