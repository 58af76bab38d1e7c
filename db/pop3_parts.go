package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// POP3Part is one row of a physmessage's text as the POP3 streamer reads it
// (spec 2.5): a dbmail_partlists row with its dbmail_mimeparts data, or, for
// a message stored before 2.3 (spec 2.6), one dbmail_messageblks block.
// Data is nil when it was not fetched with the layout: the streamer fetches
// it later with POP3PartData or, in chunks, with POP3PartChunk.
type POP3Part struct {
	IsHeader bool
	Depth    int
	ID       int64 // mimeparts.id, or messageblks.messageblk_idnr when Legacy
	Size     int64 // stored size (mimeparts.size, messageblks.blocksize); a hint only
	Legacy   bool
	Data     []byte
}

// POP3Parts returns the rows of physID in rebuild order (part_key,
// part_order, part_depth DESC). Data comes along for parts of at most
// inlineMax bytes until budget bytes of data are held; larger parts and
// those past the budget have nil Data. A message without partlists rows
// returns its legacy blocks (data not fetched).
func (db *DB) POP3Parts(ctx context.Context, physID, inlineMax, budget int64) ([]POP3Part, error) {
	size := db.QuoteIdent("size")
	rows, err := db.Query(ctx, `SELECT l.is_header, l.part_depth, p.id, p.`+size+`, CASE WHEN p.`+size+` <= ? THEN p.data ELSE NULL END
		FROM {partlists} l JOIN {mimeparts} p ON p.id = l.part_id
		WHERE l.physmessage_id = ? ORDER BY l.part_key, l.part_order, l.part_depth DESC`, inlineMax, physID)
	if err != nil {
		return nil, fmt.Errorf("parts of message %d: %w", physID, err)
	}
	defer rows.Close()
	var out []POP3Part
	var held int64
	for rows.Next() {
		var p POP3Part
		var isHeader int64
		var data []byte
		if err := rows.Scan(&isHeader, &p.Depth, &p.ID, &p.Size, &data); err != nil {
			return nil, fmt.Errorf("parts of message %d: %w", physID, err)
		}
		p.IsHeader = isHeader != 0
		if data != nil && held+int64(len(data)) <= budget {
			p.Data = data
			held += int64(len(data))
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("parts of message %d: %w", physID, err)
	}
	rows.Close()
	if len(out) > 0 {
		return out, nil
	}
	return db.pop3LegacyBlocks(ctx, physID)
}

func (db *DB) pop3LegacyBlocks(ctx context.Context, physID int64) ([]POP3Part, error) {
	rows, err := db.Query(ctx, `SELECT messageblk_idnr, blocksize FROM {messageblks} WHERE physmessage_id = ? ORDER BY messageblk_idnr`, physID)
	if err != nil {
		return nil, fmt.Errorf("legacy blocks of message %d: %w", physID, err)
	}
	defer rows.Close()
	var out []POP3Part
	for rows.Next() {
		p := POP3Part{Legacy: true}
		if err := rows.Scan(&p.ID, &p.Size); err != nil {
			return nil, fmt.Errorf("legacy blocks of message %d: %w", physID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("legacy blocks of message %d: %w", physID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("message %d has no parts and no legacy blocks: %w", physID, ErrNotFound)
	}
	return out, nil
}

// POP3PartData fetches the data of the given mimeparts ids.
func (db *DB) POP3PartData(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(ids))
	for len(ids) > 0 {
		k := min(len(ids), chunk)
		rows, err := db.Query(ctx, `SELECT id, data FROM {mimeparts} WHERE id IN `+inList(k), int64Args(ids[:k])...)
		if err != nil {
			return nil, fmt.Errorf("part data: %w", err)
		}
		for rows.Next() {
			var id int64
			var data []byte
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("part data: %w", err)
			}
			if data == nil {
				data = []byte{}
			}
			out[id] = data
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("part data: %w", err)
		}
		ids = ids[k:]
	}
	return out, nil
}

// POP3ChunkSize is the chunk length for POP3PartChunk on this backend:
// about 256 KiB (each chunk lives in the driver's buffer, our copy and
// garbage until the next GC, so half a MiB left a 25 MB RETR only just
// under its 4 MiB budget). On PostgreSQL 16 bytes less: pgx reads a
// DataRow (6 bytes plus the value) into a pooled buffer of the next power
// of two, so a chunk of exactly 256 KiB took a 512 KiB buffer. On MySQL
// 192 KiB, whose driver keeps its read buffer only up to 256 KiB and
// allocates a fresh one for every bigger row. Body rows written by
// package message (at most message.DefaultMaxRowSize) are two or three
// chunks.
func (db *DB) POP3ChunkSize() int64 {
	switch db.Dialect {
	case MySQL:
		return 192 << 10
	case Postgres:
		return 256<<10 - 16
	}
	return 256 << 10
}

// POP3PartChunk reads length bytes of a part's (or legacy block's) data
// from offset (0-based) into dst (reused: its contents are replaced) and
// returns it. A result shorter than length means the data ends. Big parts
// are read this way, scanned without the driver-side copy, so that a
// message of any size costs one chunk buffer, not its size.
func (db *DB) POP3PartChunk(ctx context.Context, p POP3Part, offset, length int64, dst []byte) ([]byte, error) {
	if db.Dialect == SQLite && !p.Legacy {
		out, err := db.sqliteBlobChunk(ctx, "mimeparts", "data", p.ID, offset, length, dst)
		switch {
		case err == nil:
			return out, nil
		case errors.Is(err, sql.ErrNoRows):
			return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, ErrNotFound)
		case !errors.Is(err, errBlobFallback):
			return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, err)
		}
	}
	q := `SELECT SUBSTR(data, ?, ?) FROM {mimeparts} WHERE id = ?`
	if p.Legacy {
		col := `messageblk`
		if db.Dialect == SQLite {
			col = `CAST(messageblk AS BLOB)` // substr counts characters in TEXT
		}
		q = `SELECT SUBSTR(` + col + `, ?, ?) FROM {messageblks} WHERE messageblk_idnr = ?`
	}
	if db.Dialect == Postgres {
		return db.pgChunk(ctx, q, offset, length, p.ID, dst)
	}
	rows, err := db.Query(ctx, q, offset+1, length, p.ID)
	if err != nil {
		return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, err)
		}
		return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, ErrNotFound)
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return dst[:0], fmt.Errorf("read part %d at %d: %w", p.ID, offset, err)
	}
	dst = append(dst[:0], raw...)
	if err := rows.Close(); err != nil {
		return dst, fmt.Errorf("read part %d at %d: %w", p.ID, offset, err)
	}
	return dst, nil
}

// pgChunk runs a chunk query on pgx directly: database/sql's pgx driver
// copies every bytea value into a new slice, which for a 25 MB message
// read in chunks is 25 MB of garbage; RawValues copies straight from pgx's
// pooled read buffer into dst.
func (db *DB) pgChunk(ctx context.Context, q string, offset, length, id int64, dst []byte) ([]byte, error) {
	found := false
	err := db.withPgx(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, db.Q(q), offset+1, length, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			found = true
			if rows.FieldDescriptions()[0].Format == pgx.BinaryFormatCode {
				dst = append(dst[:0], rows.RawValues()[0]...)
				continue
			}
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			dst = append(dst[:0], b...)
		}
		return rows.Err()
	})
	if err != nil {
		return dst[:0], fmt.Errorf("read part %d at %d: %w", id, offset, err)
	}
	if !found {
		return dst[:0], fmt.Errorf("read part %d at %d: %w", id, offset, ErrNotFound)
	}
	return dst, nil
}

// POP3PrefetchParts returns the rows of several physmessages at once, in
// rebuild order per message, with their data: the read-ahead of a POP3
// session retrieving small messages one after the other (two queries for
// many RETRs). The layout and the data are read separately so that both
// are index lookups whatever the planner thinks of a join with an IN
// list. Callers bound the total size; messages without partlists rows
// (legacy) are absent from the result.
func (db *DB) POP3PrefetchParts(ctx context.Context, physIDs []int64) (map[int64][]POP3Part, error) {
	out := make(map[int64][]POP3Part, len(physIDs))
	if len(physIDs) == 0 {
		return out, nil
	}
	if len(physIDs) > chunk {
		return nil, fmt.Errorf("prefetch %d messages: %w", len(physIDs), ErrInvalid)
	}
	rows, err := db.Query(ctx, `SELECT physmessage_id, is_header, part_depth, part_id FROM {partlists}
		WHERE physmessage_id IN `+inList(len(physIDs))+`
		ORDER BY physmessage_id, part_key, part_order, part_depth DESC`, int64Args(physIDs)...)
	if err != nil {
		return nil, fmt.Errorf("prefetch messages: %w", err)
	}
	defer rows.Close()
	var ids []int64
	seen := make(map[int64]bool)
	for rows.Next() {
		var phys, isHeader int64
		var p POP3Part
		if err := rows.Scan(&phys, &isHeader, &p.Depth, &p.ID); err != nil {
			return nil, fmt.Errorf("prefetch messages: %w", err)
		}
		p.IsHeader = isHeader != 0
		out[phys] = append(out[phys], p)
		if !seen[p.ID] {
			seen[p.ID] = true
			ids = append(ids, p.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("prefetch messages: %w", err)
	}
	rows.Close()
	data, err := db.POP3PartData(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("prefetch messages: %w", err)
	}
	for phys, parts := range out {
		for i := range parts {
			d, ok := data[parts[i].ID]
			if !ok {
				return nil, fmt.Errorf("prefetch message %d: mimepart %d: %w", phys, parts[i].ID, ErrNotFound)
			}
			parts[i].Data = d
			parts[i].Size = int64(len(d))
		}
	}
	return out, nil
}
