package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"testing"
)

// fakeConn is a driver connection that can be told it is no longer valid
// (driver.Validator), as the MySQL driver reports a connection it killed
// when a job's context was cancelled.
type fakeConn struct {
	id      int64
	invalid atomic.Bool
}

func (c *fakeConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("fake: no statements")
}
func (c *fakeConn) Close() error              { return nil }
func (c *fakeConn) Begin() (driver.Tx, error) { return nil, errors.New("fake: no transactions") }
func (c *fakeConn) IsValid() bool             { return !c.invalid.Load() }

type fakeDriver struct{ opened atomic.Int64 }

func (d *fakeDriver) Open(string) (driver.Conn, error) {
	return &fakeConn{id: d.opened.Add(1)}, nil
}

var validatorDriver = &fakeDriver{}

func init() { sql.Register("dbmail-go-pool-validator-fake", validatorDriver) }

// TestPoolReplacesInvalidConnection: a job that succeeds but leaves its
// pinned connection invalid does not hand that connection to the next job.
func TestPoolReplacesInvalidConnection(t *testing.T) {
	db, err := sql.Open("dbmail-go-pool-validator-fake", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := NewPoolWithLogger(db, 1, 1, discard())
	defer p.Close()
	connID := func(c *sql.Conn, invalidate bool) int64 {
		var id int64
		if err := c.Raw(func(dc any) error {
			fc := dc.(*fakeConn)
			id = fc.id
			if invalidate {
				fc.invalid.Store(true)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var first, second, third int64
	if err := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
		first = connID(c, true) // succeeds, but leaves the connection invalid
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, got := range []*int64{&second, &third} {
		if err := p.Submit(context.Background(), func(ctx context.Context, c *sql.Conn) error {
			*got = connID(c, false)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if second == first {
		t.Fatalf("the job after an invalidating one got the same connection %d", first)
	}
	if third != second {
		t.Fatalf("a valid connection was replaced: %d then %d", second, third)
	}
}
