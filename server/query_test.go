package server

import (
	"errors"
	"testing"
	"time"
)

func TestQueryThroughPool(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 2, 2, discard())
	defer p.Close()
	ts := startServer(t, testConfig(t), Options{Pool: p}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 0\r\n")
	if err := c.expect("OK 42"); err != nil {
		t.Fatal(err)
	}
	if err := <-ts.proto.queries; err != nil {
		t.Fatal(err)
	}
}

func TestQueryCancelledOnDisconnect(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	ts := startServer(t, testConfig(t), Options{Pool: p}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 20000\r\n")
	waitFor(t, func() bool { return p.Stats().Busy == 1 })
	c.conn.Close()
	select {
	case err := <-ts.proto.queries:
		if !errors.Is(err, ErrDisconnected) {
			t.Fatalf("query error %v, want ErrDisconnected", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("query not cancelled by the disconnect")
	}
	ts.expectClose(t, CloseProtocolError)
	if st := p.Stats(); st.Failed != 1 {
		t.Fatalf("pool stats %+v", st)
	}
}

func TestQueryNotCancelledByPipelinedInput(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	ts := startServer(t, testConfig(t), Options{Pool: p}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 300\r\n")
	waitFor(t, func() bool { return p.Stats().Busy == 1 })
	c.send("next\r\n")
	if err := c.expect("OK 42", "next"); err != nil {
		t.Fatal(err)
	}
}

func TestQueryBusy(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 0, discard())
	defer p.Close()
	release, done := blockPool(t, p, 1)
	defer func() { release(); done.Wait() }()
	ts := startServer(t, testConfig(t), Options{Pool: p}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 0\r\n")
	if err := c.expect("NO busy"); err != nil {
		t.Fatal(err)
	}
}

func TestQueryWithoutPool(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("QUERY 0\r\n")
	if _, err := c.readLine(); err == nil {
		t.Fatal("expected close")
	}
	if err := <-ts.proto.queries; !errors.Is(err, ErrNoPool) {
		t.Fatalf("got %v", err)
	}
}

func TestQueryInOnClose(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 1, 1, discard())
	defer p.Close()
	ts := startServer(t, testConfig(t), Options{Pool: p}, kindPlain)
	ts.proto.queryOnClose.Store(true)
	for _, how := range []string{"QUIT\r\n", ""} {
		c := ts.dial(t, kindPlain)
		if how != "" {
			c.send(how)
			if err := c.expect("BYE"); err != nil {
				t.Fatal(err)
			}
		} else {
			c.conn.Close() // client vanishes
		}
		select {
		case err := <-ts.proto.queries:
			if err != nil {
				t.Fatalf("query in OnClose after %q: %v", how, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("OnClose query did not finish")
		}
		ts.proto.waitClose(5 * time.Second)
	}
}
