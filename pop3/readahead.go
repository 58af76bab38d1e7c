package pop3

import (
	"bytes"
	"context"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// Read-ahead: clients (fetchmail, getmail, mail user agents) retrieve a
// maildrop's messages in order, so RETR of a small message fetches the
// following small messages with it in one query, up to aheadBudget bytes
// of wire form and aheadMax messages. The window is the session's only
// cache: a message leaves it when sent, and the next fetch replaces it.
const (
	aheadSmall  = 64 << 10 // messages at most this big are read ahead
	aheadBudget = 256 << 10
	aheadMax    = 32
)

// cached returns message i's wire form from the read-ahead window, running
// a prefetch first when i is small and not there. ok is false when the
// message must be streamed.
func (s *session) cached(i int) (wire []byte, ok bool, err error) {
	m := s.drop
	if m.size[i] > aheadSmall {
		return nil, false, nil
	}
	phys := m.msgs[i].PhysID
	if w, ok := s.ahead[phys]; ok {
		return w, w != nil, nil // nil: fetched before, has no parts (legacy)
	}
	var ids []int64
	var sum int64
	for j := i; j < len(m.msgs) && len(ids) < aheadMax; j++ {
		if m.deleted[j] || m.size[j] > aheadSmall {
			continue
		}
		if sum+m.size[j] > aheadBudget && len(ids) > 0 {
			break
		}
		ids = append(ids, m.msgs[j].PhysID)
		sum += m.size[j]
	}
	var parts map[int64][]db.POP3Part
	if err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		parts, err = d.POP3PrefetchParts(ctx, ids)
		return err
	}); err != nil {
		return nil, false, err
	}
	s.ahead = make(map[int64][]byte, len(ids))
	for _, id := range ids {
		s.ahead[id] = nil
	}
	for id, rows := range parts {
		var buf bytes.Buffer
		rb := message.NewRebuilder(&buf, message.FormCRLF)
		for _, p := range rows {
			if err := rb.Row(message.Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data}); err != nil {
				return nil, false, err
			}
		}
		if err := rb.Close(); err != nil {
			return nil, false, err
		}
		s.ahead[id] = buf.Bytes()
	}
	w := s.ahead[phys]
	return w, w != nil, nil
}
