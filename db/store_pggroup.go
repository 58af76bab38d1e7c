package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Group commit of single-target PostgreSQL deliveries (docs/architecture.md
// "Storage"). Each delivery is one statement (storeOnePostgres). When
// deliveries arrive while pgGroupFlushers batches are already being
// written, they queue; the next free flusher sends the queued statements
// as ONE pipeline (pgx batch: every statement, then one Sync), which
// PostgreSQL runs as one implicit transaction: one commit, one WAL flush
// and one round trip for the lot. Nobody's result is given back before
// that commit, so no 250 or APPENDUID precedes its data being durable.
//
// Statements in a batch are ordered by (quota user, mailbox), the
// project's lock order (user row first, then mailbox rows ascending), so
// two batches never wait on each other in a cycle. If PostgreSQL refuses
// any statement of a batch, the implicit transaction is rolled back whole
// and every delivery of it is retried on its own (with the usual retry of
// deadlocks and serialization failures), so one bad message never fails
// its neighbours. A connection lost mid-batch is reported to all of them
// as the error it is (a temporary failure), as it is for a lone statement.

const (
	// pgGroupFlushers is how many batches may be in flight at once. Two
	// keep both cores of PostgreSQL busy while one batch waits for its
	// WAL flush; more only shrink the batches.
	pgGroupFlushers = 2
	// pgGroupMaxBatch bounds a batch: its statements hold their mailbox
	// locks until the batch commits.
	pgGroupMaxBatch = 32
)

// pgGroup queues deliveries for group commit. The zero value is ready.
type pgGroup struct {
	mu     sync.Mutex
	queue  []*pgDelivery
	active int // flushers writing a batch

	batches, grouped, refused atomic.Int64 // see GroupStats
}

// GroupStats counts the group commit's work since Open: batches of two or
// more statements written, the statements in them, and the batches
// PostgreSQL refused (their statements were then written one by one).
type GroupStats struct {
	Batches, Statements, Refused int64
}

// GroupStats reports the PostgreSQL group commit's counters.
func (db *DB) GroupStats() GroupStats {
	g := db.group
	return GroupStats{Batches: g.batches.Load(), Statements: g.grouped.Load(), Refused: g.refused.Load()}
}

// pgDelivery is one queued statement and, once done is closed, its result.
type pgDelivery struct {
	quotaUser, mailbox int64
	sql                string
	args               []any

	promoted chan struct{} // closed when this waiter must write batch
	done     chan struct{} // closed when the result below is set
	batch    []*pgDelivery

	physID int64
	st     Stored
	err    error // errAlone: write it on its own
}

// errAlone marks a delivery whose batch PostgreSQL refused (rolled back):
// its owner writes it again, alone.
var errAlone = errors.New("batch rolled back")

// storeGrouped runs one storeOnePostgres statement through the group
// commit. A refused batch gives errAlone; sql.ErrNoRows means the
// statement stored nothing (quota or vanished mailbox), as for QueryRow.
func (db *DB) storeGrouped(ctx context.Context, d *pgDelivery) error {
	g := db.group
	d.done = make(chan struct{})
	g.mu.Lock()
	g.queue = append(g.queue, d)
	if g.active < pgGroupFlushers {
		// No waiters can be queued while a flusher is free (release
		// promotes one before freeing its slot), so the batch is d alone.
		g.active++
		batch := g.take()
		g.mu.Unlock()
		db.flush(ctx, batch)
		return d.err
	}
	d.promoted = make(chan struct{})
	g.mu.Unlock()
	cancelled := ctx.Done()
	for {
		select {
		case <-d.done:
			return d.err
		case <-d.promoted:
			db.flush(ctx, d.batch)
			return d.err
		case <-cancelled:
			if g.dequeue(d) {
				return ctx.Err()
			}
			// Already taken into a batch: its outcome decides (it may
			// commit).
			cancelled = nil
		}
	}
}

// dequeue removes d from the queue; false when a flusher took it already.
func (g *pgGroup) dequeue(d *pgDelivery) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := slices.Index(g.queue, d)
	if i < 0 {
		return false
	}
	g.queue = slices.Delete(g.queue, i, i+1)
	return true
}

// take removes up to pgGroupMaxBatch deliveries from the head of the
// queue. g.mu is held.
func (g *pgGroup) take() []*pgDelivery {
	n := min(len(g.queue), pgGroupMaxBatch)
	batch := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	return batch
}

// flush writes batch, gives every delivery its result, then hands the
// flusher's slot to the next waiter (with the next batch) or frees it.
func (db *DB) flush(ctx context.Context, batch []*pgDelivery) {
	// The batch carries other sessions' deliveries: the flusher's own
	// cancellation must not abort them.
	db.writeBatch(context.WithoutCancel(ctx), batch)
	for _, d := range batch {
		close(d.done)
	}
	db.group.release()
}

// release hands the finished flusher's slot to the head of the queue,
// with a batch of what is queued, or frees it.
func (g *pgGroup) release() {
	g.mu.Lock()
	if len(g.queue) == 0 {
		g.active--
		g.mu.Unlock()
		return
	}
	next := g.take()
	head := next[0]
	head.batch = next
	g.mu.Unlock()
	close(head.promoted)
}

// writeBatch sends batch as one pipeline on a connection of db's handle
// and sets every delivery's result.
func (db *DB) writeBatch(ctx context.Context, batch []*pgDelivery) {
	if len(batch) == 1 {
		d := batch[0]
		d.err = db.h().QueryRowContext(ctx, d.sql, d.args...).Scan(&d.physID, &d.st.UID, &d.st.ModSeq)
		return
	}
	slices.SortStableFunc(batch, func(a, b *pgDelivery) int {
		return cmp.Or(cmp.Compare(a.quotaUser, b.quotaUser), cmp.Compare(a.mailbox, b.mailbox))
	})
	err := db.withPgx(ctx, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		for _, d := range batch {
			b.Queue(d.sql, d.args...)
		}
		br := c.SendBatch(ctx, b)
		for _, d := range batch {
			d.err = br.QueryRow().Scan(&d.physID, &d.st.UID, &d.st.ModSeq)
			if errors.Is(d.err, pgx.ErrNoRows) {
				d.err = sql.ErrNoRows
			}
		}
		// Close reads the Sync's reply: the commit of the whole batch.
		return br.Close()
	})
	g := db.group
	g.batches.Add(1)
	g.grouped.Add(int64(len(batch)))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		g.refused.Add(1)
	}
	for _, d := range batch {
		switch {
		case err == nil && (d.err == nil || errors.Is(d.err, sql.ErrNoRows)):
		case errors.As(err, &pgErr) || errors.As(d.err, &pgErr):
			// PostgreSQL refused a statement or the commit: the implicit
			// transaction was rolled back, nothing of the batch is stored.
			d.err = errAlone
		case err != nil:
			d.err = err
		}
	}
}

// withPgx runs f on the pgx connection under db's handle: the pinned
// worker connection, or one borrowed from the pool.
func (db *DB) withPgx(ctx context.Context, f func(*pgx.Conn) error) error {
	return db.withRawConn(ctx, func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return f(sc.Conn())
	})
}
