package delivery

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/sieve"
)

// SieveOptions are the [DELIVERY] Sieve settings (spec 5.10).
type SieveOptions struct {
	Enabled    bool   // SIEVE: run the user's active script
	Vacation   bool   // SIEVE_VACATION: allow the vacation extension
	Notify     bool   // SIEVE_NOTIFY: allow enotify (notifications are logged, never sent)
	Postmaster string // [DBMAIL] postmaster, the last-resort reply sender
	// DefaultCharset is [DBMAIL] default_msg_encoding, for 8-bit headers.
	DefaultCharset string
}

// EngineOptions maps the settings onto the Sieve engine's: vacation (and
// vacation-seconds) only with SIEVE_VACATION, enotify only with
// SIEVE_NOTIFY. ManageSieve advertises and validates with the same options.
func (o SieveOptions) EngineOptions() sieve.Options {
	opt := sieve.Options{Notify: o.Notify}
	if !o.Vacation {
		opt.Disabled = append(opt.Disabled, sieve.ExtVacation)
	}
	return opt
}

// maxCompiled bounds the compiled-script cache of one SieveSorter.
const maxCompiled = 1024

// SieveSorter runs the user's active Sieve script at delivery (spec 6.6
// step 4) and performs vacation and notify itself; redirects and the
// mailboxes to file into go back to the Deliverer in the SortResult.
// Deviations from DBMail (spec 9.2 item 11): vacation does not bring the
// implicit keep back, flags set for one user never leak into another's
// copy, and the body, include, variables, date, mailbox and duplicate
// extensions work.
type SieveSorter struct {
	DB     *db.DB
	Mailer Mailer
	Log    *slog.Logger
	Opt    SieveOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	engine sieve.Options
	mu     sync.Mutex
	cache  map[[32]byte]*sieve.Script // compiled scripts by source hash
}

// NewSieveSorter returns a Sorter for [DELIVERY] SIEVE. The Mailer sends
// vacation replies (the same one the Deliverer uses for redirects).
func NewSieveSorter(d *db.DB, mailer Mailer, log *slog.Logger, opt SieveOptions) *SieveSorter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SieveSorter{DB: d, Mailer: mailer, Log: log, Opt: opt, engine: opt.EngineOptions(), cache: map[[32]byte]*sieve.Script{}}
}

func (s *SieveSorter) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// compile returns the compiled form of src, parsing it once per source.
func (s *SieveSorter) compile(name, src string) (*sieve.Script, error) {
	key := sha256.Sum256([]byte(name + "\x00" + src))
	s.mu.Lock()
	sc := s.cache[key]
	s.mu.Unlock()
	if sc != nil {
		return sc, nil
	}
	sc, err := sieve.Parse(name, []byte(src), s.engine)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) >= maxCompiled {
		clear(s.cache)
	}
	s.cache[key] = sc
	s.mu.Unlock()
	return sc, nil
}

// Sort runs the active script of userID. Without SIEVE or without an
// active script the message goes to env.Mailbox. A script that does not
// compile, or fails while running, keeps the message there and logs why
// (RFC 5228 §2.10.6, spec 6.6); only a database outage is returned as an
// error (the Deliverer then keeps the message too).
func (s *SieveSorter) Sort(ctx context.Context, userID int64, env SortEnv) (*SortResult, error) {
	keep := &SortResult{Keep: []KeepTo{{Mailbox: env.Mailbox}}}
	if !s.Opt.Enabled {
		return keep, nil
	}
	d := s.DB
	if env.DB != nil {
		d = env.DB
	}
	name, src, err := d.ActiveSieveScript(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return keep, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sieve: %w", err)
	}
	sc, err := s.compile(name, src)
	if err != nil {
		s.Log.Error("sieve script does not compile, keeping message", "user", userID, "script", name, "err", err)
		return keep, nil
	}
	if env.Raw == nil && env.LoadRaw != nil {
		// A spooled message: the script sees the whole message, as
		// for one received in memory.
		if env.Raw, err = env.LoadRaw(); err != nil {
			return nil, fmt.Errorf("sieve: %w", err)
		}
	}
	now := s.now()
	senv := newSieveEnv(ctx, d, userID, env, s.Opt.DefaultCharset, now)
	res, err := sc.Run(ctx, senv)
	if err != nil {
		return nil, fmt.Errorf("sieve: %w", err)
	}
	if len(res.Errors) > 0 {
		s.Log.Error("sieve script failed, keeping message", "user", userID, "script", name, "err", errors.Join(res.Errors...))
		return keep, nil
	}
	out := s.apply(ctx, userID, env, senv, res)
	// The duplicate test's ids count as seen once the script ran to the
	// end (RFC 7352 §3.2 asks for after delivery; the Sorter does not see
	// the store's outcome, and a failed store is retried by the MTA with
	// the same id, which then counts as a duplicate — logged).
	for _, dup := range res.Duplicates {
		to, from, h := senv.duplicateKey(dup.ID, dup.Handle)
		if err := d.TouchReply(ctx, to, from, h, now); err != nil {
			s.Log.Warn("sieve duplicate: cannot record id", "user", userID, "err", err)
		}
	}
	return out, nil
}

// apply turns the script's actions into the SortResult and sends the
// vacation replies.
func (s *SieveSorter) apply(ctx context.Context, userID int64, env SortEnv, senv *sieveEnv, res *sieve.Result) *SortResult {
	out := &SortResult{}
	add := func(box string, flags []string) {
		k := KeepTo{Mailbox: box}
		k.Flags, k.Keywords = SieveFlags(flags)
		// RFC 5228 §2.10.3: filing into one mailbox twice stores one copy.
		for i, have := range out.Keep {
			if db.MailboxNameEqual(have.Mailbox, box) {
				out.Keep[i].Flags = mergeFlags(have.Flags, k.Flags)
				out.Keep[i].Keywords = mergeKeywords(have.Keywords, k.Keywords)
				return
			}
		}
		out.Keep = append(out.Keep, k)
	}
	for _, a := range res.Actions {
		switch a := a.(type) {
		case sieve.Keep:
			add(env.Mailbox, a.Flags)
		case sieve.FileInto:
			add(a.Mailbox, a.Flags)
		case sieve.Redirect:
			out.Redirect = append(out.Redirect, a.Address)
		case sieve.Reject:
			out.Reject = a.Reason
			if strings.TrimSpace(out.Reject) == "" {
				out.Reject = "message rejected by the recipient's filter"
			}
		case sieve.Discard:
			out.Discard = true
		case sieve.Vacation:
			s.vacation(ctx, userID, env, senv, a)
		case sieve.Notify:
			// DBMail registers notify but never sends (spec 5.10).
			s.Log.Info("sieve notify (not sent)", "user", userID, "method", a.Method, "importance", a.Importance, "message", a.Message)
		}
	}
	if res.ImplicitKeep && out.Reject == "" {
		add(env.Mailbox, res.ImplicitKeepFlags)
	}
	if out.Reject != "" {
		out.Keep = nil
	}
	if len(out.Keep) == 0 {
		out.Discard = true
	}
	return out
}

// SieveFlags maps imap4flags names (RFC 5232) onto system flags and
// keywords: a name starting with a backslash sets the system flag of that
// name (case-insensitive; \Recent and unknown ones are ignored), anything
// else is a keyword.
func SieveFlags(list []string) (db.Flags, []string) {
	var f db.Flags
	var kw []string
	for _, name := range list {
		if !strings.HasPrefix(name, `\`) {
			if name != "" {
				kw = mergeKeywords(kw, []string{name})
			}
			continue
		}
		switch strings.ToLower(name[1:]) {
		case "seen":
			f.Seen = true
		case "answered":
			f.Answered = true
		case "flagged":
			f.Flagged = true
		case "deleted":
			f.Deleted = true
		case "draft":
			f.Draft = true
		}
	}
	return f, kw
}

func mergeFlags(a, b db.Flags) db.Flags {
	return db.Flags{Seen: a.Seen || b.Seen, Answered: a.Answered || b.Answered, Deleted: a.Deleted || b.Deleted,
		Flagged: a.Flagged || b.Flagged, Draft: a.Draft || b.Draft, Recent: a.Recent || b.Recent}
}

func mergeKeywords(a, b []string) []string {
	for _, k := range b {
		dup := false
		for _, h := range a {
			if strings.EqualFold(h, k) {
				dup = true
				break
			}
		}
		if !dup {
			a = append(a, k)
		}
	}
	return a
}
