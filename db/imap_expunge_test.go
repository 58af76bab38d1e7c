package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/message"
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
			uid, err := d.CreateUser(ctx, db.User{Name: "lockorder", Passwd: "secret", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			inbox, err := d.FindMailbox(ctx, uid, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			m, err := message.Parse([]byte("Subject: x\r\n\r\nbody\r\n"), message.Options{MaxDepth: 64})
			if err != nil {
				t.Fatal(err)
			}
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
			waitLockWait(ctx, t, d, b)

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

// waitLockWait returns once another session of d's database waits for a
// row lock.
func waitLockWait(ctx context.Context, t *testing.T, d *db.DB, b dbtest.Backend) {
	t.Helper()
	q := `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
	var args []any
	if b.Dialect == db.MySQL {
		// A statement on the users table running while the test holds
		// the only row it can touch is waiting for that row (InnoDB does
		// not list a locking read waiting during optimization as LOCK
		// WAIT in innodb_trx).
		q = `SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()
			AND command = 'Query' AND info LIKE ?`
		args = append(args, "%"+d.Table("users")+"%")
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
			t.Fatal("the expunge never waited for the users row")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
