package imaptest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// MboxMessage is one message of an mbox file: CRLF text and the time of
// its "From " line (used as the APPEND internal date).
type MboxMessage struct {
	Data []byte
	Time time.Time
}

// ReadMbox reads an mbox file. A message starts at a "From " line whose
// date parses; every line of it (up to the next such line, including the
// blank separator line) is kept with CRLF line ends.
func ReadMbox(path string) ([]MboxMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mbox: %w", err)
	}
	msgs, err := ParseMbox(data)
	if err != nil {
		return nil, fmt.Errorf("mbox %s: %w", path, err)
	}
	return msgs, nil
}

// ParseMbox splits mbox data into messages.
func ParseMbox(data []byte) ([]MboxMessage, error) {
	var msgs []MboxMessage
	var cur *MboxMessage
	var body bytes.Buffer
	flush := func() {
		if cur != nil {
			cur.Data = bytes.Clone(body.Bytes())
			msgs = append(msgs, *cur)
		}
		body.Reset()
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if t, ok := parseFromLine(line); ok {
			if cur != nil && body.Len() == 0 {
				cur.Time = t // empty body: the later From line wins
				continue
			}
			flush()
			cur = &MboxMessage{Time: t}
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("not an mbox file: first line is not a From line")
		}
		body.Write(line)
		body.WriteString("\r\n")
	}
	flush()
	if len(msgs) == 0 {
		return nil, fmt.Errorf("no messages")
	}
	return msgs, nil
}

// parseFromLine parses "From sender Www Mmm dd hh:mm:ss yyyy [+zzzz]"
// (ctime format; without a zone the time is taken as UTC).
func parseFromLine(line []byte) (time.Time, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("From "))
	if !ok {
		return time.Time{}, false
	}
	f := strings.Fields(string(rest))
	if len(f) < 6 {
		return time.Time{}, false
	}
	// With a numeric zone after the year (as Dovecot writes it) or without.
	if len(f) >= 7 {
		date := strings.Join(f[len(f)-6:], " ")
		if t, err := time.Parse("Mon Jan 2 15:04:05 2006 -0700", date); err == nil {
			return t, true
		}
	}
	date := strings.Join(f[len(f)-5:], " ")
	if t, err := time.Parse("Mon Jan 2 15:04:05 2006", date); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// MessageSource hands out a test's messages in order, wrapping around.
type MessageSource struct {
	msgs []MboxMessage
	next int
	eof  bool
}

// NewMessageSource returns a source over msgs.
func NewMessageSource(msgs []MboxMessage) *MessageSource {
	return &MessageSource{msgs: msgs}
}

// Next returns the next message; after the last it starts again.
func (s *MessageSource) Next() MboxMessage {
	m := s.msgs[s.next]
	s.next++
	if s.next == len(s.msgs) {
		s.next = 0
		s.eof = true
	}
	return m
}

// EOF reports whether every message has been handed out once.
func (s *MessageSource) EOF() bool { return s.eof }

// imapDate formats an APPEND date-time (RFC 3501 §9 date-time).
func imapDate(t time.Time) string {
	return t.Format("02-Jan-2006 15:04:05 -0700")
}
