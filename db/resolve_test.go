package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestResolveRecipient walks the resolution order of spec 4.5 on every
// backend: alias, alias without +detail, login name, login name without
// +detail, @domain catch-alls from the full domain up, localpart@.
func TestResolveRecipient(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			ids := map[string]int64{}
			for _, u := range []struct {
				name  string
				quota int64
			}{{"ann", 0}, {"bob@example.com", 5000}, {"cara", 0}, {"dan", 0}, {"off", 0}} {
				id, err := d.CreateUser(ctx, db.User{Name: u.name, Passwd: "pw", MaxMailSize: u.quota, Active: u.name != "off"})
				if err != nil {
					t.Fatal(err)
				}
				ids[u.name] = id
			}
			alias := func(a, to string) {
				t.Helper()
				if err := d.AddAlias(ctx, a, to, 0); err != nil {
					t.Fatal(err)
				}
			}
			id := func(name string) string { return fmt.Sprint(ids[name]) }
			alias("ann@example.com", id("ann"))
			alias("team@example.com", id("ann"))
			alias("team@example.com", "list@example.com") // nested alias
			alias("list@example.com", id("dan"))
			alias("list@example.com", id("off")) // disabled user: skipped
			alias("list@example.com", "list@example.com")
			alias("ext@example.com", "someone@remote.example")
			alias("@example.org", id("dan"))
			alias("@.example.net", id("ann"))
			alias("postmaster@", id("dan"))
			alias("empty@example.com", id("off")) // resolves to nothing: falls through
			alias("empty@example.com+x", id("ann"))

			for _, c := range []struct {
				addr     string
				users    []string
				forwards []string
				detail   string
				usage    bool // the user's quota row came with the resolution
			}{
				{addr: "ann@example.com", users: []string{"ann"}},
				{addr: "ANN@Example.COM", users: []string{"ann"}},
				{addr: "ann+box@example.com", users: []string{"ann"}, detail: "box"},
				{addr: "team@example.com", users: []string{"ann", "dan"}},
				{addr: "ext@example.com", forwards: []string{"someone@remote.example"}},
				{addr: "bob@example.com", users: []string{"bob@example.com"}, usage: true},
				{addr: "BOB@example.com", users: []string{"bob@example.com"}, usage: true},
				{addr: "bob+x@example.com", users: []string{"bob@example.com"}, detail: "x"},
				{addr: "cara", users: []string{"cara"}, usage: true},
				{addr: "CARA", users: []string{"cara"}, usage: true},
				{addr: "ann", users: []string{"ann"}, usage: true},
				{addr: "x@example.org", users: []string{"dan"}},
				{addr: "x@mail.sub.example.net", users: []string{"ann"}},
				{addr: "postmaster@anything.example", users: []string{"dan"}},
				{addr: "nobody@example.com"},
				{addr: "empty@example.com"},
			} {
				r, err := d.ResolveRecipient(ctx, c.addr)
				if len(c.users) == 0 && len(c.forwards) == 0 {
					if !errors.Is(err, db.ErrNotFound) {
						t.Errorf("%s: got %+v, %v; want not found", c.addr, r, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", c.addr, err)
					continue
				}
				var want []int64
				for _, u := range c.users {
					want = append(want, ids[u])
				}
				if !slices.Equal(r.UserIDs, want) || !slices.Equal(r.Forwards, c.forwards) || r.Detail != c.detail {
					t.Errorf("%s: got users %v forwards %q detail %q; want %v %q %q", c.addr, r.UserIDs, r.Forwards, r.Detail, want, c.forwards, c.detail)
				}
				if len(c.users) == 0 {
					continue
				}
				u, ok := r.Usage[ids[c.users[0]]]
				if ok != c.usage {
					t.Errorf("%s: usage given %v, want %v", c.addr, ok, c.usage)
				}
				if ok && c.users[0] == "bob@example.com" && u != [2]int64{0, 5000} {
					t.Errorf("%s: usage %v, want [0 5000]", c.addr, u)
				}
			}
		})
	}
}
