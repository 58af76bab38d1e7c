package imap4

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestHubListenPostgres: a Publish on one hub wakes the subscribers of
// another hub on the same PostgreSQL database (another process), and a
// hub does not wake itself twice from its own NOTIFY.
func TestHubListenPostgres(t *testing.T) {
	var pg *dbtest.Backend
	for _, b := range dbtest.Backends(t) {
		if b.Dialect == db.Postgres {
			pg = &b
		}
	}
	if pg == nil {
		t.Skip("DBMAIL_TEST_PG not set: skipping the LISTEN/NOTIFY test")
	}
	d := dbtest.Open(t, *pg)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, b := NewHub(), NewHub()
	done := make(chan struct{}, 2)
	for _, h := range []*Hub{a, b} {
		go func() {
			_ = h.ListenPostgres(ctx, d, log)
			done <- struct{}{}
		}()
	}
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
	})
	woke := make(chan struct{}, 100)
	self := make(chan struct{}, 100)
	defer b.Subscribe(42, func() { woke <- struct{}{} }).Close()
	defer a.Subscribe(42, func() { self <- struct{}{} }).Close()
	// The listeners need a moment to issue LISTEN: publish until heard.
	deadline := time.After(10 * time.Second)
	published := 0
	for heard := false; !heard; {
		a.Publish(42)
		published++
		select {
		case <-woke:
			heard = true
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("NOTIFY from hub a never reached hub b")
		}
	}
	// a's own subscriber was woken exactly once per Publish: its own
	// NOTIFYs are ignored.
	time.Sleep(300 * time.Millisecond)
	if n := len(self); n != published {
		t.Fatalf("local subscriber woken %d times for %d publishes", n, published)
	}
}
