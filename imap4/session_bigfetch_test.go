package imap4

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cache"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/server"
)

// keyCountingCache is an in-process cache that counts, per key prefix
// "imap:tree:", the misses, hits and stores.
type keyCountingCache struct {
	cache.Cache
	mu                sync.Mutex
	misses, hits, set int
}

func (c *keyCountingCache) Get(ctx context.Context, key string) ([]byte, bool) {
	v, ok := c.Cache.Get(ctx, key)
	if strings.HasPrefix(key, "imap:tree:") {
		c.mu.Lock()
		if ok {
			c.hits++
		} else {
			c.misses++
		}
		c.mu.Unlock()
	}
	return v, ok
}

func (c *keyCountingCache) Set(ctx context.Context, key string, value []byte) {
	if strings.HasPrefix(key, "imap:tree:") {
		c.mu.Lock()
		c.set++
		c.mu.Unlock()
	}
	c.Cache.Set(ctx, key, value)
}

func (c *keyCountingCache) counts() (misses, hits, set int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.misses, c.hits, c.set
}

// A message above 1 MiB gets its MIME tree from one streamed pass, kept in
// the query cache: the next FETCH (a new command, another session) finds
// it there, and every reply is what the in-memory parser gives (RFC 3501
// §6.4.5, §7.4.2; RFC 3516 §4.2).
func TestSessionBigMessageTreeCached(t *testing.T) {
	raw := testutil.BigMultipart(700<<10, 500<<10)
	tree := message.ParseStructure(raw)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			cc := &keyCountingCache{Cache: cache.NewLRU(8 << 20)}
			e := startIMAPWith(t, b, func(_ *server.Config, p *Config) { p.Cache = cc })
			ctx := context.Background()
			inbox, err := e.d.FindMailbox(ctx, e.aliceID(t), "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			m, err := message.Parse(raw, message.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID}}); err != nil {
				t.Fatal(err)
			}
			rc := e.login("alice")
			rc.cmd("S SELECT INBOX")
			rc.expect("F1 FETCH 1 (BODYSTRUCTURE)", "* 1 FETCH (BODYSTRUCTURE "+tree.BodyStructure(true)+")", "F1 OK FETCH completed")
			if misses, hits, set := cc.counts(); misses != 1 || hits != 0 || set != 1 {
				t.Fatalf("after the first FETCH: %d misses, %d hits, %d stores of the tree", misses, hits, set)
			}
			mime, _ := tree.Extract(raw, message.Section{Path: []int{2}, Specifier: "MIME"})
			rc.send("F2 FETCH 1 (BODY.PEEK[2.MIME])\r\n")
			if l, want := rc.line(), fmt.Sprintf("* 1 FETCH (BODY[2.MIME] {%d}", len(mime)); l != want {
				t.Fatalf("got %q, want %q", l, want)
			}
			got := make([]byte, len(mime))
			if _, err := io.ReadFull(rc.br, got); err != nil {
				t.Fatal(err)
			}
			if string(got) != string(mime) {
				t.Fatalf("BODY[2.MIME] = %q, want %q", got, mime)
			}
			rc.reply("F2", ")", "F2 OK FETCH completed")
			rc2 := e.login("alice")
			rc2.cmd("S SELECT INBOX")
			rc2.expect("F3 FETCH 1 (BINARY.SIZE[2] BODY)", "* 1 FETCH (BINARY.SIZE[2] 512000 BODY "+tree.BodyStructure(false)+")", "F3 OK FETCH completed")
			if misses, hits, set := cc.counts(); misses != 1 || hits != 2 || set != 1 {
				t.Fatalf("after three FETCHes: %d misses, %d hits, %d stores of the tree", misses, hits, set)
			}
		})
	}
}

// DBSource (dbmail-export -s) gives the same tree and envelope for a big
// message, scanned and read streamed, as for a small one parsed in memory.
func TestDBSourceBigMessage(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			inbox, err := d.FindMailbox(ctx, uid, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			src := DBSource{DB: d}
			for _, raw := range [][]byte{testutil.BigMultipart(700<<10, 500<<10), testutil.BigMultipart(10<<10, 10<<10)} {
				parsed, err := message.Parse(raw, message.Options{})
				if err != nil {
					t.Fatal(err)
				}
				physID, _, err := d.StoreMessage(ctx, parsed, time.Now(), []db.Dest{{MailboxID: inbox.ID}})
				if err != nil {
					t.Fatal(err)
				}
				m := &MsgMeta{UID: 1, PhysID: physID, RFCSize: int64(len(raw))}
				tree, err := src.Structure(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := tree.BodyStructure(true), message.ParseStructure(raw).BodyStructure(true); got != want {
					t.Errorf("%d bytes: BODYSTRUCTURE %s, want %s", len(raw), got, want)
				}
				env, err := src.Envelope(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				if want := parsed.Envelope(); env != want {
					t.Errorf("%d bytes: ENVELOPE %s, want %s", len(raw), env, want)
				}
			}
		})
	}
}
