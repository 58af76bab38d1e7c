package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// JobFunc is work for the pool: it runs on a worker with that worker's
// database connection and the submitter's context (cancelled when the
// client disconnects or gives up).
type JobFunc func(ctx context.Context, conn *sql.Conn) error

// Job states.
const (
	jobQueued int32 = iota
	jobRunning
	jobCancelled
)

type job struct {
	ctx   context.Context
	fn    JobFunc
	state atomic.Int32
	queue time.Time
	done  chan error
}

// Pool is the bounded SQL worker pool (architecture.md "How one daemon
// runs"; DBMail's thread pool of max_db_connections workers, spec 8.2):
// a fixed number of workers, each owning one database connection, take
// jobs from a bounded queue. A full queue refuses new work at once
// (ErrBusy) instead of piling up memory.
type Pool struct {
	db      *sql.DB
	log     *slog.Logger
	queue   chan *job
	urgent  chan *job // SubmitUrgent: taken before queue
	quit    chan struct{}
	wg      sync.WaitGroup
	workers int
	limit   int64 // workers + queue depth: jobs admitted at once
	closed  atomic.Bool

	pending   atomic.Int64 // admitted jobs not yet finished or skipped
	busy      atomic.Int64
	submitted atomic.Uint64
	completed atomic.Uint64
	failed    atomic.Uint64
	rejected  atomic.Uint64
	cancelled atomic.Uint64
	reconnect atomic.Uint64
	wait      histogram
	run       histogram
}

// NewPool starts workers goroutines over db; queueDepth jobs may wait
// beyond the running ones. A worker opens its database connection on its
// first job and opens a fresh one after a job leaves it broken.
func NewPool(db *sql.DB, workers, queueDepth int) *Pool {
	return NewPoolWithLogger(db, workers, queueDepth, slog.Default())
}

// NewPoolWithLogger is NewPool logging worker connection trouble to log.
func NewPoolWithLogger(db *sql.DB, workers, queueDepth int, log *slog.Logger) *Pool {
	workers = max(workers, 1)
	queueDepth = max(queueDepth, 0)
	p := &Pool{
		db:      db,
		log:     log,
		queue:   make(chan *job, workers+queueDepth),
		urgent:  make(chan *job, workers+queueDepth),
		quit:    make(chan struct{}),
		workers: workers,
		limit:   int64(workers + queueDepth),
	}
	p.wg.Add(workers)
	for range workers {
		go p.worker()
	}
	return p
}

// Submit queues fn and waits for its result. It fails fast with ErrBusy
// when all workers are busy and the queue is full, returns ctx.Err() when
// ctx ends while the job still waits (the job is dropped), and when ctx
// ends while fn runs it waits for fn, which sees the cancelled context
// (database drivers abort the query), and returns its error.
func (p *Pool) Submit(ctx context.Context, fn JobFunc) error {
	return p.submit(ctx, fn, p.queue)
}

// SubmitUrgent is Submit for a short job that should not wait behind the
// queue: the next free worker takes it before any queued Submit job.
// Logins use it, so that a saturated server still answers a LOGIN after
// one job's time instead of the whole queue's; admission (ErrBusy) is
// shared with Submit.
func (p *Pool) SubmitUrgent(ctx context.Context, fn JobFunc) error {
	return p.submit(ctx, fn, p.urgent)
}

func (p *Pool) submit(ctx context.Context, fn JobFunc, queue chan *job) error {
	if p.closed.Load() {
		return ErrPoolClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Admission: running plus waiting jobs never exceed workers+queueDepth,
	// so the channel send below (either channel holds that many) never
	// blocks.
	if p.pending.Add(1) > p.limit {
		p.pending.Add(-1)
		p.rejected.Add(1)
		return ErrBusy
	}
	j := &job{ctx: ctx, fn: fn, queue: time.Now(), done: make(chan error, 1)}
	queue <- j
	p.submitted.Add(1)
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobCancelled) {
			p.cancelled.Add(1)
			return ctx.Err()
		}
		return <-j.done
	case <-p.quit:
		// Closed after this job was queued: it may sit behind the final
		// drain; fail it unless a worker already took it.
		if j.state.CompareAndSwap(jobQueued, jobCancelled) {
			return ErrPoolClosed
		}
		return <-j.done
	}
}

func (p *Pool) worker() {
	defer p.wg.Done()
	var conn *sql.Conn
	defer func() {
		if conn != nil {
			_ = conn.Close()
		}
	}()
	for {
		var j *job
		select { // urgent jobs first
		case j = <-p.urgent:
		default:
			select {
			case <-p.quit:
				p.drain()
				return
			case j = <-p.urgent:
			case j = <-p.queue:
			}
		}
		if !j.state.CompareAndSwap(jobQueued, jobRunning) {
			p.pending.Add(-1)
			continue // cancelled while queued
		}
		p.wait.observe(time.Since(j.queue))
		conn = p.runJob(j, conn)
	}
}

// runJob runs one job and returns the worker's connection for the next:
// nil when it could not be opened or was found broken afterwards.
func (p *Pool) runJob(j *job, conn *sql.Conn) *sql.Conn {
	p.busy.Add(1)
	start := time.Now()
	var err error
	if conn == nil {
		conn, err = p.db.Conn(j.ctx)
		if err != nil {
			conn = nil
			err = fmt.Errorf("worker pool: get database connection: %w", err)
		} else {
			p.reconnect.Add(1)
		}
	}
	if err == nil {
		err = p.call(j, conn)
	}
	p.run.observe(time.Since(start))
	if err != nil {
		p.failed.Add(1)
		if conn != nil && !healthy(conn) {
			p.log.Warn("worker database connection broken; reconnecting", "err", err)
			_ = conn.Raw(func(any) error { return errBadConn })
			_ = conn.Close()
			conn = nil
		}
	} else {
		p.completed.Add(1)
	}
	if conn != nil && !valid(conn) {
		// A job can leave its connection unusable without failing: the
		// MySQL driver kills the connection when a job's context is
		// cancelled while it still watches it. database/sql checks a
		// pooled connection before reuse, but never a pinned one, so the
		// worker does it, or the next job would fail with "bad
		// connection" (seen as a flaky 25 MB RETR on MariaDB).
		p.log.Debug("worker database connection invalid after a job; reconnecting")
		_ = conn.Raw(func(any) error { return errBadConn })
		_ = conn.Close()
		conn = nil
	}
	p.busy.Add(-1)
	p.pending.Add(-1)
	j.done <- err
	return conn
}

// call runs the job's function, turning a panic into an error so one bad
// job cannot take the worker down.
func (p *Pool) call(j *job, conn *sql.Conn) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("worker pool: job panicked: %v", r)
		}
	}()
	return j.fn(j.ctx, conn)
}

// errBadConn returned from Raw marks the connection as not reusable
// (database/sql then discards it instead of returning it to its pool).
var errBadConn = driver.ErrBadConn

// errInvalidConn reports a connection its driver no longer considers usable.
var errInvalidConn = errors.New("worker pool: connection no longer valid")

// valid asks the driver whether conn can still be used (driver.Validator:
// no round trip; drivers without it are assumed valid).
func valid(conn *sql.Conn) bool {
	return conn.Raw(func(dc any) error {
		if v, ok := dc.(driver.Validator); ok && !v.IsValid() {
			return errInvalidConn
		}
		return nil
	}) == nil
}

// healthy pings conn briefly after a failed job.
func healthy(conn *sql.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return conn.PingContext(ctx) == nil
}

// drain fails the jobs still queued when the pool closes.
func (p *Pool) drain() {
	for {
		select {
		case j := <-p.urgent:
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.done <- ErrPoolClosed
			}
			p.pending.Add(-1)
		case j := <-p.queue:
			if j.state.CompareAndSwap(jobQueued, jobRunning) {
				j.done <- ErrPoolClosed
			}
			p.pending.Add(-1)
		default:
			return
		}
	}
}

// Close stops the workers after their current jobs, fails queued jobs
// with ErrPoolClosed and releases the connections. It does not close db.
func (p *Pool) Close() {
	if p.closed.Swap(true) {
		return
	}
	close(p.quit)
	p.wg.Wait()
	p.drain()
}

// PoolStats is a read-out of the pool for the state dump and metrics.
type PoolStats struct {
	Workers    int
	Busy       int // jobs running now
	Queued     int // jobs waiting now
	QueueMax   int
	Submitted  uint64
	Completed  uint64
	Failed     uint64
	Rejected   uint64 // ErrBusy
	Cancelled  uint64 // context ended while queued
	Reconnects uint64 // database connections opened by workers
	Wait       HistSummary
	Run        HistSummary
}

// Stats returns the counters and the wait/run time distributions.
func (p *Pool) Stats() PoolStats {
	return PoolStats{
		Workers:    p.workers,
		Busy:       int(p.busy.Load()),
		Queued:     len(p.queue) + len(p.urgent),
		QueueMax:   int(p.limit) - p.workers,
		Submitted:  p.submitted.Load(),
		Completed:  p.completed.Load(),
		Failed:     p.failed.Load(),
		Rejected:   p.rejected.Load(),
		Cancelled:  p.cancelled.Load(),
		Reconnects: p.reconnect.Load(),
		Wait:       p.wait.summary(),
		Run:        p.run.summary(),
	}
}
