package db

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/dbmail-go/dbmail/message"
)

// Bounds of WriteMessage: the layout query brings the data of parts up to
// writeInlineMax bytes, at most writeBudget bytes in all; the rest is
// fetched in batches of at most writeBudget bytes, and body rows bigger
// than writeInlineMax (old rows, or rows DBMail wrote, hold a whole
// attachment) in slices of POP3ChunkSize.
const (
	writeInlineMax = 256 << 10
	writeBudget    = 1 << 20
)

// WriteMessage streams the text of a physmessage to w in the given form,
// rebuilding it part by part from dbmail_partlists/dbmail_mimeparts (spec
// 2.5) with bounded memory: a small message costs one query, a big one
// never more than about writeBudget bytes at a time, whatever its size
// (and on SQLite no read of a blob bigger than a slice: see
// POP3PartChunk). A physmessage without parts is read from the legacy
// dbmail_messageblks (spec 2.6).
func (db *DB) WriteMessage(ctx context.Context, physID int64, w io.Writer, form message.Form) (int64, error) {
	parts, err := db.POP3Parts(ctx, physID, writeInlineMax, writeBudget)
	if err != nil {
		return 0, fmt.Errorf("read message %d: %w", physID, err)
	}
	if parts[0].Legacy {
		return db.writeLegacy(ctx, physID, w, form)
	}
	rb := message.NewRebuilder(w, form)
	var chunk []byte
	for i := range parts {
		p := &parts[i]
		if p.Data == nil && (p.Size <= writeInlineMax || p.IsHeader) {
			if err := db.fetchRun(ctx, parts[i:]); err != nil {
				return rb.Written(), fmt.Errorf("read message %d: %w", physID, err)
			}
		}
		if p.Data != nil {
			err := rb.Row(message.Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data})
			p.Data = nil
			if err != nil {
				return rb.Written(), fmt.Errorf("write message %d: %w", physID, err)
			}
			continue
		}
		// A big body row, in slices: the first as the row, the rest
		// appended to it.
		size := db.POP3ChunkSize()
		if chunk == nil {
			chunk = make([]byte, 0, size)
		}
		for off := int64(0); ; {
			chunk, err = db.POP3PartChunk(ctx, *p, off, size, chunk)
			if err != nil {
				return rb.Written(), fmt.Errorf("read message %d: %w", physID, err)
			}
			if off == 0 {
				err = rb.Row(message.Row{Depth: p.Depth, Data: chunk})
			} else {
				err = rb.Append(chunk)
			}
			if err != nil {
				return rb.Written(), fmt.Errorf("write message %d: %w", physID, err)
			}
			off += int64(len(chunk))
			if int64(len(chunk)) < size {
				break
			}
		}
	}
	if err := rb.Close(); err != nil {
		return rb.Written(), fmt.Errorf("write message %d: %w", physID, err)
	}
	if n := rb.Skipped(); n > 0 {
		slog.WarnContext(ctx, "message rows deeper than 64 levels skipped (spec 2.3)", "physmessage", physID, "rows", n)
	}
	return rb.Written(), nil
}

// fetchRun fetches the data of the leading run of parts that have none
// and are small (or headers), up to writeBudget bytes (at least one part).
func (db *DB) fetchRun(ctx context.Context, parts []POP3Part) error {
	var ids []int64
	var sum int64
	for _, p := range parts {
		if p.Data != nil || p.Legacy || (p.Size > writeInlineMax && !p.IsHeader) {
			break
		}
		if len(ids) > 0 && sum+p.Size > writeBudget {
			break
		}
		ids = append(ids, p.ID)
		sum += p.Size
	}
	data, err := db.POP3PartData(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ids {
		b, ok := data[parts[i].ID]
		if !ok {
			return fmt.Errorf("mimepart %d: %w", parts[i].ID, ErrNotFound)
		}
		parts[i].Data = b
	}
	return nil
}
