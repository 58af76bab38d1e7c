package imap4

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
)

var (
	reUIDValidity = regexp.MustCompile(`^\* OK \[UIDVALIDITY (\d+)\]`)
	reModSeq      = regexp.MustCompile(`^\* OK \[HIGHESTMODSEQ (\d+)\]`)
	reUIDNext     = regexp.MustCompile(`^\* OK \[UIDNEXT (\d+)\]`)
)

// grab returns the first submatch of re over lines.
func grab(t *testing.T, lines []string, re *regexp.Regexp) string {
	t.Helper()
	for _, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	t.Fatalf("%s not in %q", re, lines)
	return ""
}

// TestSessionTwoSessions: changes of one session reach another selected
// on the same mailbox as RFC 3501 and RFC 7162 require: flag changes as
// FETCH, no expunge during FETCH, VANISHED under QRESYNC, new mail as
// EXISTS, and VANISHED (EARLIER) when reselecting with QRESYNC.
func TestSessionTwoSessions(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		a := e.login("alice")
		var uids []string
		for i := 0; i < 3; i++ {
			msg := fmt.Sprintf("Subject: m%d\r\n\r\nx\r\n", i)
			got := a.cmd(fmt.Sprintf("A APPEND INBOX {%d+}\r\n%s", len(msg), msg))
			m := appendUID.FindStringSubmatch(got[len(got)-1])
			if m == nil {
				t.Fatalf("APPEND %q", got)
			}
			uids = append(uids, m[2])
		}
		b := e.login("alice")
		b.expect("e ENABLE QRESYNC", "* ENABLED QRESYNC", "e OK ENABLE completed")
		a.cmd("s SELECT INBOX")
		sel := b.cmd("s SELECT INBOX")
		uidv, modseq := grab(t, sel, reUIDValidity), grab(t, sel, reModSeq)

		a.expect(`1 STORE 1 +FLAGS.SILENT (\Flagged)`, "1 OK STORE completed")
		got := b.cmd("n NOOP")
		if len(got) != 2 || !strings.HasPrefix(got[0], `* 1 FETCH (FLAGS (\Flagged) UID `+uids[0]+` MODSEQ (`) || got[1] != "n OK NOOP completed" {
			t.Fatalf("flag change seen by the other session: %q", got)
		}

		// A flag change found when a FETCH starts is reported after the
		// FETCH's own response for that message (as Dovecot does).
		a.expect(`1b STORE 1 +FLAGS.SILENT (\Answered)`, "1b OK STORE completed")
		got = b.cmd("fa FETCH 1 (UID)")
		if len(got) != 3 || !strings.HasPrefix(got[0], "* 1 FETCH (UID "+uids[0]+" MODSEQ (") ||
			!strings.HasPrefix(got[1], `* 1 FETCH (FLAGS (\Answered \Flagged) UID `+uids[0]) || got[2] != "fa OK FETCH completed" {
			t.Fatalf("deferred flag update: %q", got)
		}

		a.expect(`2 STORE 2 +FLAGS.SILENT (\Deleted)`, "2 OK STORE completed")
		a.expect("3 EXPUNGE", "* 2 EXPUNGE", "3 OK EXPUNGE completed")
		// RFC 3501 §7.4.1: no EXPUNGE (or VANISHED) while answering FETCH.
		for _, l := range b.cmd("f FETCH 1:3 (UID)") {
			if strings.Contains(l, "VANISHED") || strings.Contains(l, "EXPUNGE") {
				t.Fatalf("expunge reported during FETCH: %q", l)
			}
		}
		b.expect("n2 NOOP", "* VANISHED "+uids[1], "n2 OK NOOP completed")

		msg := "Subject: new\r\n\r\ny\r\n"
		a.cmd(fmt.Sprintf("A APPEND INBOX {%d+}\r\n%s", len(msg), msg))
		b.expect("n3 NOOP", "* 3 EXISTS", "* 0 RECENT", "n3 OK NOOP completed")

		c := e.login("alice")
		c.cmd("e ENABLE QRESYNC")
		got = c.cmd(fmt.Sprintf("q SELECT INBOX (QRESYNC (%s %s))", uidv, modseq))
		found := false
		for _, l := range got {
			found = found || l == "* VANISHED (EARLIER) "+uids[1]
		}
		if !found || got[len(got)-1] != "q OK [READ-WRITE] SELECT completed" {
			t.Fatalf("QRESYNC SELECT: %q", got)
		}
		next := grab(t, got, reUIDNext)
		if atoi(t, next) <= atoi(t, uids[2]) {
			t.Fatalf("UIDNEXT %s not above %s", next, uids[2])
		}
	})
}

// TestSessionSelectClaimRace: a flag change another session commits while
// SELECT reads the mailbox and then claims its \Recent messages (a write
// with its own MODSEQ bump) must still reach the selecting session. SELECT
// used to take the claim's MODSEQ as "the view's MODSEQ + 1", so a change
// committed in between fell below the view's MODSEQ and was never reported:
// the imaptest stress checkpoints then found one client with different
// flags for a message than the others.
func TestSessionSelectClaimRace(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			var armed atomic.Bool
			var storeUID atomic.Int64
			var e *sessEnv
			e = startIMAPWith(t, b, func(_ *server.Config, c *Config) {
				c.afterSelectRead = func(mailboxID int64) {
					if !armed.CompareAndSwap(true, false) {
						return
					}
					// Another session's STORE, committed between the
					// snapshot and the \Recent claim.
					if _, err := e.d.IMAPStoreFlags(context.Background(), mailboxID, []int64{storeUID.Load()},
						db.IMAPStore{Op: db.IMAPStoreAdd, Flags: db.Flags{Flagged: true}}); err != nil {
						t.Error(err)
					}
				}
			})
			a := e.login("alice")
			var uids []string
			for i := 0; i < 2; i++ {
				msg := fmt.Sprintf("Subject: m%d\r\n\r\nx\r\n", i)
				got := a.cmd(fmt.Sprintf("A APPEND INBOX {%d+}\r\n%s", len(msg), msg))
				m := appendUID.FindStringSubmatch(got[len(got)-1])
				if m == nil {
					t.Fatalf("APPEND %q", got)
				}
				uids = append(uids, m[2])
				if i == 0 {
					// a claims message 1's \Recent: only message 2
					// is left for b to claim.
					a.cmd("s SELECT INBOX")
					a.expect("u UNSELECT", "u OK UNSELECT completed")
				}
			}
			storeUID.Store(int64(atoi(t, uids[0])))
			// b's SELECT finds message 2 \Recent and claims it.
			b := e.login("alice")
			armed.Store(true)
			sel := b.cmd("s SELECT INBOX")
			if armed.Load() || sel[len(sel)-1] != "s OK [READ-WRITE] SELECT completed" {
				t.Fatalf("SELECT (hook ran: %v): %q", !armed.Load(), sel)
			}
			b.expect("n NOOP", `* 1 FETCH (FLAGS (\Flagged) UID `+uids[0]+`)`, "n OK NOOP completed")
			b.expect("f FETCH 1:2 (UID FLAGS)",
				`* 1 FETCH (UID `+uids[0]+` FLAGS (\Flagged))`,
				`* 2 FETCH (UID `+uids[1]+` FLAGS (\Recent))`,
				"f OK FETCH completed")
		})
	}
}
