package imaptest

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// opCounters counts completed commands per kind; read every second for
// the progress line. Updated with atomics from every client.
type opCounters [numCmds]atomic.Int64

func (o *opCounters) snapshot() [numCmds]int64 {
	var s [numCmds]int64
	for i := range o {
		s[i] = o[i].Load()
	}
	return s
}

// latencies is one client's latency record per command kind, in
// microseconds; merged at the end so clients never share a lock.
type latencies [numCmds][]uint32

func (l *latencies) add(c Cmd, d time.Duration) {
	us := d.Microseconds()
	if us > 1<<31 {
		us = 1 << 31
	}
	l[c] = append(l[c], uint32(us))
}

// CmdStats is the final figure for one command kind.
type CmdStats struct {
	Cmd   Cmd
	Total int64
	PerS  float64
	P50   time.Duration
	P99   time.Duration
}

// errorLog collects protocol errors from all clients.
type errorLog struct {
	mu    sync.Mutex
	total int
	list  []string
	max   int
}

func (e *errorLog) add(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total++
	if len(e.list) < e.max {
		e.list = append(e.list, msg)
	}
}

// StressReport is the outcome of a stress run.
type StressReport struct {
	Duration time.Duration
	Stats    []CmdStats
	Errors   []string // the first errors, each an exact protocol reason
	NErrors  int      // all errors, including those not listed
	Conns    int      // highest number of simultaneously logged-in clients
	Lean     bool     // the clients ran on the lean client (isLeanPlan)
}

// ErrorCount is the number of errors seen.
func (r *StressReport) ErrorCount() int { return r.NErrors }

func percentile(sorted []uint32, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return time.Duration(sorted[i]) * time.Microsecond
}

func buildStats(all []*latencies, dur time.Duration) []CmdStats {
	var out []CmdStats
	for c := Cmd(0); c < numCmds; c++ {
		var merged []uint32
		for _, l := range all {
			merged = append(merged, l[c]...)
		}
		if len(merged) == 0 {
			continue
		}
		sort.Slice(merged, func(i, j int) bool { return merged[i] < merged[j] })
		out = append(out, CmdStats{
			Cmd: c, Total: int64(len(merged)),
			PerS: float64(len(merged)) / dur.Seconds(),
			P50:  percentile(merged, 0.50), P99: percentile(merged, 0.99),
		})
	}
	return out
}

// progressLine renders one second's op counts: "  3s  login=5 fetch=40".
func progressLine(sec int, delta [numCmds]int64, conns int64) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%4ds %5d conns ", sec, conns)
	for c := Cmd(0); c < numCmds; c++ {
		if delta[c] > 0 {
			fmt.Fprintf(&sb, " %s=%d", c, delta[c])
		}
	}
	return sb.String()
}

// Print writes the final report.
func (r *StressReport) Print(w io.Writer) {
	fmt.Fprintf(w, "\n%-8s %10s %10s %10s %10s\n", "command", "total", "ops/s", "p50", "p99")
	var total int64
	for _, s := range r.Stats {
		total += s.Total
		fmt.Fprintf(w, "%-8s %10d %10.1f %10s %10s\n", s.Cmd, s.Total, s.PerS,
			s.P50.Round(time.Microsecond), s.P99.Round(time.Microsecond))
	}
	fmt.Fprintf(w, "%-8s %10d %10.1f\n", "all", total, float64(total)/r.Duration.Seconds())
	fmt.Fprintf(w, "peak logged-in clients: %d\n", r.Conns)
	fmt.Fprintf(w, "%d errors\n", r.NErrors)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	if r.NErrors > len(r.Errors) {
		fmt.Fprintf(w, "  ... %d more errors not listed\n", r.NErrors-len(r.Errors))
	}
}
