package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

func get(t *testing.T, c Cache, key string) (string, bool) {
	t.Helper()
	v, ok := c.Get(context.Background(), key)
	return string(v), ok
}

func TestLRUBasic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := NewLRU(1 << 20)
	if _, ok := get(t, c, "a"); ok {
		t.Fatal("hit on empty cache")
	}
	c.Set(ctx, "a", []byte("one"))
	c.Set(ctx, "b", []byte("two"))
	if v, ok := get(t, c, "a"); !ok || v != "one" {
		t.Fatalf("Get(a) = %q, %v", v, ok)
	}
	c.Set(ctx, "a", []byte("uno!"))
	if v, _ := get(t, c, "a"); v != "uno!" {
		t.Fatalf("Get(a) after replace = %q", v)
	}
	c.Delete(ctx, "b")
	if _, ok := get(t, c, "b"); ok {
		t.Fatal("Get(b) after Delete hit")
	}
	c.Set(ctx, "empty", nil)
	if v, ok := get(t, c, "empty"); !ok || v != "" {
		t.Fatalf("Get(empty) = %q, %v", v, ok)
	}
	want := Stats{Backend: "memory", Hits: 3, Misses: 2, Sets: 4, Deletes: 1,
		Items: 2, Bytes: int64(len("a") + len("uno!") + len("empty")), MaxBytes: 1 << 20}
	if got := c.Stats(); got != want {
		t.Errorf("Stats = %+v\nwant    %+v", got, want)
	}
}

// TestLRUEvictionByBytes: one shard (small cache), keys+values counted, the
// least recently used goes first, and a Get refreshes recency.
func TestLRUEvictionByBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := NewLRU(30) // one shard of 30 bytes
	if len(c.shards) != 1 {
		t.Fatalf("%d shards for a 30-byte cache", len(c.shards))
	}
	c.Set(ctx, "k1", []byte("12345678")) // 10 bytes
	c.Set(ctx, "k2", []byte("12345678")) // 20
	c.Set(ctx, "k3", []byte("12345678")) // 30: full, nothing evicted
	if st := c.Stats(); st.Items != 3 || st.Bytes != 30 || st.Evictions != 0 {
		t.Fatalf("after 3 sets: %+v", st)
	}
	get(t, c, "k1")                      // k2 is now least recently used
	c.Set(ctx, "k4", []byte("1234"))     // 36 > 30: evict k2 -> 26
	c.Set(ctx, "k5", []byte("12345678")) // 36: evict k3 -> 26
	for key, want := range map[string]bool{"k1": true, "k2": false, "k3": false, "k4": true, "k5": true} {
		if _, ok := get(t, c, key); ok != want {
			t.Errorf("after eviction, %s present = %v, want %v", key, ok, want)
		}
	}
	if st := c.Stats(); st.Evictions != 2 || st.Bytes != 26 || st.Items != 3 {
		t.Errorf("Stats = %+v", st)
	}
	// Growing a value in place also evicts others.
	c.Set(ctx, "k1", []byte("123456789012345678")) // k1 20 bytes: 36 -> evict LRU
	if st := c.Stats(); st.Bytes > 30 {
		t.Errorf("over the bound: %+v", st)
	}
	if v, _ := get(t, c, "k1"); v != "123456789012345678" {
		t.Errorf("k1 = %q", v)
	}
}

func TestLRUTooBig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := NewLRU(30)
	c.Set(ctx, "big", []byte("small"))
	c.Set(ctx, "big", make([]byte, 28)) // 31 bytes: refused, old value dropped
	if _, ok := get(t, c, "big"); ok {
		t.Error("stale value visible after a refused Set")
	}
	if st := c.Stats(); st.Items != 0 || st.Bytes != 0 {
		t.Errorf("Stats = %+v", st)
	}
	z := NewLRU(0)
	z.Set(ctx, "k", []byte("v"))
	if _, ok := get(t, z, "k"); ok {
		t.Error("zero-sized cache stored a value")
	}
}

// TestLRUNoAliasing: neither the slice given to Set nor the one returned by
// Get shares memory with the cache.
func TestLRUNoAliasing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := NewLRU(1 << 20)
	in := []byte("hello")
	c.Set(ctx, "k", in)
	in[0] = 'J'
	out, _ := c.Get(ctx, "k")
	if string(out) != "hello" {
		t.Fatalf("Set aliased its argument: %q", out)
	}
	out[0] = 'Y'
	c.Set(ctx, "k", []byte("world"))
	if string(out) != "Yello" {
		t.Fatalf("a later Set changed a returned value: %q", out)
	}
	again, _ := c.Get(ctx, "k")
	if string(again) != "world" {
		t.Fatalf("Get = %q", again)
	}
}

func TestLRUSharding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		max    int64
		shards int
	}{{0, 1}, {1 << 20, 1}, {8 << 20, 2}, {64 << 20, 16}, {1 << 30, 16}}
	for _, tt := range tests {
		if got := len(NewLRU(tt.max).shards); got != tt.shards {
			t.Errorf("NewLRU(%d): %d shards, want %d", tt.max, got, tt.shards)
		}
	}
}

// TestLRUConcurrent hammers a sharded cache from many goroutines (run with
// -race) and checks the bound and the counters afterwards.
func TestLRUConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const maxBytes = 8 << 20
	c := NewLRU(maxBytes)
	const workers, ops = 8, 3000
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < ops; i++ {
				k := "k" + strconv.Itoa(r.IntN(2000))
				switch r.IntN(10) {
				case 0:
					c.Delete(ctx, k)
				case 1, 2, 3:
					c.Set(ctx, k, []byte(fmt.Sprintf("%s=%0*d", k, r.IntN(8000), 0)))
				default:
					if v, ok := c.Get(ctx, k); ok && string(v[:len(k)+1]) != k+"=" {
						t.Errorf("Get(%s) returned another key's value %q", k, v)
						return
					}
				}
			}
		}(uint64(w))
	}
	wg.Wait()
	st := c.Stats()
	if st.Bytes > maxBytes || st.Bytes < 0 {
		t.Errorf("bytes %d outside [0, %d]", st.Bytes, maxBytes)
	}
	if st.Hits+st.Misses+st.Sets+st.Deletes == 0 || st.Hits+st.Misses > workers*ops {
		t.Errorf("counters do not add up: %+v", st)
	}
	var items int64
	for i := range c.shards {
		s := &c.shards[i]
		var n, b int64
		for e := s.root.next; e != &s.root; e = e.next {
			n++
			b += int64(len(e.key) + len(e.value))
		}
		if n != int64(len(s.items)) || b != s.bytes {
			t.Errorf("shard %d: list has %d entries/%d bytes, map %d, counter %d", i, n, b, len(s.items), s.bytes)
		}
		items += n
	}
	if items != st.Items {
		t.Errorf("items %d, Stats says %d", items, st.Items)
	}
}

func benchmarkCacheParallel(b *testing.B, c Cache, setEvery int) {
	b.Helper()
	ctx := context.Background()
	const keys = 4096
	val := make([]byte, 512)
	names := make([]string, keys)
	for i := range names {
		names[i] = Key("env", strconv.Itoa(i))
		c.Set(ctx, names[i], val)
	}
	b.SetBytes(int64(len(val)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(keys)
		for pb.Next() {
			i = (i + 1) % keys
			if setEvery > 0 && i%setEvery == 0 {
				c.Set(ctx, names[i], val)
			} else {
				c.Get(ctx, names[i])
			}
		}
	})
	st := c.Stats()
	b.ReportMetric(st.HitRatio(), "hit_ratio")
	b.ReportMetric(float64(st.Errors), "errors")
}

func BenchmarkLRUGetParallel(b *testing.B) { benchmarkCacheParallel(b, NewLRU(64<<20), 0) }
func BenchmarkLRUSetParallel(b *testing.B) { benchmarkCacheParallel(b, NewLRU(64<<20), 1) }
func BenchmarkLRUMixParallel(b *testing.B) { benchmarkCacheParallel(b, NewLRU(64<<20), 10) }
