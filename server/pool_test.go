package server

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// openSQLite opens a throwaway SQLite database file.
func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "pool.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestPoolRunsJobsOnOwnConnections(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	p := NewPoolWithLogger(db, 3, 10, discard())
	defer p.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				err := p.Submit(context.Background(), func(ctx context.Context, conn *sql.Conn) error {
					_, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?)", i)
					return err
				})
				if errors.Is(err, ErrBusy) {
					time.Sleep(time.Millisecond)
					continue
				}
				errs <- err
				return
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 30 {
		t.Fatalf("rows = %d, %v", n, err)
	}
	st := p.Stats()
	if st.Completed != 30 || st.Failed != 0 || st.Workers != 3 || st.QueueMax != 10 || st.Busy != 0 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
	if st.Reconnects < 1 || st.Reconnects > 3 {
		t.Fatalf("workers opened %d connections, want 1..3 (one each, reused)", st.Reconnects)
	}
	if st.Run.Count != 30 || st.Wait.Count != 30 {
		t.Fatalf("histogram counts run=%d wait=%d", st.Run.Count, st.Wait.Count)
	}
}

// blockPool fills every worker with a job that waits on release.
func blockPool(t *testing.T, p *Pool, workers int) (release func(), done *sync.WaitGroup) {
	t.Helper()
	gate := make(chan struct{})
	started := make(chan struct{}, workers)
	done = &sync.WaitGroup{}
	for range workers {
		done.Add(1)
		go func() {
			defer done.Done()
			_ = p.Submit(context.Background(), func(ctx context.Context, _ *sql.Conn) error {
				started <- struct{}{}
				<-gate
				return nil
			})
		}()
	}
	for range workers {
		<-started
	}
	return func() { close(gate) }, done
}

func TestPoolFailsFastWhenQueueFull(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	release, done := blockPool(t, p, 1)
	queued := make(chan error, 1)
	go func() {
		queued <- p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil })
	}()
	waitFor(t, func() bool { return p.Stats().Queued == 1 })
	start := time.Now()
	err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Submit on a full queue = %v, want ErrBusy", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("ErrBusy was not immediate")
	}
	release()
	done.Wait()
	if err := <-queued; err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Rejected != 1 || st.Completed != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPoolCancelWhileQueued(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 4, discard())
	defer p.Close()
	release, done := blockPool(t, p, 1)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	res := make(chan error, 1)
	go func() {
		res <- p.Submit(ctx, func(context.Context, *sql.Conn) error { ran <- struct{}{}; return nil })
	}()
	waitFor(t, func() bool { return p.Stats().Queued == 1 })
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit = %v, want context.Canceled", err)
	}
	release()
	done.Wait()
	// The worker skips the cancelled job.
	if err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
		t.Fatal("cancelled job ran")
	default:
	}
	if st := p.Stats(); st.Cancelled != 1 {
		t.Fatalf("cancelled = %d", st.Cancelled)
	}
}

func TestPoolCancelWhileRunning(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	res := make(chan error, 1)
	go func() {
		res <- p.Submit(ctx, func(ctx context.Context, _ *sql.Conn) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-started
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit = %v", err)
	}
	if st := p.Stats(); st.Failed != 1 || st.Busy != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPoolJobPanicAndErrors(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { panic("boom") })
	if err == nil || err.Error() != "worker pool: job panicked: boom" {
		t.Fatalf("panic became %v", err)
	}
	bad := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
		_, err := c.ExecContext(ctx, "SELECT * FROM missing_table")
		return err
	})
	if bad == nil {
		t.Fatal("SQL error lost")
	}
	var n int
	if err := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
		return c.QueryRowContext(ctx, "SELECT 7").Scan(&n)
	}); err != nil || n != 7 {
		t.Fatalf("worker unusable after failures: %v %d", err, n)
	}
	if st := p.Stats(); st.Reconnects != 1 || st.Failed != 2 {
		t.Fatalf("healthy connection was replaced or failures miscounted: %+v", st)
	}
}

func TestPoolReconnectsAfterBrokenConnection(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	err := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
		c.Close() // the job leaves the worker's connection unusable
		return errors.New("job broke the connection")
	})
	if err == nil {
		t.Fatal("error lost")
	}
	var n int
	if err := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
		return c.QueryRowContext(ctx, "SELECT 1").Scan(&n)
	}); err != nil {
		t.Fatalf("no reconnect: %v", err)
	}
	if st := p.Stats(); st.Reconnects != 2 {
		t.Fatalf("reconnects = %d, want 2", st.Reconnects)
	}
}

func TestPoolClose(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 4, discard())
	release, done := blockPool(t, p, 1)
	res := make(chan error, 1)
	go func() { res <- p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil }) }()
	waitFor(t, func() bool { return p.Stats().Queued == 1 })
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	release()
	done.Wait()
	<-closed
	if err := <-res; err != nil && !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("queued job at close: %v", err)
	}
	if err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil }); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("Submit after Close = %v", err)
	}
}

func TestHistogramSummary(t *testing.T) {
	t.Parallel()
	var h histogram
	for i := 1; i <= 100; i++ {
		h.observe(time.Duration(i) * time.Millisecond)
	}
	s := h.summary()
	if s.Count != 100 || s.Max != 100*time.Millisecond || s.Mean != 50500*time.Microsecond {
		t.Fatalf("summary %+v", s)
	}
	// Bucket upper bounds: 50 ms lies in [32.768, 65.536) ms.
	if s.P50 != 65536*time.Microsecond || s.P99 != 100*time.Millisecond {
		t.Fatalf("p50 %v p99 %v", s.P50, s.P99)
	}
	var empty histogram
	if (empty.summary() != HistSummary{}) {
		t.Fatal("empty histogram not zero")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkPoolSubmit(b *testing.B) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := NewPoolWithLogger(db, 4, 1024, discard())
	defer p.Close()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for {
				err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil })
				if err == nil {
					break
				}
				if !errors.Is(err, ErrBusy) {
					b.Error(err)
					return
				}
			}
		}
	})
}

// An urgent job (a login) is taken by the next free worker before the
// jobs already queued with Submit.
func TestPoolUrgentJobsGoFirst(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 8, discard())
	defer p.Close()
	release, done := blockPool(t, p, 1)
	var mu sync.Mutex
	var order []string
	job := func(name string) JobFunc {
		return func(context.Context, *sql.Conn) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	res := make(chan error, 4)
	for i, name := range []string{"a", "b", "c"} {
		go func() { res <- p.Submit(context.Background(), job(name)) }()
		waitFor(t, func() bool { return p.Stats().Queued == i+1 })
	}
	go func() { res <- p.SubmitUrgent(context.Background(), job("login")) }()
	waitFor(t, func() bool { return p.Stats().Queued == 4 })
	release()
	done.Wait()
	for range 4 {
		if err := <-res; err != nil {
			t.Fatal(err)
		}
	}
	if len(order) != 4 || order[0] != "login" {
		t.Fatalf("order %v, want login first", order)
	}
	if st := p.Stats(); st.Completed != 5 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Admission is shared: urgent jobs count towards workers+queueDepth.
func TestPoolUrgentAdmissionAndClose(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	release, done := blockPool(t, p, 1)
	queued := make(chan error, 1)
	go func() {
		queued <- p.SubmitUrgent(context.Background(), func(context.Context, *sql.Conn) error { return nil })
	}()
	waitFor(t, func() bool { return p.Stats().Queued == 1 })
	if err := p.SubmitUrgent(context.Background(), func(context.Context, *sql.Conn) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Fatalf("SubmitUrgent on a full pool = %v, want ErrBusy", err)
	}
	if err := p.Submit(context.Background(), func(context.Context, *sql.Conn) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Fatalf("Submit on a full pool = %v, want ErrBusy", err)
	}
	release()
	p.Close()
	done.Wait()
	if err := <-queued; !errors.Is(err, ErrPoolClosed) && err != nil {
		t.Fatalf("queued urgent job = %v, want ErrPoolClosed or nil", err)
	}
}
