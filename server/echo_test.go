package server

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// echoProto is the tiny line protocol the server tests run:
//
//	greeting      "* OK echo ready"
//	QUIT          "BYE" and close (client-quit)
//	LOGIN u p     p == "ok": "OK" (SetUser); else "NO bad" after the failure delay
//	STARTTLS      "OK begin" then TLS; the rest of the read is dropped
//	BIG n         n bytes of 'x' and "\r\n"
//	SLEEP ms      sleeps in the handler, then "OK slept"
//	QUERY ms      a pool job waiting ms or until cancelled, then "OK <result>"
//	SET state mbx  SetState/SetMailbox, "OK"
//	anything else echoed back
//
// Commands of one read are queued first (CommandQueued) and then run, so
// the pipelining limit applies to what arrives in one read.
type echoProto struct {
	closed       chan closeEvent
	queries      chan error
	queryOnClose atomic.Bool // OnClose runs a pool job (like closing an authlog row)
	// overlaps counts callbacks that began while another callback of the
	// same session ran: the server must run a session on one goroutine at
	// a time (parking and resuming included).
	overlaps atomic.Int32
}

type closeEvent struct {
	id     uint64
	reason CloseReason
}

func newEchoProto() *echoProto {
	return &echoProto{
		closed:  make(chan closeEvent, 100),
		queries: make(chan error, 100),
	}
}

func (p *echoProto) NewSession(c *Conn) Session {
	return &echoSession{c: c, p: p}
}

func (p *echoProto) Refuse(w io.Writer, r CloseReason) {
	fmt.Fprintf(w, "* BYE %s\r\n", r)
}

// waitClose returns the next close reason or fails after d.
func (p *echoProto) waitClose(d time.Duration) (closeEvent, error) {
	select {
	case ev := <-p.closed:
		return ev, nil
	case <-time.After(d):
		return closeEvent{}, errors.New("no session closed in time")
	}
}

type echoSession struct {
	c    *Conn
	p    *echoProto
	line []byte
	busy atomic.Int32
}

// enter marks a callback running; the returned leave unmarks it.
func (s *echoSession) enter() (leave func()) {
	if s.busy.Add(1) != 1 {
		s.p.overlaps.Add(1)
	}
	return func() { s.busy.Add(-1) }
}

func (s *echoSession) Greet() error {
	defer s.enter()()
	_, err := s.c.WriteString("* OK echo ready\r\n")
	return err
}

func (s *echoSession) OnData(b []byte) error {
	defer s.enter()()
	var cmds []string
	max := s.c.Limits().MaxLineLength
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.line = append(s.line, b...)
			if len(bytes.TrimSuffix(s.line, []byte("\r"))) > max {
				s.c.WriteString("BAD line too long\r\n")
				return CloseWith(CloseLineTooLong, nil)
			}
			break
		}
		s.line = append(s.line, b[:i]...)
		b = b[i+1:]
		if len(bytes.TrimSuffix(s.line, []byte("\r"))) > max {
			s.c.WriteString("BAD line too long\r\n")
			return CloseWith(CloseLineTooLong, nil)
		}
		if err := s.c.CommandQueued(); err != nil {
			s.c.WriteString("NO too deep\r\n")
			return CloseWith(ClosePipelineTooDeep, err)
		}
		cmds = append(cmds, string(bytes.TrimRight(s.line, "\r")))
		s.line = s.line[:0]
	}
	for _, cmd := range cmds {
		done, err := s.run(cmd)
		s.c.CommandDone()
		if err != nil || done {
			return err
		}
	}
	return nil
}

// run executes one command; done means drop the rest of the input.
func (s *echoSession) run(line string) (bool, error) {
	verb, arg, _ := strings.Cut(line, " ")
	s.c.CommandStart(verb)
	switch verb {
	case "QUIT":
		s.c.WriteString("BYE\r\n")
		s.c.Close(CloseClientQuit)
		return true, nil
	case "LOGIN":
		user, pass, _ := strings.Cut(arg, " ")
		if !s.c.LoginAllowed() {
			s.c.WriteString("NO locked\r\n")
			return false, nil
		}
		if pass == "ok" {
			s.c.SetUser(user)
			s.c.WriteString("OK\r\n")
			return false, nil
		}
		locked := s.c.LoginFailed()
		s.c.WriteString("NO bad\r\n")
		if locked {
			s.c.Close(CloseLoginLockout)
			return true, nil
		}
	case "STARTTLS":
		if err := s.c.StartTLS(); err != nil {
			s.c.WriteString("NO " + err.Error() + "\r\n")
			return false, nil
		}
		s.c.WriteString("OK begin\r\n")
		s.line = s.line[:0]
		return true, nil
	case "BIG":
		n, _ := strconv.Atoi(arg)
		chunk := bytes.Repeat([]byte("x"), 8192)
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := s.c.Write(chunk[:k]); err != nil {
				return true, err
			}
			n -= k
		}
		s.c.WriteString("\r\n")
	case "SLEEP":
		ms, _ := strconv.Atoi(arg)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		s.c.WriteString("OK slept\r\n")
	case "QUERY":
		ms, _ := strconv.Atoi(arg)
		var got int
		err := s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
			t := time.NewTimer(time.Duration(ms) * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
			return conn.QueryRowContext(ctx, "SELECT 40 + 2").Scan(&got)
		})
		s.p.queries <- err
		if errors.Is(err, ErrBusy) {
			s.c.WriteString("NO busy\r\n")
			return false, nil
		}
		if err != nil {
			return true, err
		}
		fmt.Fprintf(s.c, "OK %d\r\n", got)
	case "SET":
		st, mbx, _ := strings.Cut(arg, " ")
		s.c.SetState(st)
		s.c.SetMailbox(mbx)
		s.c.WriteString("OK\r\n")
	default:
		s.c.WriteString(line + "\r\n")
	}
	return false, nil
}

func (s *echoSession) OnWake() error {
	defer s.enter()()
	_, err := s.c.WriteString("* WAKE\r\n")
	return err
}

func (s *echoSession) OnTimeout() {
	defer s.enter()()
	s.c.WriteString("* BYE timeout\r\n")
}

func (s *echoSession) OnShutdown() {
	defer s.enter()()
	s.c.WriteString("* BYE shutdown\r\n")
}

func (s *echoSession) OnClose(r CloseReason) {
	defer s.enter()()
	if s.p.queryOnClose.Load() {
		s.p.queries <- s.c.Query(func(ctx context.Context, conn *sql.Conn) error {
			_, err := conn.ExecContext(ctx, "SELECT 1")
			return err
		})
	}
	s.p.closed <- closeEvent{id: s.c.ID(), reason: r}
}

// client is a test client with line helpers.
type client struct {
	conn io.ReadWriteCloser
	r    *bufio.Reader
}

func newClient(c io.ReadWriteCloser) *client { return &client{conn: c, r: bufio.NewReader(c)} }

func (c *client) send(s string) error {
	_, err := io.WriteString(c.conn, s)
	return err
}

func (c *client) readLine() (string, error) {
	l, err := c.r.ReadString('\n')
	return strings.TrimRight(l, "\r\n"), err
}

// expect reads lines and compares them with want, in order.
func (c *client) expect(want ...string) error {
	for _, w := range want {
		got, err := c.readLine()
		if err != nil {
			return fmt.Errorf("want %q: %w", w, err)
		}
		if got != w {
			return fmt.Errorf("got %q, want %q", got, w)
		}
	}
	return nil
}
