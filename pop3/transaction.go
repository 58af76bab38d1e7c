package pop3

import (
	"context"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// pick resolves a message-number argument, answering errors itself.
func (s *session) pick(arg string) (int, bool, error) {
	i, text := s.drop.message(arg)
	if text == "" {
		return i, true, nil
	}
	if text == errBadArgs {
		return 0, false, s.fail(text)
	}
	s.reply(text)
	return 0, false, nil
}

// cmdStat (RFC 1939 §5 STAT): messages not marked deleted and their size.
func (s *session) cmdStat(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail(errBadArgs)
	}
	s.replyf("+OK %d %d", s.drop.count, s.drop.octets)
	return nil
}

// cmdList (RFC 1939 §5 LIST [msg]).
func (s *session) cmdList(cmd Command) error {
	switch len(cmd.Args) {
	case 0:
		s.replyf("+OK %d messages (%d octets)", s.drop.count, s.drop.octets)
		buf := make([]byte, 0, 32)
		for i := range s.drop.msgs {
			if s.drop.deleted[i] {
				continue
			}
			buf = strconv.AppendInt(buf[:0], int64(i+1), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, s.drop.size[i], 10)
			buf = append(buf, '\r', '\n')
			_, _ = s.c.Write(buf)
		}
		s.reply(".")
	case 1:
		i, ok, err := s.pick(cmd.Args[0])
		if ok {
			s.replyf("+OK %d %d", i+1, s.drop.size[i])
		}
		return err
	default:
		return s.fail(errBadArgs)
	}
	return nil
}

// cmdUIDL (RFC 1939 §7 UIDL [msg]): the unique_id column (spec 2.14).
func (s *session) cmdUIDL(cmd Command) error {
	switch len(cmd.Args) {
	case 0:
		s.reply("+OK Some very unique numbers for you")
		buf := make([]byte, 0, 64)
		for i, m := range s.drop.msgs {
			if s.drop.deleted[i] {
				continue
			}
			buf = strconv.AppendInt(buf[:0], int64(i+1), 10)
			buf = append(buf, ' ')
			buf = append(buf, m.UniqueID...)
			buf = append(buf, '\r', '\n')
			_, _ = s.c.Write(buf)
		}
		s.reply(".")
	case 1:
		i, ok, err := s.pick(cmd.Args[0])
		if ok {
			s.replyf("+OK %d %s", i+1, s.drop.msgs[i].UniqueID)
		}
		return err
	default:
		return s.fail(errBadArgs)
	}
	return nil
}

// cmdDele (RFC 1939 §5 DELE): only marks; QUIT applies it.
func (s *session) cmdDele(cmd Command) error {
	if len(cmd.Args) != 1 {
		return s.fail(errBadArgs)
	}
	i, ok, err := s.pick(cmd.Args[0])
	if !ok {
		return err
	}
	s.drop.deleted[i] = true
	s.drop.count--
	s.drop.octets -= s.drop.size[i]
	s.drop.touch(i)
	s.replyf("+OK message %d deleted", i+1)
	return nil
}

// cmdNoop (RFC 1939 §5 NOOP).
func (s *session) cmdNoop(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail(errBadArgs)
	}
	s.reply("+OK")
	return nil
}

// cmdRset (RFC 1939 §5 RSET): unmark deletions (and, RFC 1725, reset LAST).
func (s *session) cmdRset(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail(errBadArgs)
	}
	for i := range s.drop.deleted {
		if s.drop.deleted[i] {
			s.drop.deleted[i] = false
			s.drop.count++
			s.drop.octets += s.drop.size[i]
		}
	}
	s.drop.last = s.drop.firstLast
	s.replyf("+OK %d messages (%d octets)", s.drop.count, s.drop.octets)
	return nil
}

// cmdLast (RFC 1725 LAST; spec 6.3).
func (s *session) cmdLast(cmd Command) error {
	if len(cmd.Args) != 0 {
		return s.fail(errBadArgs)
	}
	s.replyf("+OK %d", s.drop.last)
	return nil
}

// cmdQuit (RFC 1939 §4, §6): in TRANSACTION, enter UPDATE: retrieved
// messages get status 1, deleted ones status 2, the quota is rebuilt (spec
// 6.3), all in one transaction and only while the maildrop lock is held.
func (s *session) cmdQuit(cmd Command) error {
	s.stopInput = true
	if s.state != stateTransaction {
		s.reply("+OK see ya later")
		return server.CloseWith(server.CloseClientQuit, nil)
	}
	s.setState(stateUpdate)
	retrieved, deleted := s.drop.marks()
	var held bool
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		held, err = d.POP3Update(ctx, s.lock.userID, s.drop.mailboxID, s.lock.token, retrieved, deleted)
		return err
	})
	if err == nil {
		s.lock.held = false // released in the same transaction
	}
	switch {
	case err != nil:
		s.c.Logger().Error("pop3 update failed", "err", err)
		s.reply("-ERR [SYS/TEMP] some deleted messages not removed")
	case !held:
		s.reply("-ERR [IN-USE] maildrop lock lost, no messages removed")
	default:
		s.reply("+OK see ya later")
	}
	return server.CloseWith(server.CloseClientQuit, nil)
}
