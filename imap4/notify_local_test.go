package imap4

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestHubListenLocal: hubs of different processes on one host (here two
// hubs sharing a directory) wake each other over Unix datagram sockets,
// and a hub never hears itself.
func TestHubListenLocal(t *testing.T) {
	dir, err := os.MkdirTemp("", "hub") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, b := NewHub(), NewHub()
	done := make(chan error, 2)
	for _, h := range []*Hub{a, b} {
		go func() { done <- h.ListenLocal(ctx, dir, log) }()
	}
	woke := make(chan struct{}, 100)
	self := make(chan struct{}, 100)
	subB := b.Subscribe(7, func() { woke <- struct{}{} })
	subA := a.Subscribe(7, func() { self <- struct{}{} })
	// Wait until both sockets exist, then publish.
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, localPrefix+"*.sock"))
		if len(m) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sockets: %v", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.Publish(7)
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("hub b not woken by hub a")
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(self); n != 1 {
		t.Fatalf("hub a's subscriber woken %d times for one publish", n)
	}
	subA.Close()
	subB.Close()
	cancel()
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Fatalf("sockets left behind: %v", m)
	}
}
