package db_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

func names(t *testing.T, d *db.DB, owner int64) []string {
	t.Helper()
	mbs, err := d.Mailboxes(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range mbs {
		n := m.Name
		if m.NoSelect {
			n += " (noselect)"
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Spec 3.1 and 3.3: names, parents, case-insensitive lookup, delete with
// and without children, rename with children, INBOX rename, subscriptions.
func TestMailboxTree(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "tree", 0)
			if _, err := d.CreateMailbox(ctx, uid, "Work/Projects/2026", db.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := names(t, d, uid); !eq(got, []string{"INBOX", "Work", "Work/Projects", "Work/Projects/2026"}) {
				t.Fatalf("after create with parents: %v", got)
			}
			if _, err := d.CreateMailbox(ctx, uid, "work/projects", db.CreateOptions{}); !errors.Is(err, db.ErrExists) {
				t.Fatalf("case-insensitive duplicate: %v", err)
			}
			if _, err := d.CreateMailbox(ctx, uid, "inbox/Sub", db.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if m, err := d.FindMailbox(ctx, uid, "INBOX/Sub"); err != nil || m.Name != "INBOX/Sub" {
				t.Fatalf("inbox/ is stored as INBOX/: %v %+v", err, m)
			}
			for _, bad := range []string{"", "a//b", "bad*name", "tab\there", string(make([]byte, 300))} {
				if _, err := d.CreateMailbox(ctx, uid, bad, db.CreateOptions{}); !errors.Is(err, db.ErrInvalid) {
					t.Fatalf("name %q: %v", bad, err)
				}
			}
			// Modified UTF-7 runs are case-sensitive (spec 3.1).
			if _, err := d.CreateMailbox(ctx, uid, "&AOk-t&AOk-", db.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.FindMailbox(ctx, uid, "&AOK-T&AOK-"); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("mUTF-7 run matched case-insensitively: %v", err)
			}
			if _, err := d.FindMailbox(ctx, uid, "&AOk-T&AOk-"); err != nil {
				t.Fatalf("ASCII outside the run is case-insensitive: %v", err)
			}

			// A message in Work, then DELETE Work (has children): placeholder.
			work, _ := d.FindMailbox(ctx, uid, "Work")
			m := parse(t, []byte("Subject: in work\r\n\r\nx\r\n"))
			if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: work.ID, QuotaUser: uid}}); err != nil {
				t.Fatal(err)
			}
			if err := d.DeleteMailbox(ctx, work); err != nil {
				t.Fatal(err)
			}
			if got := names(t, d, uid); !contains(got, "Work (noselect)") {
				t.Fatalf("Work with children should stay as \\Noselect: %v", got)
			}
			if used, _, _ := d.QuotaUsage(ctx, uid); used != 0 {
				t.Fatalf("quota after deleting the only message's mailbox: %d", used)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ? AND status = 3`, work.ID); n != 1 {
				t.Fatalf("messages of a deleted parent get status 3: %d", n)
			}
			if err := d.DeleteMailbox(ctx, inbox); !errors.Is(err, db.ErrPermission) {
				t.Fatalf("deleting INBOX: %v", err)
			}

			// RENAME with children keeps ids.
			proj, _ := d.FindMailbox(ctx, uid, "Work/Projects")
			if err := d.RenameMailbox(ctx, proj, "Archive"); err != nil {
				t.Fatal(err)
			}
			moved, err := d.FindMailbox(ctx, uid, "Archive/2026")
			if err != nil {
				t.Fatalf("child not renamed: %v (%v)", err, names(t, d, uid))
			}
			if a, _ := d.FindMailbox(ctx, uid, "Archive"); a.ID != proj.ID {
				t.Fatal("rename changed the mailbox id (UIDVALIDITY)")
			}
			if err := d.RenameMailbox(ctx, moved, "Archive/2026/x"); err == nil {
				t.Fatal("rename into itself accepted")
			}
			if err := d.RenameMailbox(ctx, moved, "Nowhere/2026"); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("rename under a missing parent: %v", err)
			}

			// RENAME INBOX moves the messages into a new mailbox.
			mi := parse(t, []byte("Subject: in inbox\r\n\r\ny\r\n"))
			_, res, err := d.StoreMessage(ctx, mi, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.RenameMailbox(ctx, inbox, "Old-Inbox"); err != nil {
				t.Fatal(err)
			}
			old, err := d.FindMailbox(ctx, uid, "Old-Inbox")
			if err != nil {
				t.Fatal(err)
			}
			msgs, _ := d.MailboxMessages(ctx, old.ID)
			if len(msgs) != 1 || msgs[0].UID != res[0].UID {
				t.Fatalf("INBOX rename: %+v", msgs)
			}
			if msgs, _ := d.MailboxMessages(ctx, inbox.ID); len(msgs) != 0 {
				t.Fatal("INBOX still has the message")
			}

			// Subscriptions.
			if err := d.Subscribe(ctx, uid, old.ID); err != nil {
				t.Fatal(err)
			}
			if err := d.Subscribe(ctx, uid, old.ID); err != nil {
				t.Fatal("subscribing twice must be harmless:", err)
			}
			subs, _ := d.Subscribed(ctx, uid)
			if !subs[old.ID] || len(subs) != 1 {
				t.Fatalf("subscriptions %v", subs)
			}
			d.Unsubscribe(ctx, uid, old.ID)
			if subs, _ := d.Subscribed(ctx, uid); len(subs) != 0 {
				t.Fatalf("after unsubscribe %v", subs)
			}
		})
	}
}

// Spec 3.4: owner rights, rows for others, anyone, read-only mailboxes,
// rights strings, and LIST visibility.
func TestACL(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			owner, _ := newUser(t, d, "owner", 0)
			other, _ := newUser(t, d, "other", 0)
			id, err := d.CreateMailbox(ctx, owner, "Shared", db.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mb, _ := d.MailboxByID(ctx, id)
			if r, _ := d.RightsOf(ctx, owner, mb); r != db.AllRights || r.String() != "lrswipkxteacd" {
				t.Fatalf("owner rights %q", r)
			}
			if r, _ := d.RightsOf(ctx, other, mb); r != 0 {
				t.Fatalf("stranger rights %q", r)
			}
			lr, _ := db.ParseRights("lr")
			if err := d.SetACL(ctx, other, id, lr); err != nil {
				t.Fatal(err)
			}
			anyone, _ := d.SpecialUserID(ctx, db.AnyoneUser)
			s, _ := db.ParseRights("s")
			d.SetACL(ctx, anyone, id, s)
			if r, _ := d.RightsOf(ctx, other, mb); r.String() != "lrs" {
				t.Fatalf("own row plus anyone: %q", r)
			}
			vis, err := d.VisibleMailboxes(ctx, other)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, v := range vis {
				if v.ID == id && v.OwnerName == "owner" {
					found = true
				}
			}
			if !found {
				t.Fatalf("shared mailbox not visible to a user with l: %+v", vis)
			}
			cd, err := db.ParseRights("cd")
			if err != nil || cd.String() != "kxtecd" {
				t.Fatalf("c and d expand to %q (%v)", cd, err)
			}
			if _, err := db.ParseRights("lz"); err == nil {
				t.Fatal("unknown right accepted")
			}
			acl, _ := d.ACL(ctx, id)
			if len(acl) != 2 {
				t.Fatalf("ACL rows %+v", acl)
			}
			d.Exec(ctx, `UPDATE {mailboxes} SET permission = 1 WHERE mailbox_idnr = ?`, id)
			mb, _ = d.MailboxByID(ctx, id)
			if r, _ := d.RightsOf(ctx, owner, mb); r.String() != "lr" {
				t.Fatalf("read-only mailbox gives the owner %q", r)
			}
			d.DeleteACL(ctx, other, id)
			if r, _ := d.RightsOf(ctx, other, mb); r != 0 {
				t.Fatalf("after DELETEACL %q (anyone has s, but read-only keeps only l r)", r)
			}
		})
	}
}

// Ids are never handed out twice, even after the row with the highest id
// was deleted: a re-created mailbox gets a new UIDVALIDITY, a new message a
// new UID (RFC 3501 §2.3.1.1; on SQLite through step 90003).
func TestIDsNotReused(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "reuse", 0)
			first, err := d.CreateMailbox(ctx, uid, "Temp", db.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mb, _ := d.MailboxByID(ctx, first)
			if err := d.DeleteMailbox(ctx, mb); err != nil {
				t.Fatal(err)
			}
			again, err := d.CreateMailbox(ctx, uid, "Temp", db.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if again <= first {
				t.Fatalf("re-created mailbox got id %d after %d was deleted", again, first)
			}
			m := parse(t, []byte("Subject: x\r\n\r\nx\r\n"))
			_, res, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `DELETE FROM {messages} WHERE message_idnr = ?`, res[0].UID); err != nil {
				t.Fatal(err)
			}
			_, res2, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if res2[0].UID <= res[0].UID {
				t.Fatalf("new message got UID %d after %d was purged", res2[0].UID, res[0].UID)
			}
		})
	}
}
