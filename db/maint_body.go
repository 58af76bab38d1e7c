package db

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// BodyCheck names one repair of `dbmail-util -b` / `-e` (spec 7.2).
type BodyCheck int

// The body checks, in the order -b runs them; ShortEnvelopes is -e.
const (
	BodyZeroRFCSize     BodyCheck = iota // physmessages with rfcsize = 0
	BodyMissingEnvelope                  // messages whose physmessage has no envelope row
	BodyMissingHeaders                   // physmessages without any header rows
	BodyShortEnvelope                    // envelopes shorter than 100 characters (-e)
)

// String is the noun dbmail-util prints.
func (k BodyCheck) String() string {
	switch k {
	case BodyZeroRFCSize:
		return "messages with rfcsize 0"
	case BodyMissingEnvelope:
		return "messages without envelope"
	case BodyMissingHeaders:
		return "messages without header cache"
	}
	return "messages with an incomplete envelope"
}

// query selects the physmessage ids the check applies to.
func (k BodyCheck) query() string {
	switch k {
	case BodyZeroRFCSize:
		return `SELECT id FROM {physmessage} WHERE rfcsize = 0 ORDER BY id`
	case BodyMissingEnvelope:
		return `SELECT p.id FROM {physmessage} p WHERE EXISTS (SELECT 1 FROM {messages} m WHERE m.physmessage_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM {envelope} e WHERE e.physmessage_id = p.id) ORDER BY p.id`
	case BodyMissingHeaders:
		return `SELECT p.id FROM {physmessage} p WHERE EXISTS (SELECT 1 FROM {messages} m WHERE m.physmessage_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM {header} h WHERE h.physmessage_id = p.id) ORDER BY p.id`
	}
	return `SELECT physmessage_id FROM {envelope} WHERE LENGTH(envelope) < 100 ORDER BY physmessage_id`
}

// CheckBody finds the physmessages one body check applies to and, with
// fix, repairs each from the message rebuilt from its parts (spec 2.5):
// rfcsize is recomputed, the envelope built or rebuilt, the header cache
// written (respecting header_cache_readonly, spec 2.9). It returns how many
// were found; a message that cannot be rebuilt is an error.
func (db *DB) CheckBody(ctx context.Context, k BodyCheck, fix bool) (int64, error) {
	ids, err := db.ids(ctx, k.query())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", k, err)
	}
	if !fix {
		return int64(len(ids)), nil
	}
	for _, id := range ids {
		if err := db.repairBody(ctx, k, id); err != nil {
			return 0, fmt.Errorf("%s: physmessage %d: %w", k, id, err)
		}
	}
	return int64(len(ids)), nil
}

// repairBody rebuilds one physmessage and applies check k.
func (db *DB) repairBody(ctx context.Context, k BodyCheck, physID int64) error {
	m, idate, err := db.parsePhysmessage(ctx, physID)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		switch k {
		case BodyZeroRFCSize:
			_, err := tx.Exec(ctx, `UPDATE {physmessage} SET rfcsize = ? WHERE id = ?`, m.RFCSize, physID)
			return err
		case BodyMissingEnvelope:
			_, err := tx.Exec(ctx, `INSERT INTO {envelope} (physmessage_id, envelope) VALUES (?, ?)`, physID, strings.ToValidUTF8(m.Envelope(), "?"))
			return err
		case BodyMissingHeaders:
			return tx.storeHeaderCache(ctx, physID, m.HeaderCache(idate))
		}
		_, err := tx.Exec(ctx, `UPDATE {envelope} SET envelope = ? WHERE physmessage_id = ?`, strings.ToValidUTF8(m.Envelope(), "?"), physID)
		return err
	})
}

// parsePhysmessage rebuilds a physmessage's text in its stored form and
// parses it; it also returns the internal date.
func (db *DB) parsePhysmessage(ctx context.Context, physID int64) (*message.Message, time.Time, error) {
	var size int64
	var date string
	if err := db.QueryRow(ctx, `SELECT messagesize, `+db.dateText("internal_date")+` FROM {physmessage} WHERE id = ?`, physID).Scan(&size, &date); err != nil {
		return nil, time.Time{}, fmt.Errorf("read physmessage: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<20)))
	if _, err := db.WriteMessage(ctx, physID, &buf, message.FormStored); err != nil {
		return nil, time.Time{}, err
	}
	m, err := message.Parse(buf.Bytes(), message.Options{})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("parse: %w", err)
	}
	return m, ParseSQLTime(date), nil
}

// ids runs a query returning one id column.
func (db *DB) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
