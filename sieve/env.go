package sieve

import "time"

// BodyTransform selects how the body test sees the message (RFC 5173 §5).
type BodyTransform int

const (
	BodyText    BodyTransform = iota // :text — decoded text parts (the default)
	BodyRaw                          // :raw — the undecoded body
	BodyContent                      // :content — parts of the listed content types, decoded
)

// Env is what a running script sees of the message and the mailstore. The
// delivery code implements it; the engine never does I/O itself.
type Env interface {
	// HeaderValues returns the values of the top-level header fields named
	// name, in message order, unfolded and RFC 2047-decoded (RFC 5228 §5.7).
	HeaderValues(name string) []string
	// RawHeaderValues is HeaderValues without RFC 2047 decoding.
	RawHeaderValues(name string) []string
	// EnvelopeFrom is the SMTP MAIL FROM address without brackets, "" for
	// the null reverse-path; EnvelopeTo is the RCPT TO address (RFC 5228 §5.4).
	EnvelopeFrom() string
	EnvelopeTo() string
	// Size is the message size in octets (RFC 5228 §5.9).
	Size() int64
	// Body returns the texts the body test matches against (RFC 5173 §5):
	// for BodyRaw the undecoded body, for BodyText the decoded text/* parts,
	// for BodyContent the decoded parts whose content type matches one of
	// contentTypes ("" matches all, "type" a top-level type, "type/sub" a
	// full type).
	Body(transform BodyTransform, contentTypes []string) ([]string, error)
	// MailboxExists reports whether the user's mailbox exists (RFC 5490 §3.1).
	MailboxExists(name string) bool
	// Duplicate reports whether id was recorded under handle within the
	// last seconds (RFC 7352 §3). It must not record the id itself: the
	// ids a run checked are listed in Result.Duplicates, and the caller
	// records them once the delivery succeeded (RFC 7352 §3.2); last asks
	// for the period to restart at every occurrence.
	Duplicate(id string, handle string, seconds int, last bool) (bool, error)
	// Include returns the source of a personal or global script (RFC 6609).
	// A missing script must be reported with an error wrapping
	// ErrScriptNotFound so that :optional can ignore it.
	Include(name string, global bool) ([]byte, error)
	// Now is the current time; its location is the "local" time zone of
	// the date tests (RFC 5260 §4.1).
	Now() time.Time
}
