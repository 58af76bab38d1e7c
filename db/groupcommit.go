package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// Group commit: concurrent StoreMessage calls are gathered into one
// transaction, so N deliveries share one commit (one WAL flush, one fsync)
// instead of paying one each. Every delivery runs inside its own SAVEPOINT,
// so one that fails (or finds every target over quota) is rolled back alone
// and leaves no row behind; the callers are answered only after the COMMIT
// that made their rows durable. Mailbox row locks are still taken before
// UIDs are allocated, and a batch commits atomically, so UID order stays
// commit order.

// GroupCommitOptions tune the batching.
type GroupCommitOptions struct {
	Workers  int           // transactions committing in parallel (default 2)
	MaxBatch int           // deliveries per transaction at most (default 64)
	MaxWait  time.Duration // how long a batch may wait to fill (default 0: take what is queued)
}

type storeReq struct {
	ctx     context.Context
	m       *message.Message
	idate   time.Time
	targets []Dest
	done    chan storeRes
}

type storeRes struct {
	physID  int64
	results []Stored
	err     error
}

type groupCommitter struct {
	db   *DB
	opt  GroupCommitOptions
	reqs chan *storeReq
	wg   sync.WaitGroup
	stop chan struct{}
}

// EnableGroupCommit makes StoreMessage batch concurrent deliveries. Call it
// once before concurrent use; DisableGroupCommit (or Close) stops it.
func (db *DB) EnableGroupCommit(opt GroupCommitOptions) {
	if opt.Workers <= 0 {
		opt.Workers = 2
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 64
	}
	g := &groupCommitter{db: db, opt: opt, reqs: make(chan *storeReq, opt.MaxBatch*opt.Workers), stop: make(chan struct{})}
	for i := 0; i < opt.Workers; i++ {
		g.wg.Add(1)
		go g.loop()
	}
	db.group = g
}

// DisableGroupCommit stops the batching workers after the queued deliveries.
func (db *DB) DisableGroupCommit() {
	if g := db.group; g != nil {
		db.group = nil
		close(g.stop)
		g.wg.Wait()
	}
}

func (g *groupCommitter) submit(ctx context.Context, m *message.Message, idate time.Time, targets []Dest) (int64, []Stored, error) {
	r := &storeReq{ctx: ctx, m: m, idate: idate, targets: targets, done: make(chan storeRes, 1)}
	select {
	case g.reqs <- r:
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
	// Once queued the delivery is committed or failed by a worker; the
	// caller must learn which, so it waits for the answer.
	res := <-r.done
	return res.physID, res.results, res.err
}

func (g *groupCommitter) loop() {
	defer g.wg.Done()
	for {
		var first *storeReq
		select {
		case first = <-g.reqs:
		case <-g.stop:
			// Drain what is queued, then exit.
			for {
				select {
				case r := <-g.reqs:
					g.run([]*storeReq{r})
				default:
					return
				}
			}
		}
		batch := []*storeReq{first}
		var timeout <-chan time.Time
		if g.opt.MaxWait > 0 {
			timeout = time.After(g.opt.MaxWait)
		}
	fill:
		for len(batch) < g.opt.MaxBatch {
			if timeout == nil {
				select {
				case r := <-g.reqs:
					batch = append(batch, r)
				default:
					break fill
				}
				continue
			}
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			case <-timeout:
				break fill
			}
		}
		g.run(batch)
	}
}

// run stores a batch in one transaction and answers every request.
func (g *groupCommitter) run(batch []*storeReq) {
	out := make([]storeRes, len(batch))
	live := batch[:0:0]
	idx := []int{}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			out[i].err = err
			continue
		}
		live = append(live, r)
		idx = append(idx, i)
	}
	if len(live) > 0 {
		ctx := context.Background() // a batch is not abandoned for one caller's cancellation
		err := g.db.InTx(ctx, func(tx *Tx) error {
			for k, r := range live {
				i := idx[k]
				out[i] = storeRes{}
				sp := "dm_sp_" + strconv.Itoa(k)
				if _, err := tx.Exec(ctx, "SAVEPOINT "+sp); err != nil {
					return fmt.Errorf("savepoint: %w", err)
				}
				results := make([]Stored, len(r.targets))
				physID, err := tx.storePhysmessage(ctx, r.m, r.idate)
				ok := 0
				if err == nil {
					ok, err = tx.insertInstances(ctx, physID, r.m.MessageSize, r.targets, results)
				}
				if err != nil && IsRetryable(err) {
					return err // retry the whole batch
				}
				if err == nil && ok == 0 {
					err = ErrNothingStored
				}
				if err != nil {
					if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+sp); rerr != nil {
						return fmt.Errorf("rollback to savepoint: %w", rerr)
					}
					if errors.Is(err, ErrNothingStored) {
						out[i] = storeRes{results: results, err: err}
					} else {
						out[i] = storeRes{err: fmt.Errorf("store message: %w", err)}
					}
					continue
				}
				if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
					return fmt.Errorf("release savepoint: %w", err)
				}
				out[i] = storeRes{physID: physID, results: results}
			}
			return nil
		})
		if err != nil {
			for _, i := range idx {
				out[i] = storeRes{err: fmt.Errorf("store message: %w", err)}
			}
		}
	}
	for i, r := range batch {
		r.done <- out[i]
	}
}
