package db

// HoldGroupFlushers takes every PostgreSQL group-commit flusher slot, so
// the deliveries that follow queue. queued reports how many wait; release
// gives one slot back the way a finished flusher does (the queue's head
// writes what is queued as one batch); call it pgGroupFlushers times.
func (db *DB) HoldGroupFlushers() (queued func() int, release func()) {
	g := db.group
	g.mu.Lock()
	held := pgGroupFlushers - g.active
	g.active = pgGroupFlushers
	g.mu.Unlock()
	queued = func() int {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.queue)
	}
	release = func() {
		if held == 0 {
			panic("HoldGroupFlushers: every held slot was released")
		}
		held--
		g.release()
	}
	return queued, release
}
