package pop3

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// TestLegacyMessage: a message stored in dbmail_messageblks (spec 2.6)
// with rfcsize 0 is measured at login, and RETR/TOP send it in CRLF form.
func TestLegacyMessage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		if d.Dialect == db.MySQL {
			t.Skip("the MySQL schema (35002) has no dbmail_messageblks table: no legacy messages there")
		}
		_, inbox := addUser(t, d, "ola", "pw")
		ctx := context.Background()
		var phys int64
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var err error
			phys, err = tx.Insert(ctx, `INSERT INTO {physmessage} (messagesize, rfcsize, internal_date) VALUES (?, 0, `+sqlTime(d)+`)`, "id",
				int64(40), time.Now().UTC().Format("2006-01-02 15:04:05"))
			if err != nil {
				return err
			}
			for i, blk := range []string{"Subject: old\n\n", ".body line\nsecond\n"} {
				if _, err := tx.Exec(ctx, `INSERT INTO {messageblks} (physmessage_id, messageblk, blocksize, is_header) VALUES (?, ?, ?, ?)`,
					phys, []byte(blk), len(blk), boolToInt(i == 0)); err != nil {
					return err
				}
			}
			_, err = tx.Exec(ctx, `INSERT INTO {messages} (mailbox_idnr, physmessage_id, unique_id, status) VALUES (?, ?, 'legacyuidl', 0)`, inbox, phys)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		wire := "Subject: old\r\n\r\n.body line\r\nsecond\r\n"
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.login("ola", "pw", 1, int64(len(wire)))
		c.cmd("UIDL 1", "+OK 1 legacyuidl")
		c.send("RETR 1")
		c.expect(fmt.Sprintf("+OK %d octets", len(wire)))
		if got := string(c.multi()); got != wire {
			t.Fatalf("RETR = %q, want %q", got, wire)
		}
		c.send("TOP 1 1")
		c.expect("+OK top of message follows")
		if got, want := string(c.multi()), "Subject: old\r\n\r\n.body line\r\n"; got != want {
			t.Fatalf("TOP = %q, want %q", got, want)
		}
		c.cmd("QUIT", "+OK see ya later")
	})
}

func sqlTime(d *db.DB) string {
	switch d.Dialect {
	case db.Postgres:
		return `CAST(? AS TIMESTAMP)`
	case db.MySQL:
		return `TIMESTAMP(?)`
	}
	return `?`
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
