package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestInboxAndFilters: the one-query read of a delivery's INBOX and
// filters gives what FindMailbox and Filters give (the user's rules first,
// then anyone's, each in id order), and nothing for a user without INBOX.
func TestInboxAndFilters(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			u1, inbox1 := newUser(t, d, "filtered", 0)
			u2, inbox2 := newUser(t, d, "plain", 0)
			u3, inbox3 := newUser(t, d, "noinbox", 0)
			anyone, err := d.SpecialUserID(ctx, db.AnyoneUser)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []db.Filter{
				{UserID: anyone, HeaderName: "from", HeaderValue: "%@spam.example", Mailbox: "Junk"},
				{UserID: u1, HeaderName: "subject", HeaderValue: "%urgent%", Mailbox: "Urgent"},
				{UserID: u1, HeaderName: "to", HeaderValue: "list@example.org", Mailbox: "Lists"},
			} {
				if _, err := d.Exec(ctx, `INSERT INTO {filters} (user_id, headername, headervalue, mailbox) VALUES (?, ?, ?, ?)`, f.UserID, f.HeaderName, f.HeaderValue, f.Mailbox); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Exec(ctx, `DELETE FROM {mailboxes} WHERE mailbox_idnr = ?`, inbox3.ID); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				user   int64
				inbox  *db.Mailbox
				boxes  []string
				absent bool
			}{
				{u1, inbox1, []string{"Urgent", "Lists", "Junk"}, false},
				{u2, inbox2, []string{"Junk"}, false},
				{u3, nil, nil, true},
			} {
				mb, filters, err := d.InboxAndFilters(ctx, c.user)
				if err != nil {
					t.Fatal(err)
				}
				if c.absent {
					if mb != nil || filters != nil {
						t.Fatalf("user %d without INBOX: got %+v, %+v", c.user, mb, filters)
					}
					continue
				}
				if mb == nil || *mb != *c.inbox {
					t.Fatalf("user %d: inbox %+v, want %+v", c.user, mb, c.inbox)
				}
				want, err := d.Filters(ctx, c.user)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(filters, want) {
					t.Fatalf("user %d: filters %+v, Filters gives %+v", c.user, filters, want)
				}
				var boxes []string
				for _, f := range filters {
					boxes = append(boxes, f.Mailbox)
				}
				if !slices.Equal(boxes, c.boxes) {
					t.Fatalf("user %d: filter order %q, want %q", c.user, boxes, c.boxes)
				}
			}
		})
	}
}
