// Package cache is the shared query cache of the daemons (architecture.md
// "Query cache"): a bounded in-process LRU (the default) or memcached, for
// several processes or hosts sharing one database, chosen by configuration.
//
// What is cached, and under which key, is what keeps the cache correct:
//
//   - Immutable data is cached forever under its immutable key: a
//     physmessage's rebuilt header block, envelope and BODYSTRUCTURE
//     (Key("env", physID), Key("bs", physID)), a mimepart's bytes by hash
//     (Key("part", hash)).
//   - Mutable views (a mailbox's message list with flags) are keyed by the
//     mailbox's change counter, read fresh from the database:
//     Key("msgs", mailboxID, changeCounter), numbers written in decimal. A
//     write bumps the counter, which makes the old entry unreachable; it
//     ages out of the LRU or memcached on its own. No stale read is possible
//     as long as the counter is read fresh, and no Delete is needed for
//     correctness.
//
// A cache never returns errors: a failing backend (memcached down) behaves as
// a cache that misses, so things get slower, never wrong. Failures are
// counted in Stats.Errors.
package cache

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Cache is a byte-value cache. Implementations are safe for concurrent use.
// Values passed to Set are copied; values returned by Get are the caller's
// own copy, which no later Set can change.
type Cache interface {
	// Get returns the value stored under key, if any. A backend failure is
	// a miss.
	Get(ctx context.Context, key string) ([]byte, bool)
	// Set stores value under key. It may decline (value too large, backend
	// down); a later Get then misses.
	Set(ctx context.Context, key string, value []byte)
	// Delete removes key, best effort.
	Delete(ctx context.Context, key string)
	// Stats returns a snapshot of the counters.
	Stats() Stats
}

// Stats is a snapshot of a cache's counters, for the daemons' state dump.
// Items, Bytes and MaxBytes are -1 when the backend cannot tell cheaply
// (memcached).
type Stats struct {
	Backend   string // "memory", "memcached" or "none"
	Hits      uint64 // Get calls that found a value
	Misses    uint64 // Get calls that did not (including backend failures)
	Sets      uint64 // values stored
	Deletes   uint64 // Delete calls
	Evictions uint64 // values dropped to make room (LRU only)
	Errors    uint64 // backend failures (memcached only)
	Items     int64  // values held
	Bytes     int64  // bytes held (keys + values)
	MaxBytes  int64  // bound on Bytes
}

// HitRatio returns Hits / (Hits + Misses), or 0 before any Get.
func (s Stats) HitRatio() float64 {
	total := s.Hits + s.Misses
	if total == 0 {
		return 0
	}
	return float64(s.Hits) / float64(total)
}

// String renders the stats on one line, e.g.
// "cache backend=memory items=12 bytes=3456/67108864 hits=10 misses=2
// hit_ratio=0.833 evictions=0 errors=0".
func (s Stats) String() string {
	var b strings.Builder
	b.WriteString("cache backend=")
	b.WriteString(s.Backend)
	if s.Items >= 0 {
		fmt.Fprintf(&b, " items=%d bytes=%d/%d", s.Items, s.Bytes, s.MaxBytes)
	}
	fmt.Fprintf(&b, " hits=%d misses=%d hit_ratio=%s sets=%d deletes=%d evictions=%d errors=%d",
		s.Hits, s.Misses, strconv.FormatFloat(s.HitRatio(), 'f', 3, 64),
		s.Sets, s.Deletes, s.Evictions, s.Errors)
	return b.String()
}

// keyPrefix namespaces every key of this project in a shared memcached.
const keyPrefix = "dbmail"

// Key builds a namespaced cache key from its parts:
// Key("env", "123") == "dbmail:env:123". Parts should not contain ':'
// themselves unless the caller accepts that ("a:b", "c") and ("a", "b:c")
// give the same key.
func Key(parts ...string) string {
	n := len(keyPrefix)
	for _, p := range parts {
		n += 1 + len(p)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(keyPrefix)
	for _, p := range parts {
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}
