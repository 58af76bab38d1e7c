package imap4

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// localPrefix names the notification sockets of the hubs on this host.
const localPrefix = "dbmail-notify-"

// ListenLocal connects the hub to the other dbmail-go processes on this
// host that share dir (the pid_directory): it binds a Unix datagram
// socket dir/dbmail-notify-<token>.sock, wakes local subscribers for
// every mailbox id received, and from now on Publish also sends the id to
// every other such socket in dir. This is the immediate path between
// daemons (dbmail-lmtpd → dbmail-imapd) on SQLite and MariaDB, where the
// database has no notifications; Watch stays the safety net. It blocks
// until ctx ends.
func (h *Hub) ListenLocal(ctx context.Context, dir string, log *slog.Logger) error {
	path := filepath.Join(dir, localPrefix+h.token+".sock")
	_ = os.Remove(path)
	pc, err := net.ListenPacket("unixgram", path)
	if err != nil {
		return fmt.Errorf("notification socket: %w", err)
	}
	defer os.Remove(path)
	go func() {
		<-ctx.Done()
		pc.Close()
	}()
	out := make(chan int64, 1024)
	defer h.addSink(out)()
	go h.localSendLoop(ctx, pc, dir, path, out)
	buf := make([]byte, 64)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("notification socket: %w", err)
		}
		if id, err := strconv.ParseInt(string(buf[:n]), 10, 64); err == nil {
			h.publishLocal(id)
		}
	}
}

// localSendLoop sends published ids to the other hubs' sockets; the list
// of sockets is re-read at most once a second.
func (h *Hub) localSendLoop(ctx context.Context, conn net.PacketConn, dir, own string, in <-chan int64) {
	var peers []string
	var listed time.Time
	for {
		var id int64
		select {
		case <-ctx.Done():
			return
		case id = <-in:
		}
		if time.Since(listed) > time.Second {
			peers = peers[:0]
			matches, _ := filepath.Glob(filepath.Join(dir, localPrefix+"*.sock"))
			for _, m := range matches {
				if m != own {
					peers = append(peers, m)
				}
			}
			listed = time.Now()
		}
		msg := []byte(strconv.FormatInt(id, 10))
		for _, p := range peers {
			_, err := conn.WriteTo(msg, &net.UnixAddr{Name: p, Net: "unixgram"})
			if errors.Is(err, syscall.ECONNREFUSED) && strings.HasPrefix(filepath.Base(p), localPrefix) {
				// Nobody listens any more: a hub that did not clean up.
				_ = os.Remove(p)
				listed = time.Time{}
			}
		}
	}
}
