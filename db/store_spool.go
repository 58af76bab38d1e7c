package db

import (
	"fmt"

	"github.com/dbmail-go/dbmail/message"
)

// spooledParts reads the rows of a spooled message (message.ParseSpool)
// for storeParts: each row is read from the spool file into one buffer
// just before it is hashed, compared or inserted, so storing a big
// message holds one row (at most message.DefaultMaxRowSize bytes) of it at
// a time, plus what the driver copies of that row.
type spooledParts struct {
	buf []byte
}

// load returns p's bytes: p.Data, or the row read from the spool into the
// shared buffer (valid until the next load).
func (s *spooledParts) load(p *message.Part) ([]byte, error) {
	if !p.Lazy() {
		return p.Data, nil
	}
	data, err := p.Load(s.buf)
	if err != nil {
		return nil, fmt.Errorf("store message: %w", err)
	}
	s.buf = data
	return data, nil
}
