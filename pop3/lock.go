package pop3

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// lockState is the session's hold on its maildrop lock (RFC 1939 §8; the
// SQL design is described in db/pop3_lock.go). The lease is refreshed
// every third of its length: a timer wakes the idle connection (OnWake),
// and a long RETR refreshes between chunks.
type lockState struct {
	userID  int64
	token   string
	held    bool
	renewed time.Time
	timer   *time.Timer
}

// armRefresh schedules the next lease refresh.
func (s *session) armRefresh() {
	s.lock.renewed = time.Now()
	every := s.p.lease() / 3
	if s.lock.timer == nil {
		s.lock.timer = time.AfterFunc(every, s.c.Wake)
		return
	}
	s.lock.timer.Reset(every)
}

// errLockLost: the lease expired and another session took the maildrop.
var errLockLost = errors.New("pop3: maildrop lock lost")

// refreshLock renews the lease when a third of it has passed (or always,
// when force is set). Losing the lock ends the session without UPDATE.
func (s *session) refreshLock(force bool) error {
	if !s.lock.held {
		return nil
	}
	if !force && time.Since(s.lock.renewed) < s.p.lease()/3 {
		return nil
	}
	var ok bool
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		ok, err = d.RefreshPOP3Lock(ctx, s.lock.userID, s.lock.token, s.p.lease())
		return err
	})
	if err != nil {
		if errors.Is(err, server.ErrDisconnected) {
			return server.CloseWith(server.CloseEOF, err)
		}
		// A transient failure: try again at the next tick; the lease
		// still has two thirds to run.
		s.c.Logger().Warn("pop3 lock refresh failed", "err", err)
		s.armRefresh()
		return nil
	}
	if !ok {
		s.lock.held = false
		s.reply("-ERR [IN-USE] maildrop lock lost")
		s.stopInput = true
		return server.CloseWith(server.CloseServiceUnavailable, errLockLost)
	}
	s.armRefresh()
	return nil
}

// releaseLock drops the lock at the end of the session. It runs on the
// pool with its own deadline: the connection's context is gone by now.
func (s *session) releaseLock() {
	if s.lock.timer != nil {
		s.lock.timer.Stop()
	}
	if !s.lock.held {
		return
	}
	s.lock.held = false
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	userID, token := s.lock.userID, s.lock.token
	err := s.p.Pool.Submit(ctx, func(ctx context.Context, conn *sql.Conn) error {
		return s.p.DB.On(conn).ReleasePOP3Lock(ctx, userID, token)
	})
	if err != nil {
		// The lease expires on its own.
		s.p.logger().Warn("pop3 lock release failed", "user_idnr", userID, "err", err)
	}
}
