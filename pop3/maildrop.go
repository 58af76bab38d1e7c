package pop3

import (
	"io"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
)

// maildrop is the session's snapshot of the user's INBOX (spec 6.3): the
// visible messages in UID order, numbered from 1, with the marks of this
// session (RFC 1939 §5: DELE only marks; UPDATE applies at QUIT).
type maildrop struct {
	mailboxID int64
	msgs      []db.POP3Message
	size      []int64 // octets RETR sends (CRLF wire form, before dot-stuffing)
	deleted   []bool
	retrieved []bool
	count     int   // messages not marked deleted
	octets    int64 // their total size
	last      int   // RFC 1725 LAST: highest message number accessed
	firstLast int   // LAST at login: messages before the first unseen one (spec 2.13)
}

// newMaildrop builds the snapshot. Sizes are the wire form's length, which
// the store records as rfcsize (package message); a row without it (0,
// written by an old DBMail before dbmail-util -b) is measured by streaming
// it once, so LIST always announces what RETR sends.
func (s *session) newMaildrop(mailboxID int64, msgs []db.POP3Message) (*maildrop, error) {
	m := &maildrop{
		mailboxID: mailboxID,
		msgs:      msgs,
		size:      make([]int64, len(msgs)),
		deleted:   make([]bool, len(msgs)),
		retrieved: make([]bool, len(msgs)),
		count:     len(msgs),
	}
	seenRun := true
	for i, msg := range msgs {
		sz := msg.RFCSize
		if sz <= 0 {
			var cw countingWriter
			if err := s.streamMessage(msg.PhysID, &cw); err != nil {
				return nil, err
			}
			sz = cw.n
		}
		m.size[i] = sz
		m.octets += sz
		if seenRun && msg.Status == 0 {
			seenRun = false
		}
		if seenRun {
			m.firstLast = i + 1
		}
	}
	m.last = m.firstLast
	return m, nil
}

// errBadArgs is the answer to malformed arguments; it counts towards
// maxErrors.
const errBadArgs = "-ERR your command does not compute"

// message returns message number n (1-based) if it exists and is not
// marked deleted, else the error response to send.
func (m *maildrop) message(arg string) (int, string) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || arg[0] == '+' {
		return 0, errBadArgs
	}
	if n > len(m.msgs) {
		return 0, "-ERR no such message"
	}
	if m.deleted[n-1] {
		return 0, "-ERR message " + arg + " already deleted"
	}
	return n - 1, ""
}

func (m *maildrop) touch(i int) {
	if i+1 > m.last {
		m.last = i + 1
	}
}

// marks returns the UIDs marked retrieved (not deleted) and deleted.
func (m *maildrop) marks() (retrieved, deleted []int64) {
	for i, msg := range m.msgs {
		switch {
		case m.deleted[i]:
			deleted = append(deleted, msg.UID)
		case m.retrieved[i] && msg.Status == 0:
			retrieved = append(retrieved, msg.UID)
		}
	}
	return retrieved, deleted
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
