package imaptest

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"unsafe"
)

// leanSock is the reading side of a lean connection: an io.Reader over
// the socket that can send a command as part of the read that waits for
// its reply.
//
// Go's net.Conn.Read first tries read(2) and, on EAGAIN, waits for the
// netpoller's readiness notification, then reads again: a command's reply
// costs two reads, one of them doomed, since it is never there when the
// command has just been written. leanSock.Read with a command in send runs
// inside syscall.RawConn.Read, which resets the descriptor's readiness
// before calling f: f writes the command and asks to wait, so readiness
// can only come from data that arrived after the command was written, and
// the next read(2) finds the reply (a wake-up for other data just costs
// one EAGAIN and another wait). Nothing is missed: the reset precedes the
// write, and the netpoller is edge-triggered on every arrival.
type leanSock struct {
	nc   net.Conn
	rc   syscall.RawConn // nil: plain nc.Read and nc.Write
	send []byte          // command to write before reading, or nil

	// State of one rc.Read call; f is bound once so reads allocate
	// nothing.
	f      func(fd uintptr) bool
	buf    []byte
	n      int
	err    error
	unsent []byte // part of send the socket did not take at once
}

func newLeanSock(nc net.Conn) (*leanSock, error) {
	s := &leanSock{nc: nc}
	if sc, ok := nc.(syscall.Conn); ok {
		rc, err := sc.SyscallConn()
		if err != nil {
			return nil, fmt.Errorf("raw connection: %w", err)
		}
		s.rc = rc
	}
	s.f = s.step
	return s, nil
}

// Read implements io.Reader: it sends the pending command, if any, and
// returns what the socket has.
func (s *leanSock) Read(p []byte) (int, error) {
	cmd := s.send
	s.send = nil
	if s.rc == nil {
		if cmd != nil {
			if _, err := s.nc.Write(cmd); err != nil {
				return 0, fmt.Errorf("write: %w", err)
			}
		}
		return s.nc.Read(p)
	}
	s.buf, s.n, s.err, s.unsent = p, 0, nil, cmd
	if err := s.rc.Read(s.f); err != nil {
		return 0, err
	}
	if s.unsent != nil {
		// The socket's send buffer was full (the server is not
		// reading): the rest waits for writability in nc.Write.
		rest := s.unsent
		s.unsent = nil
		if _, err := s.nc.Write(rest); err != nil {
			return 0, fmt.Errorf("write: %w", err)
		}
		return s.nc.Read(p)
	}
	return s.n, s.err
}

// step is the RawConn.Read callback: first write the command, then read
// until read(2) does not say EAGAIN. It returns false to wait for
// readability.
func (s *leanSock) step(fd uintptr) bool {
	if cmd := s.unsent; cmd != nil {
		n, err := rawIO(syscall.SYS_WRITE, fd, cmd)
		switch {
		case err == syscall.EINTR:
			return s.step(fd)
		case err == syscall.EAGAIN:
			return true // Read finishes the write
		case err != nil:
			s.unsent, s.err = nil, &net.OpError{Op: "write", Net: "tcp", Addr: s.nc.RemoteAddr(), Err: err}
			return true
		case n < len(cmd):
			s.unsent = cmd[n:]
			return true
		}
		s.unsent = nil
		return false // wait for the reply without a doomed read
	}
	for {
		n, err := rawIO(syscall.SYS_READ, fd, s.buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			s.err = &net.OpError{Op: "read", Net: "tcp", Addr: s.nc.RemoteAddr(), Err: err}
		case n == 0:
			s.err = io.EOF
		default:
			s.n = n
		}
		return true
	}
}

// rawIO is read(2) or write(2) on the non-blocking socket without the
// runtime's syscall bookkeeping (entersyscall, exitsyscall): such a call
// never blocks, so its P need not be handed off, and the runtime's
// monitor, which retakes the P of every goroutine in a syscall longer
// than its 20 µs tick, has nothing to do.
func rawIO(trap, fd uintptr, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, errno := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return int(n), errno
	}
	return int(n), nil
}
