package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// memcachedServer returns the test server from DBMAIL_TEST_MEMCACHED or
// skips the test.
func memcachedServer(tb testing.TB) string {
	tb.Helper()
	addr := os.Getenv("DBMAIL_TEST_MEMCACHED")
	if addr == "" {
		tb.Skip("DBMAIL_TEST_MEMCACHED not set (host:port of a memcached): skipping tests against a real memcached")
	}
	if err := memcache.New(addr).Ping(); err != nil {
		tb.Fatalf("DBMAIL_TEST_MEMCACHED=%s: %v", addr, err)
	}
	return addr
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// uniq returns a random key namespace so parallel tests and earlier runs do
// not see each other's items.
func uniq(tb testing.TB) string {
	tb.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestMemcacheKey(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 251)
	tests := []struct {
		in      string
		same    bool
		comment string
	}{
		{"dbmail:env:1", true, "legal"},
		{strings.Repeat("x", 250), true, "250 bytes is legal"},
		{long, false, "too long"},
		{"dbmail:a b", false, "space"},
		{"dbmail:a\nb", false, "control"},
		{"dbmail:a\x7fb", false, "DEL"},
		{"", false, "empty"},
	}
	for _, tt := range tests {
		got := memcacheKey(tt.in)
		if (got == tt.in) != tt.same {
			t.Errorf("%s: memcacheKey(%q) = %q", tt.comment, tt.in, got)
		}
		if !legalKey(got) {
			t.Errorf("%s: memcacheKey(%q) = %q is not legal", tt.comment, tt.in, got)
		}
	}
	if memcacheKey(long) == memcacheKey(long+"y") {
		t.Error("distinct long keys map to one memcached key")
	}
	if want := "dbmail:sha256:"; !strings.HasPrefix(memcacheKey(long), want) {
		t.Errorf("hashed key lacks prefix %q", want)
	}
}

func TestMemcachedReal(t *testing.T) {
	t.Parallel()
	srv := memcachedServer(t)
	ctx := context.Background()
	m := NewMemcached([]string{srv}, MemcachedOptions{Logger: quietLogger(), MaxValueBytes: 1000})
	defer m.Close()
	ns := uniq(t)
	k := Key("test", ns, "a")
	if _, ok := m.Get(ctx, k); ok {
		t.Fatal("hit before Set")
	}
	m.Set(ctx, k, []byte("one"))
	v, ok := m.Get(ctx, k)
	if !ok || string(v) != "one" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	v[0] = 'X' // the caller owns the returned slice
	m.Set(ctx, k, []byte("two"))
	if v2, _ := m.Get(ctx, k); string(v2) != "two" || string(v) != "Xne" {
		t.Fatalf("after replace: Get = %q, old slice %q", v2, v)
	}
	// Keys memcached would refuse are hashed, and still work.
	for _, odd := range []string{Key("test", ns, strings.Repeat("long", 80)), Key("test", ns, "with space"), Key("test", ns, "ctl\x01")} {
		m.Set(ctx, odd, []byte(odd))
		if got, ok := m.Get(ctx, odd); !ok || string(got) != odd {
			t.Errorf("odd key %q: Get = %q, %v", odd, got, ok)
		}
	}
	// Too-large values are not stored and drop an older value.
	m.Set(ctx, k, make([]byte, 1001))
	if _, ok := m.Get(ctx, k); ok {
		t.Error("old value visible after a too-large Set")
	}
	m.Set(ctx, k, []byte("three"))
	m.Delete(ctx, k)
	if _, ok := m.Get(ctx, k); ok {
		t.Error("hit after Delete")
	}
	m.Delete(ctx, Key("test", ns, "never-set")) // a miss is not an error
	want := Stats{Backend: "memcached", Hits: 5, Misses: 3, Sets: 6, Deletes: 3, Items: -1, Bytes: -1, MaxBytes: -1}
	if got := m.Stats(); got != want {
		t.Errorf("Stats = %+v\nwant    %+v", got, want)
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestMemcachedDown: with the server down, Get misses, Set and Delete
// return, one error is counted per backoff period, and the server is tried
// again after it.
func TestMemcachedDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := NewMemcached([]string{closedAddr(t)}, MemcachedOptions{Logger: quietLogger(), Timeout: 50 * time.Millisecond, Backoff: time.Minute})
	clock := time.Now()
	m.now = func() time.Time { return clock }

	if _, ok := m.Get(ctx, "dbmail:k"); ok {
		t.Fatal("hit from a dead server")
	}
	m.Set(ctx, "dbmail:k", []byte("v"))
	m.Delete(ctx, "dbmail:k")
	if _, ok := m.Get(ctx, "dbmail:k"); ok {
		t.Fatal("hit from a dead server")
	}
	st := m.Stats()
	if st.Errors != 1 || st.Misses != 2 || st.Hits != 0 || st.Sets != 0 || st.Deletes != 1 {
		t.Errorf("during backoff: %+v", st)
	}
	clock = clock.Add(2 * time.Minute)
	m.Get(ctx, "dbmail:k") // tries again (the queued invalidation first), fails
	if st := m.Stats(); st.Errors != 2 {
		t.Errorf("after backoff: errors = %d, want 2", st.Errors)
	}
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) (addr string, accepted func() int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// TestMemcachedHangingServer: a server that accepts but never answers costs
// one timeout, after which calls return at once during the backoff.
func TestMemcachedHangingServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	addr, accepted := silentServer(t)
	const timeout = 50 * time.Millisecond
	m := NewMemcached([]string{addr}, MemcachedOptions{Logger: quietLogger(), Timeout: timeout, Backoff: time.Minute})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, ok := m.Get(ctx, "dbmail:k"); ok {
			t.Error("hit from a silent server")
		}
		m.Set(ctx, "dbmail:k", []byte("v"))
		m.Delete(ctx, "dbmail:k")
		m.Get(ctx, "dbmail:k")
	}()
	// A liveness bound, far above the one timeout the calls should cost.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("calls to a silent memcached blocked beyond the timeout")
	}
	if n := accepted(); n != 1 {
		t.Errorf("%d connections during backoff, want 1", n)
	}
	if st := m.Stats(); st.Errors != 1 || st.Misses != 2 {
		t.Errorf("Stats = %+v", st)
	}
}

// flakyProxy forwards to a real memcached and can be switched off, which
// drops every connection, and on again.
type flakyProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newFlakyProxy(t *testing.T, target string) *flakyProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{l: l, target: target}
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.setDown(true)
	})
	return p
}

func (p *flakyProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

func (p *flakyProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestMemcachedReplaysInvalidation: a Delete or replacing Set that could not
// reach the server is applied before the server serves that key again, so
// an outage cannot resurrect a stale value.
func TestMemcachedReplaysInvalidation(t *testing.T) {
	t.Parallel()
	srv := memcachedServer(t)
	ctx := context.Background()
	proxy := newFlakyProxy(t, srv)
	m := NewMemcached([]string{proxy.l.Addr().String()}, MemcachedOptions{Logger: quietLogger(), Timeout: 200 * time.Millisecond, Backoff: time.Minute})
	defer m.Close()
	clock := time.Now()
	m.now = func() time.Time { return clock }
	direct := memcache.New(srv)

	ns := uniq(t)
	deleted, replaced := Key("test", ns, "deleted"), Key("test", ns, "replaced")
	m.Set(ctx, deleted, []byte("old"))
	m.Set(ctx, replaced, []byte("old"))

	proxy.setDown(true)
	m.Delete(ctx, deleted)                // fails: queued
	m.Set(ctx, replaced, []byte("new"))   // skipped during backoff: queued
	if _, ok := m.Get(ctx, deleted); ok { // in backoff: miss
		t.Fatal("hit during outage")
	}
	// memcached itself still holds the old values.
	for _, k := range []string{deleted, replaced} {
		if it, err := direct.Get(k); err != nil || string(it.Value) != "old" {
			t.Fatalf("direct Get(%s) = %v, %v", k, it, err)
		}
	}

	proxy.setDown(false)
	clock = clock.Add(2 * time.Minute)
	for _, k := range []string{deleted, replaced} {
		if v, ok := m.Get(ctx, k); ok {
			t.Errorf("Get(%s) after the outage = %q: stale value served", k, v)
		}
		if _, err := direct.Get(k); !errors.Is(err, memcache.ErrCacheMiss) {
			t.Errorf("direct Get(%s) after replay: %v, want a miss", k, err)
		}
	}
	m.Set(ctx, replaced, []byte("new"))
	if v, ok := m.Get(ctx, replaced); !ok || string(v) != "new" {
		t.Errorf("Get after recovery = %q, %v", v, ok)
	}
	if st := m.Stats(); st.Errors == 0 {
		t.Errorf("outage not counted: %+v", st)
	}
}

func BenchmarkMemcachedGetParallel(b *testing.B) {
	m := NewMemcached([]string{memcachedServer(b)}, MemcachedOptions{Logger: quietLogger()})
	defer m.Close()
	benchmarkCacheParallel(b, m, 0)
}

func BenchmarkMemcachedSetParallel(b *testing.B) {
	m := NewMemcached([]string{memcachedServer(b)}, MemcachedOptions{Logger: quietLogger()})
	defer m.Close()
	benchmarkCacheParallel(b, m, 1)
}
