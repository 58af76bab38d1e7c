package imap4

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgChannel is the PostgreSQL NOTIFY channel of mailbox changes; the
// payload is "<hub token>:<mailbox id>".
const pgChannel = "dbmail_mailbox"

// ListenPostgres connects the hub to every other process on the same
// PostgreSQL database with LISTEN/NOTIFY: from now on Publish also sends
// a NOTIFY (asynchronously, after the local wake-ups), and notifications
// of other hubs wake this hub's subscribers. It blocks until ctx ends,
// reconnecting after errors; run it in a goroutine. On other backends it
// returns an error at once (use Watch there).
func (h *Hub) ListenPostgres(ctx context.Context, d *db.DB, log *slog.Logger) error {
	if d.Dialect != db.Postgres {
		return fmt.Errorf("LISTEN/NOTIFY needs PostgreSQL, not %s", d.Dialect)
	}
	out := make(chan int64, 1024)
	defer h.addSink(out)()
	go h.notifyLoop(ctx, d.SQL, out, log)
	for ctx.Err() == nil {
		err := h.listenOnce(ctx, d.SQL)
		if ctx.Err() != nil {
			break
		}
		log.Warn("mailbox change listener failed, reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

// listenOnce holds one pooled connection in LISTEN and publishes the
// notifications of other hubs locally.
func (h *Hub) listenOnce(ctx context.Context, sdb *sql.DB) error {
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("listen: not a pgx connection")
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+pgChannel); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return fmt.Errorf("wait for notification: %w", err)
			}
			token, idText, ok := strings.Cut(n.Payload, ":")
			if !ok || token == h.token {
				continue
			}
			if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
				h.publishLocal(id)
			}
		}
	})
}

// notifyLoop sends the NOTIFYs of Publish, coalescing a burst for the
// same mailbox.
func (h *Hub) notifyLoop(ctx context.Context, sdb *sql.DB, in <-chan int64, log *slog.Logger) {
	for {
		var id int64
		select {
		case <-ctx.Done():
			return
		case id = <-in:
		}
		batch := map[int64]bool{id: true}
		for more := true; more; {
			select {
			case x := <-in:
				batch[x] = true
			default:
				more = false
			}
		}
		for x := range batch {
			if _, err := sdb.ExecContext(ctx, `SELECT pg_notify($1, $2)`, pgChannel, h.token+":"+strconv.FormatInt(x, 10)); err != nil && ctx.Err() == nil {
				log.Warn("mailbox change notify failed", "mailbox", x, "err", err)
			}
		}
	}
}

func newHubToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
