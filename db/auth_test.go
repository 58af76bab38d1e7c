package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/password"
)

// Spec 4.2–4.4: every encoding, inactive users, __public__, the security
// password and its action, and the user map.
func TestAuthenticate(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			for _, typ := range []string{"plaintext", "crypt", "md5", "md5sum", "md5base64", "sha1", "sha256", "sha512", "whirlpool", "tiger"} {
				stored, enc, err := password.Encode(typ, "s3cret")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.CreateUser(ctx, db.User{Name: "u-" + typ, Passwd: stored, EncryptionType: enc, Active: true}); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Authenticate(ctx, "U-"+typ, "s3cret", "", nil); err != nil {
					t.Fatalf("%s: correct password refused: %v", typ, err)
				}
				if _, err := d.Authenticate(ctx, "u-"+typ, "wrong", "", nil); !errors.Is(err, db.ErrAuth) {
					t.Fatalf("%s: wrong password: %v", typ, err)
				}
			}
			if _, err := d.Authenticate(ctx, "u-plaintext", "", "", nil); !errors.Is(err, db.ErrAuth) {
				t.Fatal("empty password accepted")
			}
			if _, err := d.Authenticate(ctx, db.PublicUser, "", "", nil); !errors.Is(err, db.ErrAuth) {
				t.Fatal("__public__ logged in")
			}
			off := false
			u, _ := d.UserByName(ctx, "u-sha256")
			d.UpdateUser(ctx, u.ID, db.UserUpdate{Active: &off})
			if _, err := d.Authenticate(ctx, "u-sha256", "s3cret", "", nil); !errors.Is(err, db.ErrAuth) {
				t.Fatal("inactive user logged in")
			}
			before, _ := d.UserByName(ctx, "u-md5")
			time.Sleep(1100 * time.Millisecond)
			d.Authenticate(ctx, "u-md5", "s3cret", "", nil)
			after, _ := d.UserByName(ctx, "u-md5")
			if after.LastLogin == before.LastLogin {
				t.Fatalf("last_login not updated: %q", after.LastLogin)
			}

			// Security password with action 2 on \Flagged messages (spec 4.3).
			uid, inbox := newUser(t, d, "duress", 0)
			sp := "panic"
			act := 2
			d.UpdateUser(ctx, uid, db.UserUpdate{SPasswd: &sp, SAction: &act})
			keep := parse(t, []byte("Subject: keep\r\n\r\nk\r\n"))
			hide := parse(t, []byte("Subject: hide\r\n\r\nh\r\n"))
			d.StoreMessage(ctx, keep, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			d.StoreMessage(ctx, hide, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid, Flags: db.Flags{Flagged: true}}})
			res, err := d.Authenticate(ctx, "duress", "panic", "", map[int][]string{2: {`\Flagged`}})
			if err != nil || !res.Security {
				t.Fatalf("security login: %v %+v", err, res)
			}
			msgs, _ := d.MailboxMessages(ctx, inbox.ID)
			if len(msgs) != 1 || msgs[0].Flags.Flagged {
				t.Fatalf("after the security action %d messages remain", len(msgs))
			}
			if used, _, _ := d.QuotaUsage(ctx, uid); used != keep.MessageSize {
				t.Fatalf("quota after the action %d, want %d", used, keep.MessageSize)
			}

			// User map (spec 4.4): ANY with %s, a deny rule, scores.
			d.Exec(ctx, `INSERT INTO {usermap} (login, sock_allow, sock_deny, userid) VALUES ('ANY', 'inet:127.0.0.1:143', '', 'u-%s')`)
			d.Exec(ctx, `INSERT INTO {usermap} (login, sock_allow, sock_deny, userid) VALUES ('evil', '', 'inet:0.0.0.0/0', 'u-md5')`)
			if _, err := d.Authenticate(ctx, "md5", "s3cret", "inet:127.0.0.1:143", nil); err != nil {
				t.Fatalf("ANY rewrite: %v", err)
			}
			if _, err := d.Authenticate(ctx, "md5", "s3cret", "inet:127.0.0.1:110", nil); !errors.Is(err, db.ErrAuth) {
				t.Fatalf("a rule for another port must deny: %v", err)
			}
			if _, err := d.Authenticate(ctx, "evil", "s3cret", "inet:10.1.2.3:143", nil); !errors.Is(err, db.ErrAuth) {
				t.Fatalf("deny rule: %v", err)
			}
		})
	}
}
