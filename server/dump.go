package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

// StateFormatVersion is printed on the first line of the state dump; it
// changes only when the format changes incompatibly (README.md).
const StateFormatVersion = 1

// WriteState writes the state dump (format in README.md): a header line,
// one "session" line per connection ordered by id, the "workers",
// "database", "commands" and "cache" summary lines, and "end".
func (s *Server) WriteState(w io.Writer) error {
	now := time.Now()
	bw := bufio.NewWriter(w)
	cfg := s.settings()
	conns := s.sessions()
	draining := "no"
	select {
	case <-s.draining:
		draining = "yes"
	default:
	}
	fmt.Fprintf(bw, "dbmail-state %d program=%s pid=%d started=%s uptime=%d sessions=%d draining=%s\n",
		StateFormatVersion, q(cfg.Program), os.Getpid(), s.started.UTC().Format(time.RFC3339),
		int64(now.Sub(s.started).Seconds()), len(conns), draining)
	for _, c := range conns {
		writeSession(bw, c.Snapshot(now))
	}
	writePool(bw, s.opts.Pool)
	writeDB(bw, s.opts)
	cmd := s.cmdHist.summary()
	fmt.Fprintf(bw, "commands count=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
		cmd.Count, cmd.P50.Microseconds(), cmd.P90.Microseconds(), cmd.P99.Microseconds(), cmd.Max.Microseconds())
	if s.opts.Cache == nil {
		bw.WriteString("cache none\n")
	} else {
		cs := s.opts.Cache()
		fmt.Fprintf(bw, "cache backend=%s items=%d bytes=%d hits=%d misses=%d evictions=%d\n",
			q(cs.Backend), cs.Items, cs.Bytes, cs.Hits, cs.Misses, cs.Evictions)
	}
	bw.WriteString("end\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write state dump: %w", err)
	}
	return nil
}

func writeSession(w *bufio.Writer, s Snapshot) {
	fmt.Fprintf(w, "session id=%d peer=%s listener=%s tls=%s user=%s state=%s mailbox=%s command=%s cmd_ms=%d idle=%d in=%d out=%d pipelined=%d since=%s\n",
		s.ID, q(s.Peer), s.Listener, yesNo(s.TLS), q(s.User), q(s.State), q(s.Mailbox), q(s.Command),
		s.CmdTime.Milliseconds(), int64(s.Idle.Seconds()), s.BytesIn, s.BytesOut, s.Pipelined,
		s.Since.UTC().Format(time.RFC3339))
}

func writePool(w *bufio.Writer, p *Pool) {
	if p == nil {
		w.WriteString("workers none\n")
		return
	}
	st := p.Stats()
	fmt.Fprintf(w, "workers size=%d busy=%d queued=%d queue_max=%d submitted=%d completed=%d failed=%d rejected=%d cancelled=%d reconnects=%d wait_p50_us=%d wait_p99_us=%d wait_max_us=%d run_p50_us=%d run_p99_us=%d run_max_us=%d\n",
		st.Workers, st.Busy, st.Queued, st.QueueMax, st.Submitted, st.Completed, st.Failed, st.Rejected, st.Cancelled, st.Reconnects,
		st.Wait.P50.Microseconds(), st.Wait.P99.Microseconds(), st.Wait.Max.Microseconds(),
		st.Run.P50.Microseconds(), st.Run.P99.Microseconds(), st.Run.Max.Microseconds())
}

func writeDB(w *bufio.Writer, o Options) {
	if o.DB == nil {
		w.WriteString("database none\n")
		return
	}
	st := o.DB.Stats()
	fmt.Fprintf(w, "database open=%d in_use=%d idle=%d max_open=%d wait_count=%d wait_ms=%d\n",
		st.OpenConnections, st.InUse, st.Idle, st.MaxOpenConnections, st.WaitCount, st.WaitDuration.Milliseconds())
}

// q renders a dump value: "-" for empty, else logging.QuoteValue.
func q(s string) string {
	if s == "" {
		return "-"
	}
	if s == "-" {
		return strconv.Quote(s)
	}
	return logging.QuoteValue(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ServeState listens on the Unix socket path (mode 0600; state_socket,
// default <pid_directory>/<program>.state) and writes a dump to each client
// that connects, then closes it. It returns when the listener is closed by
// the returned stop function, which also removes the socket file.
func (s *Server) ServeState(path string) (stop func(), err error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("state socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("state socket %s: %w", path, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					s.log.Warn("state socket accept", "err", err)
					time.Sleep(50 * time.Millisecond)
					continue
				}
				return
			}
			_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := s.WriteState(c); err != nil {
				s.log.Debug("state dump", "err", err)
			}
			_ = c.Close()
		}
	}()
	return func() {
		_ = ln.Close()
		<-done
		_ = os.Remove(path)
	}, nil
}
