package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestIMAPExpungeLockOrder: an expunge takes the quota user's row before
// the mailbox row, the order of delivery and APPEND (quota charge, then the
// mailbox's MODSEQ bump). The test holds the users row as a delivery does
// after charging the quota; the expunge must then wait without holding the
// mailbox row, so the delivery's next step (the mailbox row) does not
// deadlock. The other order deadlocked under the imaptest stress run
// (PostgreSQL resolves a deadlock only after deadlock_timeout, 1 s).
func TestIMAPExpungeLockOrder(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		if b.Dialect == db.SQLite {
			continue // one writer at a time: no row locks to order
		}
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			uid, inbox := newUser(t, d, "lockorder", 0)
			m := parse(t, []byte("Subject: x\r\n\r\nbody\r\n"))
			if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid, Flags: db.Flags{Deleted: true}}}); err != nil {
				t.Fatal(err)
			}

			// The "delivery": it has charged the quota (holds the users row).
			deliv, err := d.SQL.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer deliv.Rollback()
			if _, err := deliv.ExecContext(ctx, d.Q(`UPDATE {users} SET curmail_size = curmail_size + 1 WHERE user_idnr = ?`), uid); err != nil {
				t.Fatal(err)
			}

			type result struct {
				gone []int64
				err  error
			}
			done := make(chan result, 1)
			go func() {
				gone, _, err := d.IMAPExpunge(ctx, inbox.ID, uid, nil)
				done <- result{gone, err}
			}()
			waitLockWait(ctx, t, d, b, "users")

			// The delivery's next step: the mailbox row. NOWAIT fails at
			// once if the waiting expunge holds it.
			var id int64
			if err := deliv.QueryRowContext(ctx, d.Q(`SELECT mailbox_idnr FROM {mailboxes} WHERE mailbox_idnr = ? FOR UPDATE NOWAIT`), inbox.ID).Scan(&id); err != nil {
				t.Fatalf("mailbox row held by an expunge waiting for the users row (lock order users, then mailboxes): %v", err)
			}
			if err := deliv.Commit(); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil || len(r.gone) != 1 {
				t.Fatalf("expunge after the delivery: gone %v, err %v", r.gone, r.err)
			}
		})
	}
}

// TestIMAPMoveLockOrder: a MOVE locks its two mailboxes in ascending id
// order after the charged user's row, whichever is the source. The test
// plays an opposite MOVE (into A's INBOX, charged to A) that holds A's user
// row and A's INBOX, the lower mailbox id; a MOVE from A's INBOX into B's
// must then wait for A's INBOX without holding B's, so the opposite MOVE's
// next step (B's INBOX) does not deadlock. Taking the destination first
// deadlocked whenever two users moved mail into each other's mailboxes.
func TestIMAPMoveLockOrder(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		if b.Dialect == db.SQLite {
			continue // one writer at a time: no row locks to order
		}
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var users [2]int64
			var inboxes [2]*db.Mailbox
			for i, name := range []string{"mover-a", "mover-b"} {
				users[i], inboxes[i] = newUser(t, d, name, 0)
			}
			if inboxes[0].ID >= inboxes[1].ID {
				t.Fatalf("INBOX ids %d, %d: the test needs A's below B's", inboxes[0].ID, inboxes[1].ID)
			}
			m := parse(t, []byte("Subject: moving\r\n\r\nbody\r\n"))
			_, res, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inboxes[0].ID, QuotaUser: users[0]}})
			if err != nil {
				t.Fatal(err)
			}
			srcs, err := d.IMAPCopySources(ctx, inboxes[0].ID, []int64{res[0].UID})
			if err != nil || len(srcs) != 1 {
				t.Fatalf("copy sources: %v, %v", srcs, err)
			}

			// The opposite MOVE: A's user row, then A's INBOX.
			opp, err := d.SQL.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer opp.Rollback()
			for _, q := range []struct {
				sql string
				id  int64
			}{{`SELECT user_idnr FROM {users} WHERE user_idnr = ? FOR UPDATE`, users[0]}, {`SELECT mailbox_idnr FROM {mailboxes} WHERE mailbox_idnr = ? FOR UPDATE`, inboxes[0].ID}} {
				var id int64
				if err := opp.QueryRowContext(ctx, d.Q(q.sql), q.id).Scan(&id); err != nil {
					t.Fatal(err)
				}
			}

			type result struct {
				uids []int64
				err  error
			}
			done := make(chan result, 1)
			go func() {
				uids, err := d.IMAPCopy(ctx, inboxes[0].ID, srcs, inboxes[1].ID, users[1], true)
				done <- result{uids, err}
			}()
			waitLockWait(ctx, t, d, b, "mailboxes")

			var id int64
			if err := opp.QueryRowContext(ctx, d.Q(`SELECT mailbox_idnr FROM {mailboxes} WHERE mailbox_idnr = ? FOR UPDATE NOWAIT`), inboxes[1].ID).Scan(&id); err != nil {
				t.Fatalf("B's INBOX held by a MOVE waiting for A's (lock order: mailboxes by ascending id): %v", err)
			}
			if err := opp.Commit(); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil || len(r.uids) != 1 {
				t.Fatalf("move after the opposite one: uids %v, err %v", r.uids, r.err)
			}
			for i, want := range []int{0, 1} {
				msgs, err := d.MailboxMessages(ctx, inboxes[i].ID)
				if err != nil || len(msgs) != want {
					t.Fatalf("INBOX %d holds %d messages (%v), want %d", i, len(msgs), err, want)
				}
			}
		})
	}
}

// waitLockWait returns once another session of d's database waits for a
// row lock (on MySQL: runs a statement on table while the test holds the
// rows it would touch).
func waitLockWait(ctx context.Context, t *testing.T, d *db.DB, b dbtest.Backend, table string) {
	t.Helper()
	q := `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
	var args []any
	if b.Dialect == db.MySQL {
		// A statement on the table running while the test holds the
		// only row it can touch is waiting for that row (InnoDB does not
		// list a locking read waiting during optimization as LOCK WAIT
		// in innodb_trx).
		q = `SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()
			AND command = 'Query' AND info LIKE ?`
		args = append(args, "%"+d.Table(table)+"%")
	}
	for {
		var n int
		if err := d.SQL.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("lock waits: %v", err)
		}
		if n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no statement on %s waited for a row lock", table)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
