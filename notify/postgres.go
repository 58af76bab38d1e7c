package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgChannel is the LISTEN/NOTIFY channel every dbmail-go process uses.
const pgChannel = "dbmail_changes"

// pgListener holds one dedicated connection that LISTENs and another for
// NOTIFY, reconnecting with a back-off when the database goes away.
type pgListener struct {
	dsn     string
	origin  string
	ns      string
	deliver func([]int64)
	log     *slog.Logger
	sendC   chan []int64
}

func newPGListener(dsn, origin, ns string, deliver func([]int64), log *slog.Logger) *pgListener {
	return &pgListener{dsn: dsn, origin: origin, ns: ns, deliver: deliver, log: log, sendC: make(chan []int64, 64)}
}

// notify queues ids for NOTIFY; when the queue is full the event is
// dropped (other hosts then see the change at their next poll).
func (l *pgListener) notify(ids []int64) {
	select {
	case l.sendC <- append([]int64(nil), ids...):
	default:
	}
}

// payload: "<namespace> <origin> <id>,<id>…" (NOTIFY payloads are limited to
// 8000 bytes; maxIDsPerDatagram ids of up to 19 digits could exceed it, so
// long lists are split).
func (l *pgListener) payloads(ids []int64) []string {
	var out []string
	for len(ids) > 0 {
		n := min(len(ids), 300)
		out = append(out, l.ns+" "+l.origin+" "+string(encode("", ids[:n])[1:]))
		ids = ids[n:]
	}
	return out
}

func (l *pgListener) run(closed <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-closed; cancel() }()
	go l.sender(ctx)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, l.dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+pgChannel)
		}
		if err != nil {
			if ctx.Err() == nil {
				l.log.Warn("notify: LISTEN connection failed; retrying", "err", err, "in", backoff)
			}
			if conn != nil {
				conn.Close(context.Background())
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			ns, rest, _ := strings.Cut(n.Payload, " ")
			origin, list, _ := strings.Cut(rest, " ")
			if ns != l.ns || origin == l.origin {
				continue
			}
			if ids := decode("", []byte(" "+list)); len(ids) > 0 {
				l.deliver(ids)
			}
		}
		conn.Close(context.Background())
	}
}

func (l *pgListener) sender(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for {
		var ids []int64
		select {
		case <-ctx.Done():
			return
		case ids = <-l.sendC:
		}
		for _, p := range l.payloads(ids) {
			if conn == nil {
				c, err := pgx.Connect(ctx, l.dsn)
				if err != nil {
					l.log.Warn("notify: NOTIFY connection failed", "err", err)
					break
				}
				conn = c
			}
			if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", pgChannel, p); err != nil {
				l.log.Warn("notify: NOTIFY failed", "err", err)
				conn.Close(context.Background())
				conn = nil
			}
		}
	}
}
