//go:build linux

package server

import (
	"syscall"
	"unsafe"
)

// canPeek: the idle wait can use a non-consuming MSG_PEEK probe.
const canPeek = true

// peek is the syscall.RawConn.Read callback that waits for input without
// taking a buffer: a one-byte MSG_PEEK|MSG_DONTWAIT recv into the Conn's
// probe byte. It returns false (wait for readiness) only on EAGAIN; data,
// end of stream and errors all end the wait, and the following Read reports
// them. peekN and peekE record the probe's result. It does not allocate.
func (c *Conn) peek(fd uintptr) bool {
	n, _, e := syscall.Syscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&c.probe[0])), 1,
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	c.peekN, c.peekE = int(n), e
	return e != syscall.EAGAIN && e != syscall.EWOULDBLOCK
}
