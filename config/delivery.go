package config

import "strings"

// TriState is a yes/no key whose absence has its own meaning.
type TriState int

// TriState values.
const (
	Unset TriState = iota
	Yes
	No
)

func (t TriState) String() string {
	switch t {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unset"
}

// Delivery is the [DELIVERY] section (spec 5.10), read by dbmail-lmtpd and
// dbmail-deliver.
type Delivery struct {
	Sieve         bool // run the user's active Sieve script
	Subaddress    bool // user+box@domain delivers into box
	SieveVacation bool // enable the vacation extension
	SieveNotify   bool // register notify (actions are logged only)
	SieveDebug    bool

	// AutoNotify and AutoReply: DBMail logs an error per recipient and skips
	// both features when either key is absent (spec 5.10 quirk).
	AutoNotify        TriState
	AutoReply         TriState
	AutoNotifySubject string // default "NEW MAIL NOTIFICATION"
	AutoNotifySender  string // default [DBMAIL] postmaster if set, else autonotify@dbmail

	SuppressDuplicates bool   // suppress re-delivery of a Message-ID into a mailbox (2.17)
	QuotaFailure       string // "hard" (default): 5.2.2; "soft": 4.2.2
}

func (r *reader) readDelivery() Delivery {
	const S = SectionDelivery
	d := Delivery{
		Sieve:              r.yesNo(S, "sieve", false, false),
		Subaddress:         r.yesNo(S, "subaddress", false, false),
		SieveVacation:      r.yesNo(S, "sieve_vacation", false, false),
		SieveNotify:        r.yesNo(S, "sieve_notify", false, false),
		SieveDebug:         r.yesNo(S, "sieve_debug", false, false),
		AutoNotify:         r.tri(S, "auto_notify"),
		AutoReply:          r.tri(S, "auto_reply"),
		AutoNotifySubject:  r.str(S, "auto_notify_subject", "NEW MAIL NOTIFICATION"),
		SuppressDuplicates: r.yesNo(S, "suppress_duplicates", false, false),
		QuotaFailure:       "hard",
	}
	sender := "autonotify@dbmail"
	if pm := r.get(SectionDBMail, "postmaster"); pm.set() {
		sender = pm.text
	}
	d.AutoNotifySender = r.str(S, "auto_notify_sender", sender)
	if s := r.get(S, "quota_failure"); s.set() {
		switch v := strings.ToLower(s.text); v {
		case "hard", "soft":
			d.QuotaFailure = v
		default:
			r.fail(s, `must be "hard" or "soft"`)
		}
	}
	return d
}
