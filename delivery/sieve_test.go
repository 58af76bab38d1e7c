package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// sieveEnvT is a delivery pipeline with a SieveSorter over a fresh
// database, a fake sendmail that appends its arguments and input to a
// file, and a clock the test moves.
type sieveEnvT struct {
	t      *testing.T
	d      *db.DB
	dl     *Deliverer
	sorter *SieveSorter
	alice  int64
	sent   string
	mu     sync.Mutex
	now    time.Time
}

func newSieveTest(t *testing.T, b dbtest.Backend, opt SieveOptions) *sieveEnvT {
	t.Helper()
	d := dbtest.Open(t, b)
	ctx := context.Background()
	e := &sieveEnvT{t: t, d: d, now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	var err error
	if e.alice, err = d.CreateUser(ctx, db.User{Name: "alice", Passwd: "x", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddAlias(ctx, "alice@example.com", fmt.Sprint(e.alice), 0); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e.sent = filepath.Join(dir, "sent")
	script := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"ARGS $*\" >> "+e.sent+"\ncat >> "+e.sent+"\necho >> "+e.sent+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mailer := &SendmailMailer{Command: script}
	e.sorter = NewSieveSorter(d, mailer, log, opt)
	e.sorter.Now = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	e.dl = &Deliverer{DB: d, Mailer: mailer, Log: log, Sorter: e.sorter, Opt: Options{Postmaster: "postmaster@example.com"}}
	return e
}

func (e *sieveEnvT) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// activate stores src as alice's active script.
func (e *sieveEnvT) activate(src string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.d.PutSieveScript(ctx, e.alice, "test", src); err != nil {
		e.t.Fatal(err)
	}
	if err := e.d.ActivateSieveScript(ctx, e.alice, "test"); err != nil {
		e.t.Fatal(err)
	}
}

// deliver sends raw from sender to alice and returns the DSN.
func (e *sieveEnvT) deliver(sender, raw string) DSN {
	e.t.Helper()
	ctx := context.Background()
	res, err := e.d.ResolveRecipient(ctx, "alice@example.com")
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := e.dl.Deliver(ctx, []byte(raw), sender, []Recipient{{Address: "alice@example.com", Resolution: res}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out[0].DSN
}

// box describes the messages of one of alice's mailboxes: their Subject
// and flags; nil when the mailbox does not exist.
func (e *sieveEnvT) box(name string) []string {
	e.t.Helper()
	ctx := context.Background()
	mb, err := e.d.FindMailbox(ctx, e.alice, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.d.MailboxMessages(ctx, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	kws, err := e.d.Keywords(ctx, mb.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := []string{}
	for _, m := range msgs {
		var buf bytes.Buffer
		if _, err := e.d.WriteMessage(ctx, m.PhysID, &buf, db.OriginalForm(m.MessageSize, m.RFCSize)); err != nil {
			e.t.Fatal(err)
		}
		subj := ""
		for _, l := range strings.Split(buf.String(), "\n") {
			if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				subj = strings.TrimSpace(s)
				break
			}
		}
		var flags []string
		f := m.Flags
		for _, x := range []struct {
			on   bool
			name string
		}{{f.Seen, `\Seen`}, {f.Answered, `\Answered`}, {f.Flagged, `\Flagged`}, {f.Deleted, `\Deleted`}, {f.Draft, `\Draft`}} {
			if x.on {
				flags = append(flags, x.name)
			}
		}
		k := append([]string(nil), kws[m.UID]...)
		sort.Strings(k)
		flags = append(flags, k...)
		out = append(out, subj+" "+fmt.Sprint(flags))
	}
	return out
}

// outgoing returns the ARGS lines the fake sendmail recorded.
func (e *sieveEnvT) outgoing() []string {
	e.t.Helper()
	b, err := os.ReadFile(e.sent)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if a, ok := strings.CutPrefix(l, "ARGS "); ok {
			out = append(out, a)
		}
	}
	return out
}

func (e *sieveEnvT) sentText() string {
	b, _ := os.ReadFile(e.sent)
	return string(b)
}

func msg(subject, extra, body string) string {
	return "From: Bob <bob@example.org>\r\nTo: Alice <alice@example.com>\r\nSubject: " + subject + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\n" + extra + "\r\n" + body + "\r\n"
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

var allOn = SieveOptions{Enabled: true, Vacation: true}

func TestSieveFileintoFlags(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newSieveTest(t, b, allOn)
			e.activate(`require ["fileinto", "imap4flags", "body"];
if header :contains "subject" "invoice" {
  fileinto :flags ["\\Seen", "\\Flagged", "$Invoice"] "Bills";
} elsif body :text :contains "password" {
  addflag "\\Answered";
  fileinto "Secret";
  fileinto "Secret";
  keep;
} elsif address :is "from" "spam@example.net" {
  discard;
}`)
			eq(t, "invoice", e.deliver("bob@example.org", msg("your invoice", "", "pay")), DSNDelivered)
			eq(t, "Bills", e.box("Bills"), []string{`your invoice [\Seen \Flagged $Invoice]`})
			eq(t, "INBOX", e.box("INBOX"), []string{})
			// The body test sees the decoded text of a quoted-printable part.
			eq(t, "body", e.deliver("bob@example.org", msg("note", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n", "the pass=\r\nword is =C3=A9")), DSNDelivered)
			eq(t, "Secret", e.box("Secret"), []string{`note [\Answered]`})
			eq(t, "INBOX after keep", e.box("INBOX"), []string{`note [\Answered]`})
			eq(t, "discard", e.deliver("spam@example.net", strings.Replace(msg("buy", "", "x"), "Bob <bob@example.org>", "spam@example.net", 1)), DSNDelivered)
			eq(t, "INBOX after discard", e.box("INBOX"), []string{`note [\Answered]`})
			eq(t, "plain", e.deliver("bob@example.org", msg("hello", "", "hi")), DSNDelivered)
			eq(t, "INBOX after implicit keep", e.box("INBOX"), []string{`note [\Answered]`, `hello []`})
			eq(t, "nothing sent", e.outgoing(), []string(nil))
		})
	}
}

func TestSieveRejectRedirectErrors(t *testing.T) {
	b := dbtest.Backends(t)[0]
	e := newSieveTest(t, b, allOn)
	e.activate(`require ["reject", "copy"];
if header :is "subject" "reject me" { reject "no thanks"; stop; }
if header :is "subject" "redirect me" { redirect "carol@example.net"; stop; }
if header :is "subject" "copy me" { redirect :copy "carol@example.net"; stop; }
if header :is "subject" "loop" {
  redirect "a@example.net"; redirect "b@example.net"; redirect "c@example.net";
  redirect "d@example.net"; redirect "e@example.net";
}`)
	eq(t, "reject", e.deliver("bob@example.org", msg("reject me", "", "x")), DSNRejected)
	eq(t, "redirect", e.deliver("bob@example.org", msg("redirect me", "", "x")), DSNDelivered)
	eq(t, "redirect :copy", e.deliver("bob@example.org", msg("copy me", "", "x")), DSNDelivered)
	eq(t, "redirects", e.outgoing(), []string{"-i -f bob@example.org carol@example.net", "-i -f bob@example.org carol@example.net"})
	// Too many redirects is a runtime error: the message is kept, nothing sent.
	eq(t, "runtime error", e.deliver("bob@example.org", msg("loop", "", "x")), DSNDelivered)
	eq(t, "INBOX", e.box("INBOX"), []string{"copy me []", "loop []"})
	eq(t, "no more mail", len(e.outgoing()), 2)
}

func TestSieveBrokenOrInactive(t *testing.T) {
	b := dbtest.Backends(t)[0]
	t.Run("disabled", func(t *testing.T) {
		e := newSieveTest(t, b, SieveOptions{})
		e.activate(`require "fileinto"; fileinto "Elsewhere";`)
		e.deliver("bob@example.org", msg("a", "", "x"))
		eq(t, "INBOX", e.box("INBOX"), []string{"a []"})
		eq(t, "Elsewhere", e.box("Elsewhere"), []string(nil))
	})
	t.Run("no active script", func(t *testing.T) {
		e := newSieveTest(t, b, allOn)
		if _, err := e.d.PutSieveScript(context.Background(), e.alice, "inactive", `discard;`); err != nil {
			t.Fatal(err)
		}
		e.deliver("bob@example.org", msg("a", "", "x"))
		eq(t, "INBOX", e.box("INBOX"), []string{"a []"})
	})
	t.Run("script that does not compile", func(t *testing.T) {
		e := newSieveTest(t, b, allOn)
		// Stored by hand (DBMail or SQL): vacation is off for this sorter.
		e.activate(`require "vacation"; vacation "x"; discard;`)
		e.sorter = NewSieveSorter(e.d, e.dl.Mailer, e.sorter.Log, SieveOptions{Enabled: true})
		e.dl.Sorter = e.sorter
		e.deliver("bob@example.org", msg("a", "", "x"))
		eq(t, "INBOX", e.box("INBOX"), []string{"a []"})
	})
}

// TestSieveVacation: one reply per sender per period through the fake
// sendmail, the reply cache in dbmail_replycache, no replies to lists,
// bulk mail or daemons, and vacation does not bring back the implicit
// keep (spec 9.2 item 11).
func TestSieveVacation(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newSieveTest(t, b, allOn)
			e.activate(`require ["vacation", "fileinto"];
if header :contains "subject" "file" { fileinto "Filed"; }
vacation :days 2 :subject "Away" :addresses ["alice@example.com"] "I am away until Monday.";`)
			for i := range 3 {
				e.deliver("bob@example.org", msg(fmt.Sprintf("m%d", i), "", "x"))
			}
			eq(t, "one reply", e.outgoing(), []string{"-i -f alice@example.com bob@example.org"})
			text := e.sentText()
			for _, want := range []string{"To: bob@example.org\r\n", "Subject: Away\r\n", "In-Reply-To: <m0@example.org>\r\n",
				"Auto-Submitted: auto-replied (vacation)\r\n", "X-DBMail-Vacation: yes\r\n", "\r\n\r\nI am away until Monday.\r\n"} {
				if !strings.Contains(text, want) {
					t.Errorf("reply lacks %q:\n%s", want, text)
				}
			}
			e.deliver("carol@example.org", strings.Replace(msg("c", "", "x"), "bob@example.org", "carol@example.org", 1))
			eq(t, "second sender", len(e.outgoing()), 2)
			for _, skip := range []struct{ sender, extra string }{
				{"bob@example.org", "List-Id: <list.example.org>\r\n"},
				{"bob@example.org", "Precedence: bulk\r\n"},
				{"bob@example.org", "Auto-Submitted: auto-replied\r\n"},
				{"MAILER-DAEMON@example.org", ""},
				{"", ""},
			} {
				e.advance(3 * 24 * time.Hour) // past the period: only the rule stops the reply
				e.deliver(skip.sender, msg("skip", skip.extra, "x"))
				eq(t, "no reply to "+skip.sender+" "+skip.extra, len(e.outgoing()), 2)
			}
			// Past the period (6 times 3 days later) bob gets a new reply;
			// within it, none.
			e.deliver("bob@example.org", msg("again", "", "x"))
			e.advance(24 * time.Hour)
			e.deliver("bob@example.org", msg("again2", "", "x"))
			eq(t, "replies", len(e.outgoing()), 3)
			// fileinto + vacation: filed only, no INBOX copy.
			e.deliver("bob@example.org", msg("file me", "", "x"))
			eq(t, "Filed", e.box("Filed"), []string{"file me []"})
			inbox := e.box("INBOX")
			for _, m := range inbox {
				if strings.HasPrefix(m, "file me") {
					t.Errorf("vacation resurrected the implicit keep: INBOX %v", inbox)
				}
			}
			var n int
			if err := e.d.QueryRow(context.Background(), `SELECT COUNT(*) FROM {replycache} WHERE from_addr = ?`, "alice@example.com").Scan(&n); err != nil {
				t.Fatal(err)
			}
			eq(t, "replycache rows", n, 2)
		})
	}
}

// TestSieveVacationNoSubject: without :subject the reply's subject follows
// the original's, but the sender still gets one reply per period.
func TestSieveVacationNoSubject(t *testing.T) {
	e := newSieveTest(t, dbtest.Backends(t)[0], allOn)
	e.activate(`require "vacation"; vacation :days 1 "Away.";`)
	e.deliver("bob@example.org", msg("first", "", "x"))
	e.deliver("bob@example.org", msg("second", "", "x"))
	eq(t, "replies", e.outgoing(), []string{"-i -f alice@example.com bob@example.org"})
	if !strings.Contains(e.sentText(), "Subject: Auto: first\r\n") {
		t.Errorf("reply subject:\n%s", e.sentText())
	}
	e.activate(`require "vacation"; vacation :days 1 "Back soon.";`)
	e.deliver("bob@example.org", msg("third", "", "x"))
	eq(t, "a new reason starts a new period", len(e.outgoing()), 2)
}
