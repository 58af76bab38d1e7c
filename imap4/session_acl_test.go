package imap4

import (
	"context"
	"testing"

	"github.com/dbmail-go/dbmail/db"
)

// TestSessionACLAndSharing: RFC 4314 commands, the #Users namespace for
// a mailbox shared with another user, and RFC 9208 quota responses.
func TestSessionACLAndSharing(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		a := e.login("alice")
		a.expect("a CREATE Shared", "a OK CREATE completed")
		a.expect("b SETACL Shared bob lr", "b OK SETACL completed")
		a.expect("c GETACL Shared", `* ACL "Shared" alice lrswipkxteacd bob lr`, "c OK GETACL completed")
		a.expect("d SETACL Shared bob +s", "d OK SETACL completed")
		a.expect("e MYRIGHTS Shared", `* MYRIGHTS "Shared" lrswipkxteacd`, "e OK MYRIGHTS completed")
		a.expect("f LISTRIGHTS Shared bob", `* LISTRIGHTS "Shared" bob "" l r s w i p k x t e a c d`, "f OK LISTRIGHTS completed")
		a.expect("g SETACL Shared nobody lr", "g BAD invalid identifier or rights")

		b := e.login("bob")
		b.expect(`h LIST "" "#Users/*"`,
			`* LIST (\Noselect \HasChildren) "/" "#Users/alice"`,
			`* LIST (\HasNoChildren) "/" "#Users/alice/Shared"`,
			"h OK LIST completed")
		b.expect(`i MYRIGHTS "#Users/alice/Shared"`, `* MYRIGHTS "#Users/alice/Shared" lrs`, "i OK MYRIGHTS completed")
		got := b.cmd(`j SELECT "#Users/alice/Shared"`)
		if got[len(got)-1] != "j OK [READ-WRITE] SELECT completed" {
			t.Fatalf("SELECT shared: %q", got)
		}
		b.expect(`k GETACL "#Users/alice/Shared"`, "k NO [NOPERM] permission denied")
		b.expect(`l SELECT "#Users/alice/INBOX"`, "l NO [NONEXISTENT] mailbox does not exist")
		b.expect("m DELETEACL", "m BAD DELETEACL: expected SP, got end of line")
		a.expect("n DELETEACL Shared bob", "n OK DELETEACL completed")
		b.expect(`o STATUS "#Users/alice/Shared" (MESSAGES)`, "o NO [NONEXISTENT] mailbox does not exist")

		// Quota: none set, then 10 KiB.
		a.expect("p GETQUOTAROOT INBOX", `* QUOTAROOT "INBOX" ""`, "p OK GETQUOTAROOT completed")
		if err := e.d.UpdateUser(context.Background(), e.aliceID(t), db.UserUpdate{MaxMailSize: ptr(int64(10 << 10))}); err != nil {
			t.Fatal(err)
		}
		a.expect(`q GETQUOTA ""`, `* QUOTA "" (STORAGE 0 10)`, "q OK GETQUOTA completed")
		a.expect(`r GETQUOTA "x"`, "r NO [NONEXISTENT] no such quota root")
	})
}

func ptr[T any](v T) *T { return &v }
