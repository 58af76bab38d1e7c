package cache

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
)

// DefaultMaxBytes is the in-process cache size when none is configured.
const DefaultMaxBytes = 64 << 20

// Config chooses and sizes the cache backend.
type Config struct {
	// Backend is "memory" (the default when empty), "memcached" or "none".
	Backend string
	// MaxBytes bounds the memory backend (DefaultMaxBytes when <= 0).
	MaxBytes int64
	// Servers lists memcached servers ("host:port" or a socket path).
	Servers []string
	// Memcached tunes the memcached backend.
	Memcached MemcachedOptions
}

// New returns the cache cfg describes.
func New(cfg Config) (Cache, error) {
	switch strings.ToLower(cfg.Backend) {
	case "", "memory":
		n := cfg.MaxBytes
		if n <= 0 {
			n = DefaultMaxBytes
		}
		return NewLRU(n), nil
	case "memcached":
		if len(cfg.Servers) == 0 {
			return nil, fmt.Errorf("cache: backend memcached needs at least one server")
		}
		return NewMemcached(cfg.Servers, cfg.Memcached), nil
	case "none":
		return &None{}, nil
	}
	return nil, fmt.Errorf("cache: unknown backend %q (want memory, memcached or none)", cfg.Backend)
}

// None is a cache that stores nothing; every Get misses.
type None struct {
	misses, deletes atomic.Uint64
}

// Get always misses.
func (n *None) Get(context.Context, string) ([]byte, bool) {
	n.misses.Add(1)
	return nil, false
}

// Set discards the value.
func (n *None) Set(context.Context, string, []byte) {}

// Delete does nothing.
func (n *None) Delete(context.Context, string) { n.deletes.Add(1) }

// Stats reports the calls seen.
func (n *None) Stats() Stats {
	return Stats{Backend: "none", Misses: n.misses.Load(), Deletes: n.deletes.Load()}
}
