package imaptest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// scriptConn is one script-mode connection. A reader goroutine parses
// responses into a queue; the runner consumes the queue of the connection
// whose command group is running, so replies another connection receives
// meanwhile wait for that connection's next group (as Dovecot imaptest
// stops reading the other connections).
type scriptConn struct {
	idx     int
	nc      net.Conn
	w       *bufio.Writer
	events  chan connEvent
	tagSeq  int
	exists  int // messages in the selected mailbox, from EXISTS/EXPUNGE
	caps    []string
	seenBye bool
	closed  bool // reader finished
	greet   Response
}

type connEvent struct {
	resp Response
	err  error
}

// errTimeout is returned when no reply arrives in time.
var errTimeout = errors.New("timed out waiting for a reply")

func dialScript(ctx context.Context, addr string, idx int) (*scriptConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	c := &scriptConn{
		idx: idx, nc: nc, w: bufio.NewWriterSize(nc, 16<<10),
		events: make(chan connEvent, 1024),
	}
	go c.readLoop()
	return c, nil
}

func (c *scriptConn) readLoop() {
	rr := NewResponseReader(c.nc, 1<<20)
	defer close(c.events)
	for {
		raw, err := rr.ReadResponse()
		if err != nil {
			c.events <- connEvent{err: fmt.Errorf("connection %d: %w", c.idx+1, err)}
			return
		}
		resp, err := ParseResponse(raw)
		if err != nil {
			c.events <- connEvent{err: fmt.Errorf("connection %d: invalid response: %w", c.idx+1, err)}
			return
		}
		c.events <- connEvent{resp: resp}
	}
}

// next returns the next response, or an error on timeout or disconnect.
func (c *scriptConn) next(ctx context.Context, timeout time.Duration) (Response, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.closed = true
			return Response{}, fmt.Errorf("connection %d: closed", c.idx+1)
		}
		if ev.err != nil {
			c.closed = true
			return Response{}, ev.err
		}
		c.track(&ev.resp)
		return ev.resp, nil
	case <-t.C:
		return Response{}, fmt.Errorf("connection %d: %w", c.idx+1, errTimeout)
	case <-ctx.Done():
		return Response{}, fmt.Errorf("connection %d: %w", c.idx+1, ctx.Err())
	}
}

// pending returns a queued response without waiting.
func (c *scriptConn) pending() (Response, bool) {
	select {
	case ev, ok := <-c.events:
		if !ok || ev.err != nil {
			c.closed = true
			return Response{}, false
		}
		c.track(&ev.resp)
		return ev.resp, true
	default:
		return Response{}, false
	}
}

// track keeps the connection's view: message count (RFC 3501 §7.3.1,
// §7.4.1), BYE and capabilities.
func (c *scriptConn) track(r *Response) {
	if r.Tag != "*" || len(r.Args) == 0 {
		if r.Tag != "+" && len(r.Args) > 1 {
			c.parseCapCode(r.Args[1:])
		}
		return
	}
	a := r.Args
	if a[0].Kind == ArgAtom && len(a) > 1 && a[1].Kind == ArgAtom {
		if n, err := strconv.Atoi(a[0].Str); err == nil {
			switch strings.ToUpper(a[1].Str) {
			case "EXISTS":
				c.exists = n
			case "EXPUNGE":
				if c.exists > 0 {
					c.exists--
				}
			}
			return
		}
	}
	switch {
	case a[0].AtomIs("BYE"):
		c.seenBye = true
	case a[0].AtomIs("CAPABILITY"):
		c.caps = c.caps[:0]
		for _, x := range a[1:] {
			if x.Kind == ArgAtom {
				c.caps = append(c.caps, x.Str)
			}
		}
	case a[0].AtomIs("OK") || a[0].AtomIs("PREAUTH"):
		c.parseCapCode(a[1:])
	}
}

// parseCapCode reads a "[CAPABILITY ...]" response code (RFC 3501 §7.1).
func (c *scriptConn) parseCapCode(a []Arg) {
	if len(a) == 0 || a[0].Kind != ArgAtom || !strings.EqualFold(a[0].Str, "[CAPABILITY") {
		return
	}
	c.caps = c.caps[:0]
	for _, x := range a[1:] {
		if x.Kind != ArgAtom {
			break
		}
		s := x.Str
		end := strings.HasSuffix(s, "]")
		s = strings.TrimSuffix(s, "]")
		if s != "" {
			c.caps = append(c.caps, s)
		}
		if end {
			break
		}
	}
}

func (c *scriptConn) hasCaps(req []string) (string, bool) {
	for _, r := range req {
		found := false
		for _, h := range c.caps {
			if strings.EqualFold(r, h) {
				found = true
				break
			}
		}
		if !found {
			return r, false
		}
	}
	return "", true
}

func (c *scriptConn) newTag() string {
	c.tagSeq++
	return fmt.Sprintf("%d.%d", c.idx+1, c.tagSeq)
}

// cmdPart is a piece of a command: line text or literal data.
type cmdPart struct {
	text    string
	literal bool
	sync    bool // the literal waits for a continuation request
}

// splitCommand cuts a command with inline literals ("{n}\r\n" + n bytes)
// into parts so the sender can wait for "+" before each synchronizing
// literal (RFC 3501 §7.5, RFC 7888 "{n+}").
func splitCommand(text string) []cmdPart {
	var parts []cmdPart
	for {
		i := strings.Index(text, "\r\n")
		if i < 0 {
			parts = append(parts, cmdPart{text: text})
			return parts
		}
		n, ok := trailingLiteral([]byte(text[:i]))
		if !ok || i+2+n > len(text) {
			parts = append(parts, cmdPart{text: text[:i+2]})
			text = text[i+2:]
			continue
		}
		sync := !strings.HasSuffix(text[:i], "+}")
		parts = append(parts, cmdPart{text: text[:i+2]})
		parts = append(parts, cmdPart{text: text[i+2 : i+2+n], literal: true, sync: sync})
		text = text[i+2+n:]
	}
}

// sender writes one tagged command, pausing at synchronizing literals.
type sender struct {
	c     *scriptConn
	tag   string
	parts []cmdPart
	i     int
	wait  bool // waiting for a continuation request
	done  bool // completely written (or abandoned)
}

func newSender(c *scriptConn, tag string, parts []cmdPart) *sender {
	if len(parts) > 0 {
		parts[0].text = tag + " " + parts[0].text
	}
	return &sender{c: c, tag: tag, parts: parts}
}

// advance writes until the command ends or a literal needs "+".
func (s *sender) advance() error {
	s.wait = false
	for s.i < len(s.parts) {
		p := s.parts[s.i]
		if p.literal && p.sync {
			if err := s.c.w.Flush(); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			s.wait = true
			// Mark the literal as pending; continue() resumes it.
			s.parts[s.i].sync = false
			return nil
		}
		if _, err := s.c.w.WriteString(p.text); err != nil {
			return fmt.Errorf("send: %w", err)
		}
		s.i++
	}
	if _, err := s.c.w.WriteString("\r\n"); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	s.done = true
	if err := s.c.w.Flush(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}
