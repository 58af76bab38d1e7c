package server

import "sync"

// Read buffer classes. A connection borrows a small buffer for a read and
// a large one while reads keep filling the buffer (bulk uploads); it gives
// the buffer back before it waits for more input, so an idle connection
// holds none (README.md, "Memory per connection").
const (
	smallReadBuf = 4 << 10
	largeReadBuf = 64 << 10
	writeBufInit = 4 << 10
)

// bufPool hands out byte slices of one capacity.
type bufPool struct {
	size int
	p    sync.Pool
}

func newBufPool(size int) *bufPool {
	bp := &bufPool{size: size}
	bp.p.New = func() any {
		b := make([]byte, size)
		return &b
	}
	return bp
}

func (bp *bufPool) get() *[]byte { return bp.p.Get().(*[]byte) }

// put returns b unless it was grown past the class size.
func (bp *bufPool) put(b *[]byte) {
	if cap(*b) != bp.size {
		return
	}
	*b = (*b)[:bp.size]
	bp.p.Put(b)
}

// buffers are the pools of one Server (not package globals, so tests with
// different servers do not share state).
type buffers struct {
	small, large, write *bufPool
}

func newBuffers() *buffers {
	return &buffers{
		small: newBufPool(smallReadBuf),
		large: newBufPool(largeReadBuf),
		write: newBufPool(writeBufInit),
	}
}
