package server

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// errSlowConsumer is the write error of a client that stopped reading.
var errSlowConsumer = errors.New("slow consumer")

// Write buffers p for the client. The buffer holds at most
// Limits.MaxOutbound bytes (the outbound budget): beyond that it is flushed
// first, and a flush the client does not take within WriteTimeout closes
// the connection as a slow consumer. Output is never buffered without
// bound. Errors are sticky.
func (c *Conn) Write(p []byte) (int, error) { return write(c, p) }

// WriteString is Write for a string, without converting it.
func (c *Conn) WriteString(s string) (int, error) { return write(c, s) }

func write[T string | []byte](c *Conn, p T) (int, error) {
	if c.werr != nil {
		return 0, c.werr
	}
	budget := c.srv.settings().Limits.MaxOutbound
	if c.out == nil {
		c.out = c.srv.bufs.write.get()
		*c.out = (*c.out)[:0]
	}
	if len(*c.out)+len(p) > budget {
		if err := c.Flush(); err != nil {
			return 0, err
		}
		if len(p) > budget {
			return c.writeSocket([]byte(p))
		}
	}
	*c.out = append(*c.out, p...)
	return len(p), nil
}

// Flush sends buffered output now (the loop also flushes after every
// callback).
func (c *Conn) Flush() error {
	if c.werr != nil {
		return c.werr
	}
	if c.out == nil || len(*c.out) == 0 {
		return nil
	}
	_, err := c.writeSocket(*c.out)
	*c.out = (*c.out)[:0]
	return err
}

// Buffered returns the number of bytes waiting in the output buffer.
func (c *Conn) Buffered() int {
	if c.out == nil {
		return 0
	}
	return len(*c.out)
}

func (c *Conn) writeSocket(p []byte) (int, error) {
	wt := c.srv.settings().WriteTimeout
	if err := c.sock.SetWriteDeadline(time.Now().Add(wt)); err != nil {
		c.werr = fmt.Errorf("set write deadline: %w", err)
		c.closeReq.CompareAndSwap(uint32(CloseNone), uint32(CloseWriteError))
		return 0, c.werr
	}
	n, err := c.nc.Write(p)
	c.bytesOut.Add(uint64(n))
	if err == nil {
		return n, nil
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.werr = fmt.Errorf("%w: %d bytes not taken within %v", errSlowConsumer, len(p)-n, wt)
		c.closeReq.CompareAndSwap(uint32(CloseNone), uint32(CloseSlowConsumer))
		c.Logger().Info("slow consumer", "peer", c.peer, "pending", len(p)-n)
	} else {
		c.werr = fmt.Errorf("write to %s: %w", c.peer, err)
		c.closeReq.CompareAndSwap(uint32(CloseNone), uint32(CloseWriteError))
	}
	return n, c.werr
}

// releaseOut gives the output buffer back to the pool (idle connections
// hold none).
func (c *Conn) releaseOut() {
	if c.out == nil {
		return
	}
	c.srv.bufs.write.put(c.out)
	c.out = nil
}
