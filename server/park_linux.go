//go:build linux

package server

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
)

// canPark: idle connections can give up their goroutine (epoll poller).
const canPark = true

// Control operations of Conn.control (the syscall.RawConn.Control
// callback, bound once per connection so the idle path does not allocate).
const (
	ctlPeek   = iota // one non-blocking MSG_PEEK probe
	ctlArm           // arm the socket in the poller, one-shot
	ctlDisarm        // remove the socket from the poller
)

// poller is the server's epoll set of parked connections. Each entry's
// data is the connection id; id 0 is the pipe that stops the poller. Go's
// own netpoller registers the same sockets in its own epoll set
// (edge-triggered); a descriptor may be in both.
type poller struct {
	once         sync.Once
	err          error // set once by once
	down         atomic.Bool
	epfd         int
	stopR, stopW int           // the stop pipe
	done         chan struct{} // closed when the poller goroutine has ended
	stopped      bool
}

// parkSys is the per-connection part of parking on Linux.
type parkSys struct {
	ev    syscall.EpollEvent // argument of epoll_ctl (kept here: no allocation)
	ctlOp uint8
	armed bool // the socket is in the poller's epoll set
}

// pollerFD starts the poller on first use and returns its epoll set.
func (s *Server) pollerFD() (int, error) {
	p := &s.poll
	p.once.Do(func() {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			p.err = fmt.Errorf("epoll_create1: %w", err)
			return
		}
		var pipe [2]int
		if err := syscall.Pipe2(pipe[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
			syscall.Close(epfd)
			p.err = fmt.Errorf("pipe2: %w", err)
			return
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN} // data 0: stop
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, pipe[0], &ev); err != nil {
			syscall.Close(epfd)
			syscall.Close(pipe[0])
			syscall.Close(pipe[1])
			p.err = fmt.Errorf("epoll_ctl stop pipe: %w", err)
			return
		}
		p.epfd, p.stopR, p.stopW, p.done = epfd, pipe[0], pipe[1], make(chan struct{})
		go s.pollLoop(epfd, p.done)
	})
	if p.err == nil && p.down.Load() {
		return 0, errPollerDown
	}
	return p.epfd, p.err
}

// pollLoop waits in epoll_wait (a blocking system call: no wake-ups while
// nothing happens) and kicks the connection of every event.
func (s *Server) pollLoop(epfd int, done chan struct{}) {
	defer close(done)
	events := make([]syscall.EpollEvent, 256)
	kicks := make([]*Conn, 0, len(events))
	for {
		n, err := syscall.EpollWait(epfd, events, -1)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			s.log.Error("poller: epoll_wait failed; resuming parked connections", "err", err)
			s.kickAll()
			return
		}
		stop := false
		kicks = kicks[:0]
		s.mu.Lock()
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if id == 0 {
				stop = true
			} else if c := s.conns[id]; c != nil {
				kicks = append(kicks, c)
			}
		}
		s.mu.Unlock()
		for i, c := range kicks {
			c.kick()
			kicks[i] = nil
		}
		if stop {
			return
		}
	}
}

// kickAll resumes every connection after the poller failed: they fall
// back to waiting on their goroutines (Conn.park). The epoll set stays
// open until stopPoller, so no descriptor number is reused under a
// connection that is arming.
func (s *Server) kickAll() {
	s.poll.down.Store(true)
	for _, c := range s.sessions() {
		c.kick()
	}
}

var errPollerDown = errors.New("poller stopped")

// stopPoller ends the poller goroutine and closes its descriptors; called
// by shutdown once the last connection has closed.
func (s *Server) stopPoller() {
	p := &s.poll
	p.once.Do(func() {}) // not started: it never will be
	if p.done == nil || p.stopped {
		return
	}
	p.stopped = true
	_, _ = syscall.Write(p.stopW, []byte{1})
	<-p.done
	syscall.Close(p.epfd)
	syscall.Close(p.stopR)
	syscall.Close(p.stopW)
}

// arm registers the socket in the poller for one readiness event.
func (c *Conn) arm() error {
	epfd, err := c.srv.pollerFD()
	if err != nil {
		return err
	}
	return c.ctl(ctlArm, epfd)
}

// disarm removes the socket from the poller (before STARTTLS: a TLS
// connection waits on its goroutine).
func (c *Conn) disarm() {
	if c.ps.armed {
		_ = c.ctl(ctlDisarm, c.srv.poll.epfd)
	}
}

// ctl runs op on the socket's descriptor (epfd: the poller's epoll set).
func (c *Conn) ctl(op uint8, epfd int) error {
	c.ps.ctlOp, c.ctlErr = op, nil
	c.ps.ev.Fd, c.ps.ev.Pad = int32(epfd), 0
	if err := c.raw.Control(c.ctlFn); err != nil {
		return err
	}
	return c.ctlErr
}

// control is the syscall.RawConn.Control callback of ctl.
func (c *Conn) control(fd uintptr) {
	ps := &c.ps
	epfd := int(ps.ev.Fd)
	switch ps.ctlOp {
	case ctlPeek:
		c.peek(fd)
	case ctlArm:
		ps.ev = syscall.EpollEvent{
			Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
			Fd:     int32(uint32(c.id)), Pad: int32(uint32(c.id >> 32)),
		}
		op := syscall.EPOLL_CTL_MOD
		if !ps.armed {
			op = syscall.EPOLL_CTL_ADD
		}
		if err := syscall.EpollCtl(epfd, op, int(fd), &ps.ev); err != nil {
			c.ctlErr = fmt.Errorf("epoll_ctl: %w", err)
			return
		}
		ps.armed = true
	case ctlDisarm:
		ps.armed = false
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, int(fd), &ps.ev); err != nil {
			c.ctlErr = fmt.Errorf("epoll_ctl del: %w", err)
		}
	}
}

// pollNow probes the socket once without waiting: ready is true when input,
// end of stream or an error is there for the next Read.
func (c *Conn) pollNow() (ready bool, err error) {
	if err := c.ctl(ctlPeek, 0); err != nil {
		return false, err
	}
	return c.peekE != syscall.EAGAIN && c.peekE != syscall.EWOULDBLOCK, nil
}
