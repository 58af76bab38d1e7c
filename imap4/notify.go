package imap4

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// Hub is the change-notification hub of one process: sessions subscribe to
// the mailbox they have selected and are woken (server.Conn.Wake, no
// polling) when a change to it is published. Every writer in the process
// — IMAP sessions after APPEND/STORE/EXPUNGE/COPY, and the LMTP daemon
// after each delivery commit — calls Publish(mailboxID) once its
// transaction has committed.
//
// Changes made by other processes arrive through the daemon's
// notify.Relay (Unix datagrams on this host, PostgreSQL LISTEN/NOTIFY
// across hosts), which calls Notify; the relay also carries this hub's own
// publications out (SetForward). Watch is the safety net everywhere (tools
// that do not notify, MariaDB/SQLite across hosts): one batched query of
// mailboxes.seq for all watched mailboxes per interval, never one per
// session (spec 2.15).
type Hub struct {
	mu   sync.Mutex
	subs map[int64]map[*Subscription]struct{}
	seqs map[int64]int64 // last mailboxes.seq Watch saw per watched mailbox

	forward func(mailboxID int64) // tells the other processes; nil: none
}

// Subscription is one session's interest in one mailbox.
type Subscription struct {
	hub       *Hub
	mailboxID int64
	wake      func()
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: make(map[int64]map[*Subscription]struct{}), seqs: make(map[int64]int64)}
}

// Subscribe calls wake (which must not block) after every Publish of
// mailboxID until the subscription is closed.
func (h *Hub) Subscribe(mailboxID int64, wake func()) *Subscription {
	s := &Subscription{hub: h, mailboxID: mailboxID, wake: wake}
	h.mu.Lock()
	m := h.subs[mailboxID]
	if m == nil {
		m = make(map[*Subscription]struct{})
		h.subs[mailboxID] = m
	}
	m[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() {
	if s == nil {
		return
	}
	h := s.hub
	h.mu.Lock()
	if m := h.subs[s.mailboxID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.mailboxID)
			delete(h.seqs, s.mailboxID)
		}
	}
	h.mu.Unlock()
}

// SetForward makes Publish also hand every mailbox id to f, which tells
// the other processes (notify.Relay.Publish). Call it before serving.
func (h *Hub) SetForward(f func(mailboxID int64)) {
	h.mu.Lock()
	h.forward = f
	h.mu.Unlock()
}

// Publish wakes every session subscribed to mailboxID and tells the other
// processes (SetForward). Call it after the change has committed.
func (h *Hub) Publish(mailboxID int64) {
	h.publishLocal(mailboxID)
	h.mu.Lock()
	f := h.forward
	h.mu.Unlock()
	if f != nil {
		f(mailboxID)
	}
}

// Notify wakes this process's subscribers of a change another process
// made (from notify.Relay.OnChange); it is not forwarded again.
func (h *Hub) Notify(mailboxID int64) { h.publishLocal(mailboxID) }

// publishLocal wakes this process's subscribers of mailboxID.
func (h *Hub) publishLocal(mailboxID int64) {
	h.mu.Lock()
	wakes := make([]func(), 0, len(h.subs[mailboxID]))
	for s := range h.subs[mailboxID] {
		wakes = append(wakes, s.wake)
	}
	h.mu.Unlock()
	for _, w := range wakes {
		w()
	}
}

// Subscribers returns how many subscriptions mailboxID has.
func (h *Hub) Subscribers(mailboxID int64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[mailboxID])
}

func (h *Hub) watched() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]int64, 0, len(h.subs))
	for id := range h.subs {
		ids = append(ids, id)
	}
	return ids
}

// Watch polls mailboxes.seq of all watched mailboxes every interval with
// one query (in chunks of 500 ids) and publishes those that changed since
// the previous poll, until ctx ends. It catches changes committed by other
// processes; changes made in this process are published directly.
func (h *Hub) Watch(ctx context.Context, d *db.DB, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := h.poll(ctx, d); err != nil && ctx.Err() == nil {
			log.Warn("mailbox change poll failed", "err", err)
		}
	}
}

func (h *Hub) poll(ctx context.Context, d *db.DB) error {
	ids := h.watched()
	for len(ids) > 0 {
		n := min(len(ids), 500)
		seqs, err := d.IMAPMailboxSeqs(ctx, ids[:n])
		if err != nil {
			return fmt.Errorf("poll mailbox seqs: %w", err)
		}
		var changed []int64
		h.mu.Lock()
		for id, seq := range seqs {
			old, known := h.seqs[id]
			if _, live := h.subs[id]; !live {
				continue
			}
			h.seqs[id] = seq
			if known && old != seq {
				changed = append(changed, id)
			}
		}
		h.mu.Unlock()
		for _, id := range changed {
			h.Publish(id)
		}
		ids = ids[n:]
	}
	return nil
}

// String describes the hub for the state dump.
func (h *Hub) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	fmt.Fprintf(&b, "hub mailboxes=%d subscriptions=%d", len(h.subs), n)
	return b.String()
}
