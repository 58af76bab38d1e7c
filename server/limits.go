package server

import (
	"net/netip"
	"sync"
	"time"
)

// connLimiter counts open connections in total and per client address and
// refuses new ones over Limits.MaxConnections / Limits.MaxPerIP.
type connLimiter struct {
	mu    sync.Mutex
	total int
	perIP map[netip.Addr]int
}

func newConnLimiter() *connLimiter {
	return &connLimiter{perIP: make(map[netip.Addr]int)}
}

// acquire admits a connection from ip (invalid for Unix-socket clients,
// which count only towards the total) or says why not.
func (l *connLimiter) acquire(ip netip.Addr, lim Limits) CloseReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim.MaxConnections > 0 && l.total >= lim.MaxConnections {
		return CloseTooManyConnections
	}
	if ip.IsValid() && lim.MaxPerIP > 0 && l.perIP[ip] >= lim.MaxPerIP {
		return CloseTooManyFromIP
	}
	l.total++
	if ip.IsValid() {
		l.perIP[ip]++
	}
	return CloseNone
}

func (l *connLimiter) release(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if !ip.IsValid() {
		return
	}
	if n := l.perIP[ip]; n <= 1 {
		delete(l.perIP, ip)
	} else {
		l.perIP[ip] = n - 1
	}
}

func (l *connLimiter) counts(ip netip.Addr) (total, fromIP int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total, l.perIP[ip]
}

// maxDelaySteps caps the growth of the login failure delay.
const maxDelaySteps = 16

// sweepAt is the table size at which expired failure entries are pruned
// on insert; the table needs no timer.
const sweepAt = 4096

type failEntry struct {
	count int
	last  time.Time
}

// loginTracker counts failed logins per client address within a window:
// each failure is answered after a delay growing with the count, and at
// MaxLoginFailures the address is locked out until the window has passed
// since its last failure.
type loginTracker struct {
	mu sync.Mutex
	m  map[netip.Addr]*failEntry
}

func newLoginTracker() *loginTracker {
	return &loginTracker{m: make(map[netip.Addr]*failEntry)}
}

// failed records a failure and returns the delay to apply and whether the
// address is now locked out.
func (t *loginTracker) failed(ip netip.Addr, now time.Time, lim Limits) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[ip]
	if e == nil || (lim.LoginFailWindow > 0 && now.Sub(e.last) >= lim.LoginFailWindow) {
		if len(t.m) >= sweepAt {
			t.sweep(now, lim.LoginFailWindow)
		}
		e = &failEntry{}
		t.m[ip] = e
	}
	e.count++
	e.last = now
	steps := min(e.count, maxDelaySteps)
	locked := lim.MaxLoginFailures > 0 && e.count >= lim.MaxLoginFailures
	return lim.LoginFailDelay * time.Duration(steps), locked
}

// lockedOut reports whether ip may not try to log in now.
func (t *loginTracker) lockedOut(ip netip.Addr, now time.Time, lim Limits) bool {
	if lim.MaxLoginFailures <= 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.m[ip]
	if e == nil {
		return false
	}
	if now.Sub(e.last) >= lim.LoginFailWindow {
		delete(t.m, ip)
		return false
	}
	return e.count >= lim.MaxLoginFailures
}

// succeeded forgets the failures of ip.
func (t *loginTracker) succeeded(ip netip.Addr) {
	t.mu.Lock()
	delete(t.m, ip)
	t.mu.Unlock()
}

func (t *loginTracker) sweep(now time.Time, window time.Duration) {
	for ip, e := range t.m {
		if window <= 0 || now.Sub(e.last) >= window {
			delete(t.m, ip)
		}
	}
}

func (t *loginTracker) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
