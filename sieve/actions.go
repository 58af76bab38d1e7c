package sieve

import (
	"errors"
	"strings"
)

// ErrScriptNotFound is wrapped by Env.Include when a script does not exist.
var ErrScriptNotFound = errors.New("sieve script not found")

// Action is one thing the delivery must do with the message.
type Action interface{ action() }

// Keep files the message into the default mailbox (RFC 5228 §4.3).
type Keep struct {
	Flags []string // IMAP flags and keywords (RFC 5232 §3)
}

// FileInto files the message into Mailbox (RFC 5228 §4.1).
type FileInto struct {
	Mailbox string
	Flags   []string // RFC 5232 §5
	Copy    bool     // RFC 3894: does not cancel the implicit keep
	Create  bool     // RFC 5490 §3.2: create the mailbox if it is missing
}

// Redirect resends the message to Address (RFC 5228 §4.2).
type Redirect struct {
	Address string
	Copy    bool // RFC 3894
}

// Reject refuses the message with Reason (RFC 5429). Extended is true for
// ereject, which asks for an SMTP/LMTP-level refusal when possible.
type Reject struct {
	Reason   string
	Extended bool
}

// Discard silently drops the message (RFC 5228 §4.4).
type Discard struct{}

// Vacation asks the caller to send an auto-reply (RFC 5230). The caller
// keeps the reply cache keyed by (To, Handle) for Seconds and sends the
// message; Skip, when not empty, is the reason why the RFC 5230 §4.5 and
// RFC 3834 rules say no reply must be sent for this message.
type Vacation struct {
	Reason    string // body text, or a MIME entity when Mime is true
	Subject   string // RFC 5230 §4.4: :subject or "Auto: " + original subject
	From      string // :from, "" to let the caller choose
	To        string // the envelope sender the reply goes to (RFC 5230 §4.5)
	Addresses []string
	Handle    string // :handle, or derived from the arguments (RFC 5230 §4.2)
	Seconds   int64  // minimum time between replies to one sender
	Mime      bool
	InReplyTo string // Message-ID of the original message, for In-Reply-To
	Skip      string
}

func (Keep) action()     {}
func (FileInto) action() {}
func (Redirect) action() {}
func (Reject) action()   {}
func (Discard) action()  {}
func (Vacation) action() {}

// Result is the outcome of running a script.
type Result struct {
	// ImplicitKeep is true when no action cancelled the implicit keep
	// (RFC 5228 §2.10.2); the message then goes to the default mailbox
	// with ImplicitKeepFlags (RFC 5232 §3).
	ImplicitKeep      bool
	ImplicitKeepFlags []string
	Actions           []Action
	// Duplicates are the ids the duplicate test checked; the caller
	// records them when the message was delivered (RFC 7352 §3.2).
	Duplicates []DuplicateID
	// Errors are runtime errors. When there is one, the script stopped,
	// Actions holds nothing and ImplicitKeep is true (RFC 5228 §2.10.6).
	Errors []error
}

// DuplicateID is one id checked by the duplicate test (RFC 7352 §3).
type DuplicateID struct {
	ID      string
	Handle  string
	Seconds int
	Last    bool
}

// splitFlags builds the imap4flags internal variable: a space-separated list of
// flags with case-insensitive duplicates removed (RFC 5232 §3).
func splitFlags(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		for _, f := range strings.Fields(s) {
			k := strings.ToLower(f)
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func removeFlags(cur, rm []string) []string {
	drop := map[string]bool{}
	for _, f := range splitFlags(rm) {
		drop[strings.ToLower(f)] = true
	}
	var out []string
	for _, f := range cur {
		if !drop[strings.ToLower(f)] {
			out = append(out, f)
		}
	}
	return out
}
