package cache

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"
)

const (
	maxShards = 16
	// minShardBytes keeps shards big enough that one shard can hold a
	// typical large MIME part; smaller caches use fewer shards.
	minShardBytes = 4 << 20
)

// LRU is an in-process cache bounded by the total size of its keys and
// values. It is split into shards by key hash, each with its own lock, map
// and recency list, so operations are O(1) and goroutines working on
// different keys rarely contend. Each shard evicts its least recently used
// entries when it is over its share of the bound; a value larger than one
// shard's share is not stored. Map and list overhead (about 100 bytes an
// entry) is not counted in the bound.
type LRU struct {
	shards   []lruShard
	mask     uint64
	seed     maphash.Seed
	maxBytes int64
}

type lruShard struct {
	mu      sync.Mutex
	items   map[string]*lruEntry
	root    lruEntry // sentinel: root.next is the most recently used
	bytes   int64
	max     int64
	hits    uint64
	misses  uint64
	sets    uint64
	deletes uint64
	evicted uint64
	_       [64]byte // keep neighbouring shards' locks off one cache line
}

// lruEntry's value is never modified after it is stored: Set replaces the
// slice, so Get can copy it outside the lock.
type lruEntry struct {
	key        string
	value      []byte
	prev, next *lruEntry
}

// NewLRU returns an LRU holding at most maxBytes bytes of keys and values.
// maxBytes <= 0 gives a cache that stores nothing.
func NewLRU(maxBytes int64) *LRU {
	n := 1
	for n < maxShards && maxBytes/int64(n*2) >= minShardBytes {
		n *= 2
	}
	c := &LRU{
		shards:   make([]lruShard, n),
		mask:     uint64(n - 1),
		seed:     maphash.MakeSeed(),
		maxBytes: max(maxBytes, 0),
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.items = make(map[string]*lruEntry)
		s.root.next, s.root.prev = &s.root, &s.root
		s.max = c.maxBytes / int64(n)
	}
	return c
}

func (c *LRU) shard(key string) *lruShard {
	return &c.shards[maphash.String(c.seed, key)&c.mask]
}

// Get returns a copy of the value stored under key.
func (c *LRU) Get(_ context.Context, key string) ([]byte, bool) {
	s := c.shard(key)
	s.mu.Lock()
	e, ok := s.items[key]
	if !ok {
		s.misses++
		s.mu.Unlock()
		return nil, false
	}
	s.hits++
	s.moveToFront(e)
	v := e.value
	s.mu.Unlock()
	return bytes.Clone(v), true
}

// Set stores a copy of value under key, evicting least recently used
// entries of the key's shard as needed.
func (c *LRU) Set(_ context.Context, key string, value []byte) {
	size := int64(len(key) + len(value))
	s := c.shard(key)
	if size > s.max {
		// Too big for the shard: make sure no older value stays visible.
		c.remove(s, key, false)
		return
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets++
	if e, ok := s.items[key]; ok {
		s.bytes += int64(len(v)) - int64(len(e.value))
		e.value = v
		s.moveToFront(e)
	} else {
		e := &lruEntry{key: key, value: v}
		s.items[key] = e
		s.pushFront(e)
		s.bytes += size
	}
	for s.bytes > s.max && s.root.prev != &s.root {
		last := s.root.prev
		s.unlink(last)
		s.evicted++
	}
}

// Delete removes key.
func (c *LRU) Delete(_ context.Context, key string) {
	c.remove(c.shard(key), key, true)
}

func (c *LRU) remove(s *lruShard, key string, count bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if count {
		s.deletes++
	}
	if e, ok := s.items[key]; ok {
		s.unlink(e)
	}
}

// Stats sums the shards' counters.
func (c *LRU) Stats() Stats {
	st := Stats{Backend: "memory", MaxBytes: c.maxBytes}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		st.Hits += s.hits
		st.Misses += s.misses
		st.Sets += s.sets
		st.Deletes += s.deletes
		st.Evictions += s.evicted
		st.Items += int64(len(s.items))
		st.Bytes += s.bytes
		s.mu.Unlock()
	}
	return st
}

func (s *lruShard) pushFront(e *lruEntry) {
	e.prev = &s.root
	e.next = s.root.next
	e.next.prev = e
	s.root.next = e
}

func (s *lruShard) moveToFront(e *lruEntry) {
	if s.root.next == e {
		return
	}
	e.prev.next = e.next
	e.next.prev = e.prev
	s.pushFront(e)
}

// unlink removes e from the list and the map and releases its bytes.
func (s *lruShard) unlink(e *lruEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
	delete(s.items, e.key)
	s.bytes -= int64(len(e.key) + len(e.value))
}
