// Package delivery is the pipeline LMTP and dbmail-deliver share (spec 2.2,
// 6.6): parse a message once, pick a mailbox for every user every recipient
// resolves to, store ONE physmessage with one message row per mailbox in one
// transaction, then send the forwards.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// Options are the [DELIVERY] and [DBMAIL] settings delivery obeys.
type Options struct {
	Subaddress         bool   // SUBADDRESS: user+box@domain delivers into box (spec 6.6 step 3)
	SuppressDuplicates bool   // suppress_duplicates (spec 2.17)
	QuotaSoft          bool   // quota_failure = soft: 4.2.2 instead of 5.2.2
	Postmaster         string // fallback envelope sender for forwards
	DefaultCharset     string // default_msg_encoding
}

// Deliverer delivers messages into the store.
type Deliverer struct {
	DB     *db.DB
	Opt    Options
	Mailer Mailer
	Log    *slog.Logger
	// Sorter, when set, runs the user's filtering (Sieve) and may replace
	// the implicit keep; nil delivers to the implicit-keep mailbox.
	Sorter Sorter
}

// Sorter decides where one user's copy goes (Sieve, spec 6.6 step 4).
type Sorter interface {
	Sort(ctx context.Context, userID int64, env SortEnv) (*SortResult, error)
}

// SortEnv is what a Sorter sees of the delivery.
type SortEnv struct {
	// DB is the handle the delivery runs on (a worker's connection in a
	// daemon); a Sorter queries through it.
	DB      *db.DB
	Message *message.Message
	// Raw is the message as received; nil for a spooled message
	// (DeliverSpool) until LoadRaw reads it.
	Raw []byte
	// LoadRaw returns Raw, reading a spooled message into memory first;
	// a Sorter that needs the bytes calls it (nil: Raw is complete).
	LoadRaw      func() ([]byte, error)
	EnvelopeFrom string
	EnvelopeTo   string
	Mailbox      string // the implicit-keep mailbox chosen so far
}

// SortResult lists the mailboxes a Sorter chose (empty with Discard or
// Reject set means no local copy) and where to redirect.
type SortResult struct {
	Keep     []KeepTo
	Discard  bool
	Reject   string // non-empty: fail the recipient permanently with this reason
	Redirect []string
}

// KeepTo is one mailbox a copy goes into, with the flags Sieve set.
type KeepTo struct {
	Mailbox  string
	Flags    db.Flags
	Keywords []string
}

// Recipient is one envelope recipient to deliver to.
type Recipient struct {
	Address    string
	Resolution *db.Resolution // from db.ResolveRecipient (LMTP resolves at RCPT time)
	// Mailbox replaces INBOX as the implicit-keep mailbox (dbmail-deliver -m).
	Mailbox string
	// Force delivers straight into Mailbox: no filters, subaddress, Sieve or
	// ACL checks (dbmail-deliver -M, spec 6.6 step 1).
	Force bool
}

// Result is the outcome for one recipient.
type Result struct {
	Recipient string
	DSN       DSN
	Err       error   // the cause of a failure, for the log
	Mailboxes []int64 // mailboxes that received a copy, for change notification
}

// plan is one user's share of a recipient: where its copies go.
type plan struct {
	rcpt    int
	userID  int64
	dests   []int // indexes into the dests slice
	outcome DSN
	err     error
}

// Deliver parses raw once and delivers it to every recipient; the result
// slice matches rcpts. An error is returned only when nothing could be
// attempted (an unparsable message); per-recipient failures, including a
// database outage (4.3.0), are in the results.
func (d *Deliverer) Deliver(ctx context.Context, raw []byte, envelopeFrom string, rcpts []Recipient) ([]Result, error) {
	m, err := message.Parse(raw, message.Options{MaxDepth: 64, DefaultCharset: d.Opt.DefaultCharset})
	if err != nil {
		return nil, fmt.Errorf("parse message: %w", err)
	}
	return d.deliver(ctx, m, &rawMessage{b: raw}, envelopeFrom, rcpts)
}

// DeliverSpool is Deliver for a message received into a spool (LMTP DATA
// beyond message.SpoolThreshold): it is split with message.ParseSpool and
// stored row by row, so the delivery costs bounded memory. Only a Sieve
// script that runs, a redirect or a forward reads the whole message into
// memory, as they need it whole. The spool must stay open until Deliver
// returns.
func (d *Deliverer) DeliverSpool(ctx context.Context, sp *message.Spool, envelopeFrom string, rcpts []Recipient) ([]Result, error) {
	m, err := message.ParseSpool(sp, message.Options{MaxDepth: 64, DefaultCharset: d.Opt.DefaultCharset})
	if err != nil {
		return nil, fmt.Errorf("parse message: %w", err)
	}
	return d.deliver(ctx, m, &rawMessage{spool: sp}, envelopeFrom, rcpts)
}

// rawMessage is the message as received, for the consumers that need its
// bytes whole (Sieve, redirects, forwards); a spooled message is read into
// memory on the first such use only.
type rawMessage struct {
	b     []byte
	spool *message.Spool
}

func (r *rawMessage) bytes() ([]byte, error) {
	if r.b == nil && r.spool != nil {
		b, err := r.spool.Bytes()
		if err != nil {
			return nil, err
		}
		r.b = b
	}
	return r.b, nil
}

func (d *Deliverer) deliver(ctx context.Context, m *message.Message, raw *rawMessage, envelopeFrom string, rcpts []Recipient) ([]Result, error) {
	idate := m.FromLineDate
	if idate.IsZero() {
		idate = time.Now()
	}
	results := make([]Result, len(rcpts))
	var dests []db.Dest
	var plans []*plan
	for i, r := range rcpts {
		results[i] = Result{Recipient: r.Address, DSN: DSNDelivered}
		if r.Resolution == nil || (len(r.Resolution.UserIDs) == 0 && len(r.Resolution.Forwards) == 0) {
			results[i].DSN = DSNNoUser
			continue
		}
		for _, uid := range r.Resolution.UserIDs {
			p := &plan{rcpt: i, userID: uid, outcome: DSNDelivered}
			plans = append(plans, p)
			var inbox *db.Mailbox
			keeps, outcome, err := d.route(ctx, uid, r, m, raw, envelopeFrom, &inbox)
			if err != nil {
				p.outcome, p.err = outcome, err
				continue
			}
			for _, k := range keeps {
				var mb *db.Mailbox
				var err error
				if inbox != nil && db.NormalizeMailboxName(k.Mailbox) == "INBOX" {
					mb = inbox // read with the filters
				} else {
					mb, err = d.mailboxFor(ctx, uid, k.Mailbox, r.Force)
				}
				if err != nil {
					p.outcome, p.err = tempOr(err, DSNNoUser), err
					break
				}
				if d.Opt.SuppressDuplicates && d.isDuplicate(ctx, mb.ID, m) {
					continue
				}
				flags := k.Flags
				flags.Recent = true
				p.dests = append(p.dests, len(dests))
				dests = append(dests, db.Dest{MailboxID: mb.ID, QuotaUser: uid, Flags: flags, Keywords: k.Keywords})
			}
		}
	}
	if len(dests) > 0 {
		_, stored, err := d.DB.StoreMessage(ctx, m, idate, dests)
		if err != nil && !errors.Is(err, db.ErrNothingStored) {
			d.Log.Error("store message failed", "err", err)
			for _, p := range plans {
				if len(p.dests) > 0 {
					p.outcome, p.err = DSNTempFail, err
				}
			}
		} else {
			for _, p := range plans {
				for _, di := range p.dests {
					if stored[di].Err == nil {
						results[p.rcpt].Mailboxes = append(results[p.rcpt].Mailboxes, dests[di].MailboxID)
					}
					if stored[di].Err != nil {
						q := DSNQuotaHard
						if d.Opt.QuotaSoft {
							q = DSNQuotaSoft
						}
						p.outcome, p.err = worse(p.outcome, q), stored[di].Err
					}
				}
			}
		}
	}
	for _, p := range plans {
		results[p.rcpt].DSN = worse(results[p.rcpt].DSN, p.outcome)
		if p.err != nil {
			results[p.rcpt].Err = p.err
		}
	}
	d.forward(ctx, raw, envelopeFrom, rcpts, results)
	return results, nil
}

// route returns the mailboxes one user's copy goes into (spec 6.6 steps 1–5).
// For an ordinary delivery (no mailbox given) the user's INBOX is read
// with the filters, in one query, and returned in *inbox (nil when the
// user has none yet).
func (d *Deliverer) route(ctx context.Context, userID int64, r Recipient, m *message.Message, raw *rawMessage, from string, inbox **db.Mailbox) ([]KeepTo, DSN, error) {
	if r.Force {
		return []KeepTo{{Mailbox: r.Mailbox}}, DSNDelivered, nil
	}
	box := r.Mailbox
	if box == "" {
		box = "INBOX"
		mb, filters, err := d.DB.InboxAndFilters(ctx, userID)
		if err == nil && mb == nil {
			filters, err = d.DB.Filters(ctx, userID)
		}
		if err != nil {
			return nil, DSNTempFail, err
		}
		*inbox = mb
		if f := MatchFilter(filters, m); f != nil {
			box = f.Mailbox
		}
	}
	if d.Opt.Subaddress && r.Resolution.Detail != "" {
		// The subaddress mailbox must exist; it is not created (spec 6.6 step 3).
		if mb, err := d.DB.FindMailbox(ctx, userID, r.Resolution.Detail); err == nil {
			box = mb.Name
		} else if !errors.Is(err, db.ErrNotFound) {
			return nil, DSNTempFail, err
		}
	}
	if d.Sorter != nil {
		res, err := d.Sorter.Sort(ctx, userID, SortEnv{DB: d.DB, Message: m, Raw: raw.b, LoadRaw: raw.bytes, EnvelopeFrom: from, EnvelopeTo: r.Address, Mailbox: box})
		if err != nil {
			// A failing script keeps the message (spec 6.6 step 4).
			d.Log.Warn("sieve failed, keeping message", "user", userID, "err", err)
			return []KeepTo{{Mailbox: box}}, DSNDelivered, nil
		}
		if res.Reject != "" {
			return nil, DSNRejected, fmt.Errorf("rejected by filter: %s", res.Reject)
		}
		for _, to := range res.Redirect {
			b, err := raw.bytes()
			if err == nil {
				err = d.Mailer.Send(ctx, senderOr(from, d.Opt.Postmaster), []string{to}, b)
			}
			if err != nil {
				d.Log.Error("sieve redirect failed", "to", to, "err", err)
			}
		}
		return res.Keep, DSNDelivered, nil
	}
	return []KeepTo{{Mailbox: box}}, DSNDelivered, nil
}

// mailboxFor finds or creates the user's mailbox; a mailbox that cannot be
// created falls back to INBOX as DBMail does for missing rights (6.6 step 5).
func (d *Deliverer) mailboxFor(ctx context.Context, userID int64, name string, force bool) (*db.Mailbox, error) {
	mb, err := d.DB.EnsureMailbox(ctx, userID, name)
	if err == nil {
		return mb, nil
	}
	if !force && !db.IsTemporary(err) && db.NormalizeMailboxName(name) != "INBOX" {
		d.Log.Warn("cannot deliver to mailbox, using INBOX", "user", userID, "mailbox", name, "err", err)
		return d.DB.EnsureMailbox(ctx, userID, "INBOX")
	}
	return nil, err
}

func (d *Deliverer) isDuplicate(ctx context.Context, mailboxID int64, m *message.Message) bool {
	ids := m.HeaderValues("Message-ID")
	if len(ids) == 0 {
		return false
	}
	dup, err := d.DB.HasRecentMessageID(ctx, mailboxID, strings.TrimSpace(ids[0]))
	if err != nil {
		d.Log.Warn("duplicate check failed", "err", err)
		return false
	}
	return dup
}

// forward sends the message to the external targets of each recipient's
// aliases after the local deliveries (spec 6.6 step 9). A failed forward
// makes the recipient a temporary failure.
func (d *Deliverer) forward(ctx context.Context, raw *rawMessage, from string, rcpts []Recipient, results []Result) {
	sender := senderOr(from, d.Opt.Postmaster)
	for i, r := range rcpts {
		if r.Resolution == nil || results[i].DSN.Class != Success {
			continue
		}
		for _, t := range r.Resolution.Forwards {
			b, err := raw.bytes()
			if err == nil {
				err = Forward(ctx, d.Mailer, sender, t, b, time.Now())
			}
			if err != nil {
				d.Log.Error("forward failed", "recipient", r.Address, "target", t, "err", err)
				results[i].DSN, results[i].Err = DSNForwardFail, err
			}
		}
	}
}

func senderOr(from, fallback string) string {
	if from != "" {
		return from
	}
	if fallback != "" {
		return fallback
	}
	return "DBMAIL-MAILER@dbmail"
}

// tempOr maps a database outage to 4.3.0 and anything else to perm.
func tempOr(err error, perm DSN) DSN {
	if db.IsTemporary(err) {
		return DSNTempFail
	}
	return perm
}
