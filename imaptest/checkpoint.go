package imaptest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointer pauses every client between commands, lets the clients
// with a mailbox selected synchronize (NOOP, FETCH 1:* UID FLAGS), and
// compares the views of clients that share a mailbox (Dovecot imaptest's
// checkpoint=N).
type checkpointer struct {
	r         *stressRun
	requested atomic.Bool

	mu      sync.Mutex
	parked  int
	synced  int
	phase2  chan struct{} // closed: parked clients synchronize
	release chan struct{} // closed: clients continue
	snaps   []viewSnapshot
}

func newCheckpointer(r *stressRun) *checkpointer {
	return &checkpointer{r: r}
}

// maybePark is called by a client between commands.
func (cp *checkpointer) maybePark(ctx context.Context, sc *stressClient) {
	if !cp.requested.Load() {
		return
	}
	cp.mu.Lock()
	if !cp.requested.Load() {
		cp.mu.Unlock()
		return
	}
	cp.parked++
	phase2, release := cp.phase2, cp.release
	cp.mu.Unlock()

	select {
	case <-phase2:
	case <-ctx.Done():
		return
	}
	snap, err := sc.checkpointSync()
	if err != nil {
		sc.errorf(CmdNoop, "checkpoint sync: %v", err)
		sc.disconnect()
	}
	cp.mu.Lock()
	if snap != nil {
		cp.snaps = append(cp.snaps, *snap)
	}
	cp.synced++
	cp.mu.Unlock()
	select {
	case <-release:
	case <-ctx.Done():
	}
}

// run performs one checkpoint.
func (cp *checkpointer) run(ctx context.Context, out io.Writer) {
	cp.mu.Lock()
	cp.parked, cp.synced, cp.snaps = 0, 0, nil
	cp.phase2, cp.release = make(chan struct{}), make(chan struct{})
	release := cp.release
	cp.mu.Unlock()
	cp.requested.Store(true)
	defer close(release)

	// Clients still waiting for their rampup start do not take part.
	want := func() int { return int(cp.r.started.Load()) }
	if !cp.waitCount(ctx, func() int { return cp.parked }, want) {
		cp.requested.Store(false)
		close(cp.phase2)
		if ctx.Err() != nil {
			return // the run ended
		}
		cp.r.errors.add(fmt.Sprintf("checkpoint: only %d of %d clients reached it within 30s", cp.count(func() int { return cp.parked }), want()))
		return
	}
	cp.mu.Lock()
	cp.requested.Store(false)
	parked := cp.parked
	cp.mu.Unlock()
	close(cp.phase2)
	if !cp.waitCount(ctx, func() int { return cp.synced }, func() int { return parked }) {
		if ctx.Err() != nil {
			return
		}
		cp.r.errors.add("checkpoint: clients did not finish synchronizing within 30s")
		return
	}
	cp.mu.Lock()
	snaps := cp.snaps
	cp.mu.Unlock()
	byUser := map[string][]viewSnapshot{}
	for _, s := range snaps {
		byUser[s.user] = append(byUser[s.user], s)
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	sort.Strings(users)
	compared := 0
	for _, u := range users {
		group := byUser[u]
		for i := 1; i < len(group); i++ {
			compared++
			for _, e := range compareSnapshots(group[0], group[i]) {
				cp.r.errors.add(e)
			}
		}
	}
	fmt.Fprintf(out, "checkpoint: %d clients synchronized, %d mailbox views compared\n", len(snaps), compared)
}

func (cp *checkpointer) count(f func() int) int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return f()
}

func (cp *checkpointer) waitCount(ctx context.Context, f func() int, want func() int) bool {
	deadline := time.Now().Add(30 * time.Second)
	for cp.count(f) < want() {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		sleepCtx(ctx, 10*time.Millisecond)
	}
	return true
}
