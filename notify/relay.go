// Package notify carries "mailbox changed" events between daemon processes
// (issue: daemon core, item 2). Inside one process the IMAP hub wakes
// sessions directly; a Relay tells the other processes:
//
//   - on one host, through Unix datagram sockets in pid_directory: every
//     daemon binds dbmail-notify-<program>-<pid>.sock and a publisher sends
//     one datagram to each peer (no database round trip, microseconds);
//   - across hosts sharing a PostgreSQL database, through LISTEN/NOTIFY on
//     the channel dbmail_changes.
//
// MariaDB and SQLite have no notification mechanism; there the IMAP hub's
// batched check of mailboxes.seq (one query per interval for all watched
// mailboxes) catches changes from other hosts. Events are hints: a lost or
// duplicated one costs a wake-up or a poll interval, never correctness,
// because a woken session always re-reads the mailbox state.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Config describes where a relay listens and publishes.
type Config struct {
	// Dir is the directory of the local datagram sockets (pid_directory).
	Dir string
	// Program names this process in its socket file name.
	Program string
	// Namespace separates installations that share Dir: events from a
	// different dburi or table prefix are ignored. Use NamespaceOf.
	Namespace string
	// PostgresDSN, when set, adds LISTEN/NOTIFY (see postgres.go).
	PostgresDSN string
	Log         *slog.Logger
}

// NamespaceOf derives a short namespace from a database URI and prefix.
func NamespaceOf(dburi, prefix string) string {
	h := sha256.Sum256([]byte(dburi + "\x00" + prefix))
	return hex.EncodeToString(h[:6])
}

// Relay sends and receives change events. Its methods are safe for
// concurrent use.
type Relay struct {
	cfg    Config
	self   string // our socket path
	conn   *net.UnixConn
	origin string // host:pid, to drop our own PostgreSQL notifications

	mu       sync.Mutex
	handlers []func(mailboxID int64)
	pending  map[int64]struct{}
	kick     chan struct{}
	peers    []string
	peersAt  time.Time
	pg       *pgListener
	closed   chan struct{}
	wg       sync.WaitGroup
}

// peerRefresh is how long the list of local peers is reused.
const peerRefresh = time.Second

// New binds the local socket (and, with PostgresDSN, starts listening).
// The socket name carries cfg.Program and the pid, so several relays of one
// process (tests) differ by Program.
func New(cfg Config) (*Relay, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Program == "" {
		cfg.Program = filepath.Base(os.Args[0])
	}
	host, _ := os.Hostname()
	r := &Relay{
		cfg:     cfg,
		origin:  host + ":" + strconv.Itoa(os.Getpid()),
		pending: map[int64]struct{}{},
		kick:    make(chan struct{}, 1),
		closed:  make(chan struct{}),
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		r.self = filepath.Join(cfg.Dir, fmt.Sprintf("dbmail-notify-%s-%d.sock", cfg.Program, os.Getpid()))
		os.Remove(r.self)
		c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: r.self, Net: "unixgram"})
		if err != nil {
			return nil, fmt.Errorf("notify: bind %s: %w", r.self, err)
		}
		os.Chmod(r.self, 0o666)
		r.conn = c
		r.wg.Add(1)
		go r.receive()
	}
	if cfg.PostgresDSN != "" {
		r.pg = newPGListener(cfg.PostgresDSN, r.origin, cfg.Namespace, r.deliver, cfg.Log)
		r.wg.Add(1)
		go func() { defer r.wg.Done(); r.pg.run(r.closed) }()
	}
	r.wg.Add(1)
	go r.send()
	return r, nil
}

// OnChange registers a handler for events published by other processes.
func (r *Relay) OnChange(f func(mailboxID int64)) {
	r.mu.Lock()
	r.handlers = append(r.handlers, f)
	r.mu.Unlock()
}

// Publish tells the other processes that a mailbox changed. Call it after
// the change committed. It never blocks on I/O: events are coalesced and
// sent by a background goroutine.
func (r *Relay) Publish(mailboxID int64) {
	r.mu.Lock()
	r.pending[mailboxID] = struct{}{}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Close stops the relay and removes its socket.
func (r *Relay) Close() error {
	select {
	case <-r.closed:
		return nil
	default:
	}
	close(r.closed)
	if r.conn != nil {
		r.conn.Close()
		os.Remove(r.self)
	}
	r.wg.Wait()
	return nil
}

func (r *Relay) deliver(ids []int64) {
	r.mu.Lock()
	hs := append([]func(int64){}, r.handlers...)
	r.mu.Unlock()
	for _, id := range ids {
		for _, h := range hs {
			h(id)
		}
	}
}

// Wire format of one datagram: "<namespace> <id>[,<id>…]".
func encode(ns string, ids []int64) []byte {
	var b strings.Builder
	b.WriteString(ns)
	b.WriteByte(' ')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return []byte(b.String())
}

func decode(ns string, msg []byte) []int64 {
	s := string(msg)
	got, list, ok := strings.Cut(s, " ")
	if !ok || got != ns {
		return nil
	}
	var ids []int64
	for _, f := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

func (r *Relay) receive() {
	defer r.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, _, err := r.conn.ReadFromUnix(buf)
		if err != nil {
			select {
			case <-r.closed:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.cfg.Log.Warn("notify: receive", "err", err)
			continue
		}
		if ids := decode(r.cfg.Namespace, buf[:n]); len(ids) > 0 {
			r.deliver(ids)
		}
	}
}

// maxIDsPerDatagram keeps a datagram well under the socket's limit.
const maxIDsPerDatagram = 2000

func (r *Relay) send() {
	defer r.wg.Done()
	for {
		select {
		case <-r.closed:
			return
		case <-r.kick:
		}
		r.mu.Lock()
		ids := make([]int64, 0, len(r.pending))
		for id := range r.pending {
			ids = append(ids, id)
		}
		clear(r.pending)
		r.mu.Unlock()
		for len(ids) > 0 {
			n := min(len(ids), maxIDsPerDatagram)
			if r.conn != nil {
				r.sendLocal(encode(r.cfg.Namespace, ids[:n]))
			}
			if r.pg != nil {
				r.pg.notify(ids[:n])
			}
			ids = ids[n:]
		}
	}
}

func (r *Relay) sendLocal(msg []byte) {
	for _, p := range r.localPeers() {
		_, err := r.conn.WriteToUnix(msg, &net.UnixAddr{Name: p, Net: "unixgram"})
		if err != nil && (errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)) {
			r.dropPeer(p)
		}
	}
}

// localPeers lists the other daemons' sockets, re-read at most once a second.
func (r *Relay) localPeers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.peersAt) < peerRefresh {
		return r.peers
	}
	all, _ := filepath.Glob(filepath.Join(r.cfg.Dir, "dbmail-notify-*.sock"))
	r.peers = r.peers[:0]
	for _, p := range all {
		if p != r.self {
			r.peers = append(r.peers, p)
		}
	}
	r.peersAt = time.Now()
	return r.peers
}

// dropPeer removes a socket whose process is gone (a crashed daemon).
func (r *Relay) dropPeer(path string) {
	base := strings.TrimSuffix(filepath.Base(path), ".sock")
	if i := strings.LastIndexByte(base, '-'); i >= 0 {
		if pid, err := strconv.Atoi(base[i+1:]); err == nil && syscall.Kill(pid, 0) == syscall.ESRCH {
			os.Remove(path)
		}
	}
	r.mu.Lock()
	r.peersAt = time.Time{}
	r.mu.Unlock()
}

// Announce sends one event for ids synchronously, without listening: what
// a short-lived tool (dbmail-deliver, dbmail-util) uses after its commit.
func Announce(ctx context.Context, cfg Config, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var firstErr error
	if cfg.Dir != "" {
		peers, _ := filepath.Glob(filepath.Join(cfg.Dir, "dbmail-notify-*.sock"))
		if len(peers) > 0 {
			msg := encode(cfg.Namespace, ids)
			for _, p := range peers {
				conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: p, Net: "unixgram"})
				if err != nil {
					continue // a dead daemon's socket
				}
				conn.Write(msg)
				conn.Close()
			}
		}
	}
	if cfg.PostgresDSN != "" {
		host, _ := os.Hostname()
		l := newPGListener(cfg.PostgresDSN, host+":"+strconv.Itoa(os.Getpid()), cfg.Namespace, nil, cfg.Log)
		conn, err := pgx.Connect(ctx, cfg.PostgresDSN)
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		defer conn.Close(context.Background())
		for _, p := range l.payloads(ids) {
			if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", pgChannel, p); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("notify: %w", err)
			}
		}
	}
	return firstErr
}
