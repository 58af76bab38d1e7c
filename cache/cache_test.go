package cache

import (
	"context"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"env", "123"}, "dbmail:env:123"},
		{[]string{"msgs", "7", "42"}, "dbmail:msgs:7:42"},
		{nil, "dbmail"},
		{[]string{""}, "dbmail:"},
	}
	for _, tt := range tests {
		if got := Key(tt.parts...); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

func TestStatsString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Stats
		want string
	}{
		{
			Stats{Backend: "memory", Hits: 10, Misses: 2, Sets: 5, Items: 12, Bytes: 3456, MaxBytes: 67108864},
			"cache backend=memory items=12 bytes=3456/67108864 hits=10 misses=2 hit_ratio=0.833 sets=5 deletes=0 evictions=0 errors=0",
		},
		{
			Stats{Backend: "memcached", Hits: 1, Misses: 3, Errors: 2, Items: -1, Bytes: -1, MaxBytes: -1},
			"cache backend=memcached hits=1 misses=3 hit_ratio=0.250 sets=0 deletes=0 evictions=0 errors=2",
		},
		{
			Stats{Backend: "none"},
			"cache backend=none items=0 bytes=0/0 hits=0 misses=0 hit_ratio=0.000 sets=0 deletes=0 evictions=0 errors=0",
		},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestHitRatio(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		hits, misses uint64
		want         float64
	}{{0, 0, 0}, {1, 0, 1}, {0, 5, 0}, {3, 1, 0.75}} {
		if got := (Stats{Hits: tt.hits, Misses: tt.misses}).HitRatio(); got != tt.want {
			t.Errorf("HitRatio(%d/%d) = %v, want %v", tt.hits, tt.misses, got, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg     Config
		backend string
		maxB    int64
		err     string
	}{
		{Config{}, "memory", DefaultMaxBytes, ""},
		{Config{Backend: "MEMORY", MaxBytes: 1000}, "memory", 1000, ""},
		{Config{Backend: "memcached", Servers: []string{"127.0.0.1:1"}}, "memcached", -1, ""},
		{Config{Backend: "memcached"}, "", 0, "needs at least one server"},
		{Config{Backend: "none"}, "none", 0, ""},
		{Config{Backend: "redis"}, "", 0, `unknown backend "redis"`},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("New(%+v) error = %v, want %q", tt.cfg, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("New(%+v): %v", tt.cfg, err)
		}
		if st := c.Stats(); st.Backend != tt.backend || st.MaxBytes != tt.maxB {
			t.Errorf("New(%+v): backend %q max %d, want %q %d", tt.cfg, st.Backend, st.MaxBytes, tt.backend, tt.maxB)
		}
	}
}

func TestNone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var n None
	n.Set(ctx, "k", []byte("v"))
	if _, ok := n.Get(ctx, "k"); ok {
		t.Fatal("None.Get hit")
	}
	n.Delete(ctx, "k")
	want := Stats{Backend: "none", Misses: 1, Deletes: 1}
	if got := n.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}
