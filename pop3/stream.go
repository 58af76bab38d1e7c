package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// Streaming bounds (architecture: bodies streamed in bounded chunks). One
// worker job fetches the part layout with the data of parts up to
// inlineMax, keeping at most inlineBudget bytes; the rest is fetched in
// further jobs, big parts in slices of the backend's chunk size
// (db.POP3ChunkSize), so the session never holds more than about
// inlineBudget plus one chunk of a message, whatever its size, and the
// worker's connection is never held while the client reads.
const (
	inlineMax    = 256 << 10
	inlineBudget = 1 << 20
)

// streamMessage writes the CRLF wire form of physID to w (spec 2.5,
// package message), fetching it from SQL part by part. A write error from
// w ends the stream and is returned (errTopDone ends it without error).
func (s *session) streamMessage(physID int64, w io.Writer) error {
	err := s.stream(physID, w)
	if errors.Is(err, errTopDone) {
		return nil
	}
	return err
}

func (s *session) stream(physID int64, w io.Writer) error {
	var parts []db.POP3Part
	if err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		parts, err = d.POP3Parts(ctx, physID, inlineMax, inlineBudget)
		return err
	}); err != nil {
		return fmt.Errorf("message %d: %w", physID, err)
	}
	crlf := message.NewCRLFWriter(w)
	rb := message.NewRebuilder(crlf, message.FormStored)
	for i := 0; i < len(parts); i++ {
		p := &parts[i]
		if p.Data == nil && !p.Legacy && (p.Size <= inlineMax || p.IsHeader) {
			if err := s.fetchBatch(parts[i:]); err != nil {
				return fmt.Errorf("message %d: %w", physID, err)
			}
		}
		if p.Data != nil {
			var err error
			if p.Legacy {
				_, err = crlf.Write(p.Data)
			} else {
				err = rb.Row(message.Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data})
			}
			p.Data = nil
			if err != nil {
				return err
			}
			continue
		}
		if err := s.streamBig(*p, rb, crlf); err != nil {
			return fmt.Errorf("message %d: %w", physID, err)
		}
	}
	if len(parts) > 0 && !parts[0].Legacy {
		if err := rb.Close(); err != nil {
			return err
		}
	}
	return crlf.Close()
}

// fetchBatch fetches the data of the leading run of small parts without
// data, up to inlineBudget bytes (at least one part).
func (s *session) fetchBatch(parts []db.POP3Part) error {
	var ids []int64
	var sum int64
	for _, p := range parts {
		if p.Data != nil || p.Legacy || (p.Size > inlineMax && !p.IsHeader) {
			break
		}
		if len(ids) > 0 && sum+p.Size > inlineBudget {
			break
		}
		ids = append(ids, p.ID)
		sum += p.Size
	}
	var data map[int64][]byte
	if err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		data, err = d.POP3PartData(ctx, ids)
		return err
	}); err != nil {
		return err
	}
	for i := range ids {
		b, ok := data[parts[i].ID]
		if !ok {
			return fmt.Errorf("mimepart %d: %w", parts[i].ID, db.ErrNotFound)
		}
		parts[i].Data = b
	}
	return nil
}

// streamBig streams one big body part (or legacy block) in chunks: the
// first chunk goes through the Rebuilder as the row (it only writes body
// rows through), the rest straight to the CRLF writer the Rebuilder
// writes to. Between chunks the maildrop lock lease is renewed when due.
func (s *session) streamBig(p db.POP3Part, rb *message.Rebuilder, crlf io.Writer) error {
	chunkSize := s.p.DB.POP3ChunkSize()
	if s.chunk == nil {
		s.chunk = make([]byte, 0, chunkSize)
	}
	for off, first := int64(0), true; ; first = false {
		chunk := s.chunk
		if err := s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			chunk, err = d.POP3PartChunk(ctx, p, off, chunkSize, chunk)
			return err
		}); err != nil {
			return err
		}
		var err error
		if first && !p.Legacy {
			err = rb.Row(message.Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: chunk})
		} else {
			_, err = crlf.Write(chunk)
		}
		if err != nil {
			return err
		}
		off += int64(len(chunk))
		if int64(len(chunk)) < chunkSize {
			return nil
		}
		if err := s.refreshLock(false); err != nil {
			return err
		}
	}
}
