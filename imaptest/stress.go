package imaptest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
)

// stressRun is the shared state of one stress run.
type stressRun struct {
	cfg    *Config
	box    string
	msgs   []MboxMessage
	infos  []*msgInfo
	cat    *catalog
	errors *errorLog
	ops    opCounters
	cp     *checkpointer
	lean   bool // every client runs on leanConn (isLeanPlan)

	mu        sync.Mutex
	selectedN map[string]int // clients of this run with the user's mailbox selected
	everSel   map[string]int // a client that selected the user's mailbox, -1 when several did

	started atomic.Int64 // clients past their rampup delay
	logged  atomic.Int64
	maxConn atomic.Int64
}

func (r *stressRun) selectBox(user string, client int) {
	r.mu.Lock()
	r.selectedN[user]++
	if prev, ok := r.everSel[user]; !ok {
		r.everSel[user] = client
	} else if prev != client {
		r.everSel[user] = -1
	}
	r.mu.Unlock()
}

// shared reports whether more than one client of this run has selected
// the user's mailbox, so that another session may have expunged messages
// this client still sees.
func (r *stressRun) shared(user string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.everSel[user] == -1
}

func (r *stressRun) unselect(user string) {
	r.mu.Lock()
	if r.selectedN[user]--; r.selectedN[user] <= 0 {
		delete(r.selectedN, user)
	}
	r.mu.Unlock()
}

func (r *stressRun) selectedCount(user string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.selectedN[user]
}

func (r *stressRun) loggedIn(delta int64) {
	n := r.logged.Add(delta)
	for {
		m := r.maxConn.Load()
		if n <= m || r.maxConn.CompareAndSwap(m, n) {
			return
		}
	}
}

// RunStress drives cfg.Clients concurrent clients for cfg.Secs seconds
// (until ctx ends when Secs is 0), printing per-second op counts to out,
// then the final report. The mailbox is INBOX unless box= was given.
func RunStress(ctx context.Context, cfg *Config, out io.Writer, log *slog.Logger) (*StressReport, error) {
	if cfg.Mbox == "" {
		return nil, fmt.Errorf("stress mode needs mbox=FILE")
	}
	msgs, err := ReadMbox(cfg.Mbox)
	if err != nil {
		return nil, err
	}
	w := cfg.Weights
	any := false
	for c := CmdList; c < numCmds; c++ {
		if w[c] > 0 {
			any = true
		}
	}
	if !any {
		return nil, fmt.Errorf("every command weight besides login is 0")
	}
	box := "INBOX"
	if cfg.BoxSet {
		box = cfg.Box
	}
	r := &stressRun{
		cfg: cfg, box: box, msgs: msgs, cat: newCatalog(),
		errors: &errorLog{max: 200}, selectedN: map[string]int{}, everSel: map[string]int{},
		lean: isLeanPlan(w),
	}
	for _, m := range msgs {
		r.infos = append(r.infos, describeMessage(m.Data))
	}
	r.cp = newCheckpointer(r)
	log.Info("stress run", "addr", cfg.Addr(), "clients", cfg.Clients, "secs", cfg.Secs,
		"mailbox", box, "messages", len(msgs), "checkpoint", cfg.Checkpoint, "lean", r.lean)

	runCtx := ctx
	if cfg.Secs > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, time.Duration(cfg.Secs)*time.Second)
		defer cancel()
	}
	seed := uint64(cfg.Seed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	clients := make([]*stressClient, cfg.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		sc := &stressClient{
			id: i + 1, run: r, rng: rand.New(rand.NewPCG(seed, uint64(i))),
			lastAppendUID: map[string]imap.UID{}, nextMsg: i,
		}
		clients[i] = sc
		wg.Add(1)
		// rampup=S spreads the clients' first connections over S seconds.
		startDelay := time.Duration(0)
		if cfg.RampUp > 0 {
			startDelay = time.Duration(i) * time.Duration(cfg.RampUp) * time.Second / time.Duration(cfg.Clients)
		}
		go func() {
			defer wg.Done()
			sleepCtx(runCtx, startDelay)
			r.started.Add(1)
			sc.loop(runCtx)
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	r.progress(runCtx, out, start, done)
	// Clients finish their command and log out; a server that stops
	// answering is cut off after the timeout, which is an error.
	select {
	case <-done:
	case <-time.After(cfg.Timeout):
		for _, sc := range clients {
			if c := sc.cur.Load(); c != nil {
				r.errors.add(fmt.Sprintf("client %d: no reply within %s after the run ended", sc.id, cfg.Timeout))
				c.Conn.Close()
			}
		}
		<-done
	}
	dur := time.Since(start)

	all := make([]*latencies, len(clients))
	for i, sc := range clients {
		all[i] = &sc.lat
	}
	rep := &StressReport{Duration: dur, Stats: buildStats(all, dur), Conns: int(r.maxConn.Load()), Lean: r.lean}
	r.errors.mu.Lock()
	rep.Errors = append(rep.Errors, r.errors.list...)
	rep.NErrors = r.errors.total
	r.errors.mu.Unlock()
	rep.Print(out)
	return rep, nil
}

// progress prints op counts once a second and runs checkpoints.
func (r *stressRun) progress(ctx context.Context, out io.Writer, start time.Time, done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prev := r.ops.snapshot()
	sec := 0
	nextCP := r.cfg.Checkpoint
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		sec++
		cur := r.ops.snapshot()
		var delta [numCmds]int64
		for i := range cur {
			delta[i] = cur[i] - prev[i]
		}
		prev = cur
		fmt.Fprintln(out, progressLine(sec, delta, r.logged.Load()))
		if nextCP > 0 && sec >= nextCP {
			nextCP = sec + r.cfg.Checkpoint
			r.cp.run(ctx, out)
		}
	}
}
