package pop3

import (
	"errors"
	"io"
	"strconv"

	"github.com/dbmail-go/dbmail/server"
)

// cmdRetr (RFC 1939 §5 RETR): "+OK <size> octets", the dot-stuffed CRLF
// message, "." (spec 6.3, without DBMail's extra empty line). The size is
// the wire form's length, equal to the LIST size.
func (s *session) cmdRetr(cmd Command) error {
	if len(cmd.Args) != 1 {
		return s.fail(errBadArgs)
	}
	i, ok, err := s.pick(cmd.Args[0])
	if !ok {
		return err
	}
	s.replyf("+OK %d octets", s.drop.size[i])
	if err := s.sendMessage(i, -1); err != nil {
		return err
	}
	s.drop.retrieved[i] = true
	s.drop.touch(i)
	return nil
}

// cmdTop (RFC 1939 §7 TOP msg n): the header, the blank line and n body
// lines, streamed; the rest of the message is not even read.
func (s *session) cmdTop(cmd Command) error {
	if len(cmd.Args) != 2 {
		return s.fail(errBadArgs)
	}
	n, err := strconv.Atoi(cmd.Args[1])
	if err != nil || n < 0 || cmd.Args[1][0] == '+' {
		return s.fail(errBadArgs)
	}
	i, ok, err := s.pick(cmd.Args[0])
	if !ok {
		return err
	}
	s.reply("+OK top of message follows")
	if err := s.sendMessage(i, n); err != nil {
		return err
	}
	s.drop.touch(i)
	return nil
}

// sendMessage streams message i, dot-stuffed, and the terminating line;
// lines >= 0 limits it as TOP does. Once "+OK" is out, a failure can only
// end the connection: the client cannot tell a short message from a broken
// one otherwise.
func (s *session) sendMessage(i, lines int) error {
	dw := newDotWriter(s.c)
	var out io.Writer = dw
	if lines >= 0 {
		out = newTopWriter(dw, lines)
	}
	wire, cached, err := s.cached(i)
	switch {
	case err != nil:
	case cached:
		if _, err = out.Write(wire); errors.Is(err, errTopDone) {
			err = nil
		}
		if lines < 0 {
			delete(s.ahead, s.drop.msgs[i].PhysID)
		}
	default:
		err = s.streamMessage(s.drop.msgs[i].PhysID, out)
	}
	if err == nil {
		err = dw.Close()
	}
	if err != nil {
		var ce *server.CloseError
		if errors.As(err, &ce) {
			return err
		}
		if errors.Is(err, server.ErrDisconnected) {
			return server.CloseWith(server.CloseEOF, err)
		}
		s.c.Logger().Error("pop3 message stream failed", "uid", s.drop.msgs[i].UID, "err", err)
		return server.CloseWith(server.CloseWriteError, err)
	}
	if lines < 0 && dw.n != s.drop.size[i] {
		s.c.Logger().Warn("pop3 message size differs from rfcsize", "uid", s.drop.msgs[i].UID,
			"announced", s.drop.size[i], "sent", dw.n)
	}
	return nil
}
