package server

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histBuckets covers 1 µs … ~2^38 µs in powers of two.
const histBuckets = 40

// histogram is a lock-free log2 histogram of durations in microseconds.
// Percentiles are reported as the upper bound of their bucket (at most a
// factor of two high).
type histogram struct {
	count atomic.Uint64
	sumUS atomic.Uint64
	maxUS atomic.Uint64
	b     [histBuckets]atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	us := uint64(max(d.Microseconds(), 0))
	i := min(bits.Len64(us), histBuckets-1) // bucket i holds [2^(i-1), 2^i)
	h.b[i].Add(1)
	h.count.Add(1)
	h.sumUS.Add(us)
	for {
		m := h.maxUS.Load()
		if us <= m || h.maxUS.CompareAndSwap(m, us) {
			break
		}
	}
}

// HistSummary is a histogram read out.
type HistSummary struct {
	Count uint64
	Mean  time.Duration
	P50   time.Duration
	P90   time.Duration
	P99   time.Duration
	Max   time.Duration
}

func (h *histogram) summary() HistSummary {
	var counts [histBuckets]uint64
	var total uint64
	for i := range counts {
		counts[i] = h.b[i].Load()
		total += counts[i]
	}
	s := HistSummary{Count: total, Max: time.Duration(h.maxUS.Load()) * time.Microsecond}
	if total == 0 {
		return s
	}
	s.Mean = time.Duration(h.sumUS.Load()/h.count.Load()) * time.Microsecond
	q := func(p float64) time.Duration {
		want := uint64(float64(total)*p + 0.999999)
		var seen uint64
		for i, n := range counts {
			seen += n
			if seen >= want {
				ub := time.Duration(uint64(1)<<uint(i)) * time.Microsecond
				return min(ub, s.Max)
			}
		}
		return s.Max
	}
	s.P50, s.P90, s.P99 = q(0.50), q(0.90), q(0.99)
	return s
}
