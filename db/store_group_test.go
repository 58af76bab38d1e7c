package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// groupDelivery is one StoreMessage of the group-commit tests.
type groupDelivery struct {
	name string
	raw  string
	dest db.Dest
	res  []db.Stored
	err  error
}

// storeQueued starts every delivery while all group-commit flushers are
// held, waits until all of them queue, lets one flusher slot go (the
// queue's head writes them all as one batch) and waits for the results.
func storeQueued(t *testing.T, d *db.DB, ds []*groupDelivery) db.GroupStats {
	t.Helper()
	ctx := context.Background()
	before := d.GroupStats()
	queued, release := d.HoldGroupFlushers()
	done := make(chan struct{}, len(ds))
	for _, x := range ds {
		go func() {
			defer func() { done <- struct{}{} }()
			_, x.res, x.err = d.StoreMessage(ctx, parse(t, []byte(x.raw)), time.Now(), []db.Dest{x.dest})
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); queued() < len(ds); {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries queued", queued(), len(ds))
		}
		time.Sleep(time.Millisecond)
	}
	release()
	for range ds {
		<-done
	}
	release() // the other held slot: nobody waits, it is freed
	after := d.GroupStats()
	return db.GroupStats{Batches: after.Batches - before.Batches, Statements: after.Statements - before.Statements, Refused: after.Refused - before.Refused}
}

// TestGroupCommit: concurrent single-target deliveries on PostgreSQL are
// written as one batch and one commit; a refused quota inside the batch
// stores nothing for that message only; a statement PostgreSQL rejects
// rolls the batch back and every delivery is retried on its own, so only
// the bad one fails and nothing of it is left behind.
func TestGroupCommit(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		if b.Name != "postgresql" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			alice, aliceIn := newUser(t, d, "alice", 0)
			bob, bobIn := newUser(t, d, "bob", 100)
			msg := func(subject string, body int) string {
				return fmt.Sprintf("From: x@example.org\r\nSubject: %s\r\n\r\n%s\r\n", subject, strings.Repeat("y", body))
			}

			ok1 := &groupDelivery{name: "ok1", raw: msg("one", 10), dest: db.Dest{MailboxID: aliceIn.ID, QuotaUser: alice}}
			over := &groupDelivery{name: "over", raw: msg("over quota", 500), dest: db.Dest{MailboxID: bobIn.ID, QuotaUser: bob}}
			ok2 := &groupDelivery{name: "ok2", raw: msg("two", 20), dest: db.Dest{MailboxID: aliceIn.ID, QuotaUser: alice, Keywords: []string{"$Label1"}}}
			st := storeQueued(t, d, []*groupDelivery{ok1, over, ok2})
			if st.Batches != 1 || st.Statements != 3 || st.Refused != 0 {
				t.Fatalf("group stats %+v, want one batch of 3 statements", st)
			}
			for _, x := range []*groupDelivery{ok1, ok2} {
				if x.err != nil || len(x.res) != 1 || x.res[0].UID == 0 {
					t.Fatalf("%s: err %v, results %+v", x.name, x.err, x.res)
				}
			}
			if !errors.Is(over.err, db.ErrNothingStored) || len(over.res) != 1 || !errors.Is(over.res[0].Err, db.ErrQuota) {
				t.Fatalf("over quota: err %v, results %+v", over.err, over.res)
			}
			if used, _, _ := d.QuotaUsage(ctx, bob); used != 0 {
				t.Fatalf("bob's curmail_size %d after the refusal", used)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ?`, bobIn.ID); n != 0 {
				t.Fatalf("bob's INBOX holds %d messages", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {keywords} WHERE message_idnr = ?`, ok2.res[0].UID); n != 1 {
				t.Fatalf("ok2 has %d keywords, want 1", n)
			}
			if ok1.res[0].UID == ok2.res[0].UID {
				t.Fatalf("both messages got uid %d", ok1.res[0].UID)
			}

			tables := []string{"physmessage", "messages", "mimeparts", "partlists", "header", "headervalue", "envelope", "keywords"}
			rows := map[string]int64{}
			for _, tb := range tables {
				rows[tb] = count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`)
			}
			// keywords.keyword is VARCHAR(255): PostgreSQL rejects this one.
			bad := &groupDelivery{name: "bad", raw: msg("bad keyword", 5), dest: db.Dest{MailboxID: aliceIn.ID, QuotaUser: alice, Keywords: []string{strings.Repeat("k", 300)}}}
			ok3 := &groupDelivery{name: "ok3", raw: msg("three", 30), dest: db.Dest{MailboxID: aliceIn.ID, QuotaUser: alice}}
			ok4 := &groupDelivery{name: "ok4", raw: msg("four", 40), dest: db.Dest{MailboxID: bobIn.ID, QuotaUser: bob}}
			st = storeQueued(t, d, []*groupDelivery{ok3, bad, ok4})
			if st.Batches != 1 || st.Refused != 1 {
				t.Fatalf("group stats %+v, want one refused batch", st)
			}
			if bad.err == nil {
				t.Fatalf("the over-long keyword was stored: %+v", bad.res)
			}
			for _, x := range []*groupDelivery{ok3, ok4} {
				if x.err != nil || len(x.res) != 1 || x.res[0].UID == 0 {
					t.Fatalf("%s after the refused batch: err %v, results %+v", x.name, x.err, x.res)
				}
			}
			want := map[string]int64{"physmessage": 2, "messages": 2, "envelope": 2, "keywords": 0}
			for _, tb := range tables {
				n := count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`)
				if w, ok := want[tb]; ok && n != rows[tb]+w {
					t.Fatalf("%s grew by %d rows, want %d", tb, n-rows[tb], w)
				}
			}
			var size int64
			for _, x := range []*groupDelivery{ok1, ok2, ok3} {
				size += int64(len(x.raw))
			}
			if used, _, _ := d.QuotaUsage(ctx, alice); used != size {
				t.Fatalf("alice's curmail_size %d, want %d", used, size)
			}
		})
	}
}

// TestGroupCommitCancelWhileQueued: a delivery whose context ends while
// it waits for a flusher leaves the queue and stores nothing.
func TestGroupCommitCancelWhileQueued(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		if b.Name != "postgresql" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			alice, inbox := newUser(t, d, "alice", 0)
			queued, release := d.HoldGroupFlushers()
			defer release()
			defer release()
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, _, err := d.StoreMessage(ctx, parse(t, []byte("Subject: never\r\n\r\nx\r\n")), time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: alice}})
				errc <- err
			}()
			for queued() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled while queued: %v", err)
			}
			if n := queued(); n != 0 {
				t.Fatalf("%d deliveries still queued", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {messages}`); n != 0 {
				t.Fatalf("%d messages stored", n)
			}
			if used, _, _ := d.QuotaUsage(context.Background(), alice); used != 0 {
				t.Fatalf("curmail_size %d", used)
			}
		})
	}
}
