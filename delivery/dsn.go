package delivery

import "fmt"

// Class is the class digit of an RFC 3463 enhanced status code.
type Class int

const (
	Success   Class = 2
	Transient Class = 4
	Permanent Class = 5
)

// DSN is an RFC 3463 enhanced status code with the reply text that goes
// with it.
type DSN struct {
	Class           Class
	Subject, Detail int
}

// The outcomes of one recipient (spec 6.6 "Per-recipient result").
var (
	DSNDelivered   = DSN{Success, 1, 5}   // 2.1.5 destination address valid
	DSNNoUser      = DSN{Permanent, 1, 1} // 5.1.1 bad destination mailbox address
	DSNQuotaHard   = DSN{Permanent, 2, 2} // 5.2.2 mailbox full
	DSNQuotaSoft   = DSN{Transient, 2, 2} // 4.2.2 mailbox full (quota_failure = soft)
	DSNTempFail    = DSN{Transient, 3, 0} // 4.3.0 other or undefined mail system status
	DSNForwardFail = DSN{Transient, 1, 1} // 4.1.1 a forward failed (spec 6.6 step 9)
	DSNRejected    = DSN{Permanent, 7, 1} // 5.7.1 delivery not authorized (Sieve reject)
)

func (d DSN) String() string { return fmt.Sprintf("%d.%d.%d", d.Class, d.Subject, d.Detail) }

// SMTPCode is the three-digit reply code an LMTP server sends for d.
func (d DSN) SMTPCode() int {
	switch {
	case d == DSNDelivered:
		return 250
	case d == DSNQuotaHard:
		return 552
	case d.Class == Transient && d.Subject == 2:
		return 452
	case d.Class == Transient:
		return 451
	case d == DSNRejected:
		return 550
	}
	return 550
}

// Text is the RFC 3463 description used in replies.
func (d DSN) Text() string {
	switch d {
	case DSNDelivered:
		return "OK"
	case DSNNoUser:
		return "Bad destination mailbox address"
	case DSNQuotaHard, DSNQuotaSoft:
		return "Mailbox full"
	case DSNForwardFail:
		return "Forwarding failed, try again later"
	case DSNRejected:
		return "Rejected by the recipient's filter"
	}
	return "Temporary failure, try again later"
}

// worse orders outcomes as DBMail does for a recipient with several users:
// temporary > failure > quota > ok (spec 6.6).
func worse(a, b DSN) DSN {
	rank := func(d DSN) int {
		switch {
		case d.Class == Transient && d.Subject != 2:
			return 4
		case d.Class == Permanent && d.Subject != 2:
			return 3
		case d.Subject == 2 && d.Class != Success:
			return 2
		}
		return 1
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
