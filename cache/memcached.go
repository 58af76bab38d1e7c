package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// Defaults of MemcachedOptions.
const (
	DefaultMemcachedTimeout = 100 * time.Millisecond
	DefaultMemcachedIdle    = 16
	DefaultMemcachedBackoff = time.Second
	// DefaultMaxValueBytes keeps an item (value, key and memcached's item
	// header) inside memcached's default 1 MiB item limit (-I 1m).
	DefaultMaxValueBytes = 1<<20 - 512
	// maxPendingInvalidations bounds the keys remembered per server while
	// it is unreachable; past it the server is flushed when it returns.
	maxPendingInvalidations = 16384
)

// MemcachedOptions tunes the memcached backend. Zero values take defaults.
type MemcachedOptions struct {
	// Timeout bounds connecting and each read or write.
	Timeout time.Duration
	// MaxIdleConns is the number of idle connections kept per server; set
	// it near the peak number of concurrent cache users.
	MaxIdleConns int
	// Backoff is how long a server is skipped after a failure, so that a
	// dead server costs one timeout per Backoff, not one per call.
	Backoff time.Duration
	// MaxValueBytes: larger values are not stored.
	MaxValueBytes int
	// Expiration is the item lifetime given to memcached (0: no expiry,
	// memcached's own LRU evicts).
	Expiration time.Duration
	// Logger receives failure reports (default slog.Default()).
	Logger *slog.Logger
}

// Memcached is a Cache backed by one or more memcached servers (keys are
// spread over them by hash, as gomemcache does). Errors are counted and
// logged, never returned: a failing server behaves as a miss, and is skipped
// for Backoff. When a Delete or Set could not reach a server, the key is
// remembered and deleted there before the server is used again, so a
// server that was unreachable (but kept its data) cannot serve a value that
// was meant to be replaced or removed.
type Memcached struct {
	client  *memcache.Client
	servers *memcache.ServerList
	state   map[string]*serverState // by address; fixed after construction
	opt     MemcachedOptions
	log     *slog.Logger
	now     func() time.Time

	hits, misses, sets, deletes, errs atomic.Uint64
}

// serverState tracks one server's health and the invalidations it missed.
type serverState struct {
	downUntil  atomic.Int64 // unix nanoseconds; 0 when healthy
	hasPending atomic.Bool
	mu         sync.Mutex
	pending    map[string]struct{}
	overflow   bool
}

// NewMemcached returns a memcached-backed cache for servers ("host:port"
// or a Unix socket path). It does not connect: connections are made on
// first use. Servers whose names cannot be resolved are logged and left
// out.
func NewMemcached(servers []string, opt MemcachedOptions) *Memcached {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultMemcachedTimeout
	}
	if opt.MaxIdleConns <= 0 {
		opt.MaxIdleConns = DefaultMemcachedIdle
	}
	if opt.Backoff <= 0 {
		opt.Backoff = DefaultMemcachedBackoff
	}
	if opt.MaxValueBytes <= 0 {
		opt.MaxValueBytes = DefaultMaxValueBytes
	}
	m := &Memcached{
		servers: new(memcache.ServerList),
		state:   make(map[string]*serverState),
		opt:     opt,
		log:     opt.Logger,
		now:     time.Now,
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	var good []string
	for _, s := range servers {
		probe := new(memcache.ServerList)
		if err := probe.SetServers(s); err != nil {
			m.log.Error("cache: memcached server ignored", "server", s, "err", err)
			continue
		}
		good = append(good, s)
	}
	if err := m.servers.SetServers(good...); err != nil {
		m.log.Error("cache: memcached servers", "err", err)
	}
	_ = m.servers.Each(func(a net.Addr) error {
		m.state[a.String()] = &serverState{}
		return nil
	})
	m.client = memcache.NewFromSelector(m.servers)
	m.client.Timeout = opt.Timeout
	m.client.MaxIdleConns = opt.MaxIdleConns
	return m
}

// Close closes idle connections.
func (m *Memcached) Close() error {
	if err := m.client.Close(); err != nil {
		return fmt.Errorf("cache: close memcached: %w", err)
	}
	return nil
}

// memcacheKey maps a key to a legal memcached key (at most 250 bytes, no
// spaces or control characters; memcached protocol.txt "Keys"): legal keys
// are used as they are, others are replaced by a hash of themselves.
func memcacheKey(key string) string {
	if legalKey(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return keyPrefix + ":sha256:" + hex.EncodeToString(sum[:])
}

func legalKey(key string) bool {
	if len(key) == 0 || len(key) > 250 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] == 0x7f {
			return false
		}
	}
	return true
}

// server returns the state of the server that owns key, or nil (and counts
// an error) when there is none. ok is false when the server is in backoff or
// could not be brought up to date.
func (m *Memcached) server(key string) (st *serverState, ok bool) {
	addr, err := m.servers.PickServer(key)
	if err != nil {
		m.errs.Add(1)
		return nil, false
	}
	st = m.state[addr.String()]
	if until := st.downUntil.Load(); until != 0 && m.now().UnixNano() < until {
		return st, false
	}
	if st.hasPending.Load() && !m.drain(st) {
		return st, false
	}
	return st, true
}

// fail records a failed operation on st.
func (m *Memcached) fail(st *serverState, op, key string, err error) {
	m.errs.Add(1)
	if st == nil {
		return
	}
	first := st.downUntil.Swap(m.now().Add(m.opt.Backoff).UnixNano()) == 0
	if first {
		m.log.Warn("cache: memcached failed; skipping server", "op", op, "key", key, "backoff", m.opt.Backoff, "err", err)
	}
}

// healthy clears st's backoff after a successful operation.
func (m *Memcached) healthy(st *serverState) {
	if st != nil && st.downUntil.Load() != 0 {
		st.downUntil.Store(0)
		m.log.Info("cache: memcached server back")
	}
}

// remember queues an invalidation of key for when st is reachable again.
func (st *serverState) remember(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pending == nil {
		st.pending = make(map[string]struct{})
	}
	if len(st.pending) >= maxPendingInvalidations {
		st.overflow = true
		st.pending = nil
	} else if !st.overflow {
		st.pending[key] = struct{}{}
	}
	st.hasPending.Store(true)
}

// drain applies st's queued invalidations; it reports whether the server is
// up to date.
func (m *Memcached) drain(st *serverState) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.hasPending.Load() {
		return true
	}
	if st.overflow {
		// Too many missed invalidations to list: flush everything (all
		// servers; gomemcache has no per-server flush). Rare by design.
		if err := m.client.FlushAll(); err != nil {
			m.fail(st, "flush_all", "", err)
			return false
		}
		st.overflow = false
		st.pending = nil
	}
	for k := range st.pending {
		if err := m.client.Delete(k); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
			m.fail(st, "delete", k, err)
			return false
		}
		delete(st.pending, k)
	}
	st.hasPending.Store(false)
	m.healthy(st)
	return true
}

// Get returns the value stored under key; any failure is a miss.
func (m *Memcached) Get(ctx context.Context, key string) ([]byte, bool) {
	mk := memcacheKey(key)
	st, ok := m.server(mk)
	if !ok || ctx.Err() != nil {
		m.misses.Add(1)
		return nil, false
	}
	it, err := m.client.Get(mk)
	switch {
	case err == nil:
		m.healthy(st)
		m.hits.Add(1)
		return it.Value, true // gomemcache allocates a fresh slice per Get
	case errors.Is(err, memcache.ErrCacheMiss):
		m.healthy(st)
	default:
		m.fail(st, "get", mk, err)
	}
	m.misses.Add(1)
	return nil, false
}

// Set stores value under key unless it exceeds MaxValueBytes.
func (m *Memcached) Set(ctx context.Context, key string, value []byte) {
	mk := memcacheKey(key)
	if len(value) > m.opt.MaxValueBytes {
		// An older value under this key must not outlive the new one.
		m.Delete(ctx, key)
		return
	}
	st, ok := m.server(mk)
	if !ok || ctx.Err() != nil {
		if st != nil {
			st.remember(mk)
		}
		return
	}
	err := m.client.Set(&memcache.Item{Key: mk, Value: value, Expiration: int32(m.opt.Expiration / time.Second)})
	if err != nil {
		m.fail(st, "set", mk, err)
		st.remember(mk)
		return
	}
	m.healthy(st)
	m.sets.Add(1)
}

// Delete removes key; if the server cannot be reached now, the deletion is
// replayed before the server is used again.
func (m *Memcached) Delete(ctx context.Context, key string) {
	m.deletes.Add(1)
	mk := memcacheKey(key)
	st, ok := m.server(mk)
	if !ok || ctx.Err() != nil {
		if st != nil {
			st.remember(mk)
		}
		return
	}
	if err := m.client.Delete(mk); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		m.fail(st, "delete", mk, err)
		st.remember(mk)
		return
	}
	m.healthy(st)
}

// Stats returns the client-side counters; memcached's item and byte counts
// are not fetched (Items, Bytes, MaxBytes are -1).
func (m *Memcached) Stats() Stats {
	return Stats{
		Backend:  "memcached",
		Hits:     m.hits.Load(),
		Misses:   m.misses.Load(),
		Sets:     m.sets.Load(),
		Deletes:  m.deletes.Load(),
		Errors:   m.errs.Load(),
		Items:    -1,
		Bytes:    -1,
		MaxBytes: -1,
	}
}
