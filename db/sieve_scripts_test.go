package db_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestSieveScripts exercises the dbmail_sievescripts layer on every
// backend (spec 1.4, 6.5, 7.5).
func TestSieveScripts(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "x", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			other, err := d.CreateUser(ctx, db.User{Name: "bob", Passwd: "x", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			list := func() []db.SieveScript {
				t.Helper()
				l, err := d.SieveScripts(ctx, uid)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			if l := list(); len(l) != 0 {
				t.Fatalf("fresh user has scripts %v", l)
			}
			created, err := d.PutSieveScript(ctx, uid, "a", "keep;")
			must(err)
			if !created {
				t.Error("first PutSieveScript: created = false")
			}
			_, err = d.PutSieveScript(ctx, uid, "b", "discard;\r\n")
			must(err)
			_, err = d.PutSieveScript(ctx, other, "a", "stop;")
			must(err)
			// DBMail's leftover validation row is never listed.
			_, err = d.Exec(ctx, `INSERT INTO {sievescripts} (owner_idnr, name, script, active) VALUES (?, ?, ?, 1)`, uid, db.SieveTempScript, "x")
			must(err)
			if _, _, err := d.ActiveSieveScript(ctx, uid); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("ActiveSieveScript with only the temp row active: %v, want ErrNotFound", err)
			}
			must(d.ActivateSieveScript(ctx, uid, "b"))
			must(d.ActivateSieveScript(ctx, uid, "a"))
			if got, want := list(), []db.SieveScript{{"a", true}, {"b", false}}; !reflect.DeepEqual(got, want) {
				t.Errorf("after activate: %v, want %v", got, want)
			}
			// Replacing keeps the active state; same text again is fine (MySQL
			// reports no changed row then).
			created, err = d.PutSieveScript(ctx, uid, "a", "keep; stop;")
			must(err)
			created2, err := d.PutSieveScript(ctx, uid, "a", "keep; stop;")
			must(err)
			if created || created2 {
				t.Error("replacing a script reported created")
			}
			name, src, err := d.ActiveSieveScript(ctx, uid)
			if err != nil || name != "a" || src != "keep; stop;" {
				t.Errorf("ActiveSieveScript = %q %q %v", name, src, err)
			}
			if src, active, err := d.SieveScriptText(ctx, uid, "b"); err != nil || src != "discard;\r\n" || active {
				t.Errorf("SieveScriptText(b) = %q %v %v", src, active, err)
			}
			if _, _, err := d.SieveScriptText(ctx, uid, "missing"); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("missing script: %v", err)
			}
			if err := d.ActivateSieveScript(ctx, uid, "missing"); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("activate missing: %v", err)
			}
			if err := d.RenameSieveScript(ctx, uid, "a", "b"); !errors.Is(err, db.ErrExists) {
				t.Errorf("rename onto existing: %v", err)
			}
			if err := d.RenameSieveScript(ctx, uid, "zz", "c"); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("rename missing: %v", err)
			}
			must(d.RenameSieveScript(ctx, uid, "a", "c"))
			if got, want := list(), []db.SieveScript{{"b", false}, {"c", true}}; !reflect.DeepEqual(got, want) {
				t.Errorf("after rename: %v, want %v", got, want)
			}
			// Quota: 11 + 10 bytes, maxsieve_size where the column exists.
			max, used, err := d.SieveSpace(ctx, uid, "b")
			must(err)
			if max != 0 || used != 11 {
				t.Errorf("SieveSpace except b = %d, %d; want 0, 11", max, used)
			}
			if b.Dialect != db.SQLite {
				_, err = d.Exec(ctx, `UPDATE {users} SET maxsieve_size = 500 WHERE user_idnr = ?`, uid)
				must(err)
				if max, used, err = d.SieveSpace(ctx, uid, ""); err != nil || max != 500 || used != 21 {
					t.Errorf("SieveSpace = %d, %d, %v; want 500, 21", max, used, err)
				}
			}
			n, err := d.DeactivateSieveScripts(ctx, uid, "b")
			must(err)
			if n != 0 {
				t.Errorf("deactivating an inactive script changed %d rows", n)
			}
			n, err = d.DeactivateSieveScripts(ctx, uid, "")
			must(err)
			if n != 1 { // activating "a" cleared the temp row's mark too
				t.Errorf("deactivate all changed %d rows, want 1", n)
			}
			must(d.DeleteSieveScript(ctx, uid, "c"))
			if err := d.DeleteSieveScript(ctx, uid, "c"); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("delete twice: %v", err)
			}
			if got, want := list(), []db.SieveScript{{"b", false}}; !reflect.DeepEqual(got, want) {
				t.Errorf("after delete: %v, want %v", got, want)
			}
			if src, _, err := d.SieveScriptText(ctx, other, "a"); err != nil || src != "stop;" {
				t.Errorf("other user's script = %q, %v", src, err)
			}
		})
	}
}

// TestClaimReply: one claim per (to, from, handle) per period, even when
// deliveries race (spec 1.4 dbmail_replycache, 6.6).
func TestClaimReply(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
			day := 24 * time.Hour
			claim := func(to, handle string, at time.Time, period time.Duration) bool {
				t.Helper()
				ok, err := d.ClaimReply(ctx, to, "alice@example.com", handle, period, at)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			steps := []struct {
				to, handle string
				at         time.Time
				period     time.Duration
				want       bool
			}{
				{"bob@example.org", "h", t0, 7 * day, true},
				{"bob@example.org", "h", t0.Add(day), 7 * day, false},
				{"bob@example.org", "other", t0.Add(day), 7 * day, true},
				{"carol@example.org", "h", t0.Add(day), 7 * day, true},
				{"bob@example.org", "h", t0.Add(6 * day), 7 * day, false},
				{"bob@example.org", "h", t0.Add(8 * day), 7 * day, true},
				{"bob@example.org", "h", t0.Add(8*day + time.Second), 0, true}, // :seconds 0
			}
			for i, s := range steps {
				if got := claim(s.to, s.handle, s.at, s.period); got != s.want {
					t.Errorf("step %d (%s %s +%v): claim = %v, want %v", i, s.to, s.handle, s.at.Sub(t0), got, s.want)
				}
			}
			seen, err := d.ReplySeen(ctx, "bob@example.org", "alice@example.com", "h", day, t0.Add(8*day+2*time.Second))
			if err != nil || !seen {
				t.Errorf("ReplySeen = %v, %v; want true", seen, err)
			}
			seen, err = d.ReplySeen(ctx, "bob@example.org", "alice@example.com", "h", day, t0.Add(10*day))
			if err != nil || seen {
				t.Errorf("ReplySeen after the period = %v, %v; want false", seen, err)
			}
			// Keys are cut to 100 bytes as DBMail writes them.
			long := strings.Repeat("x", 150) + "@example.org"
			if !claim(long, "h", t0, day) || claim(strings.Repeat("x", 100)+"-different", "h", t0, day) {
				t.Error("long keys are not truncated to 100 bytes")
			}
			// Racing deliveries: exactly one wins.
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := d.ClaimReply(ctx, "race@example.org", "alice@example.com", "h", day, t0)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Errorf("%d racing claims won, want 1", wins)
			}
		})
	}
}
