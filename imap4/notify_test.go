package imap4

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

func TestHubPublishSubscribe(t *testing.T) {
	h := NewHub()
	var a, b, c atomic.Int32
	sa := h.Subscribe(1, func() { a.Add(1) })
	sb := h.Subscribe(1, func() { b.Add(1) })
	sc := h.Subscribe(2, func() { c.Add(1) })
	h.Publish(1)
	h.Publish(3)
	if a.Load() != 1 || b.Load() != 1 || c.Load() != 0 {
		t.Fatalf("after Publish(1): a=%d b=%d c=%d", a.Load(), b.Load(), c.Load())
	}
	sa.Close()
	sa.Close() // idempotent
	h.Publish(1)
	if a.Load() != 1 || b.Load() != 2 {
		t.Fatalf("after Close: a=%d b=%d", a.Load(), b.Load())
	}
	if n := h.Subscribers(1); n != 1 {
		t.Fatalf("subscribers of 1: %d", n)
	}
	sb.Close()
	sc.Close()
	if n := h.Subscribers(1) + h.Subscribers(2); n != 0 {
		t.Fatalf("subscribers left: %d", n)
	}
	if got := h.String(); got != "hub mailboxes=0 subscriptions=0" {
		t.Fatalf("String: %q", got)
	}
}

// TestHubWatch: a change committed without Publish (another process) is
// found by the batched poll of mailboxes.seq.
func TestHubWatch(t *testing.T) {
	d := dbtest.Open(t, dbtest.Backends(t)[0])
	ctx := context.Background()
	uid, err := d.CreateUser(ctx, db.User{Name: "carol", Passwd: "x", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := d.FindMailbox(ctx, uid, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	h := NewHub()
	woke := make(chan struct{}, 4)
	sub := h.Subscribe(inbox.ID, func() { woke <- struct{}{} })
	defer sub.Close()
	// The first poll learns the current seq without waking anyone.
	if err := h.poll(ctx, d); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
		t.Fatal("woken without a change")
	default:
	}
	if _, err := d.IMAPFlushRecent(ctx, inbox.ID, []int64{0}); err != nil {
		t.Fatal(err)
	}
	if err := h.poll(ctx, d); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	case <-time.After(time.Second):
		t.Fatal("change not published by the poll")
	}
}
