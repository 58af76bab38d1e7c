package db

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// Rehash recomputes dbmail_mimeparts.hash of every part with the
// configured hash_algorithm (`dbmail-util --rehash`, spec 7.2), in batches
// ordered by id so memory stays bounded. It returns how many hashes
// changed.
func (db *DB) Rehash(ctx context.Context) (int64, error) {
	const batch = 200
	var last, changed int64
	for {
		type part struct {
			id   int64
			hash string
		}
		var todo []part
		rows, err := db.Query(ctx, `SELECT id, hash, data FROM {mimeparts} WHERE id > ? ORDER BY id LIMIT `+fmt.Sprint(batch), last)
		if err != nil {
			return changed, fmt.Errorf("rehash: %w", err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var old string
			var data []byte
			if err := rows.Scan(&id, &old, &data); err != nil {
				rows.Close()
				return changed, fmt.Errorf("rehash: %w", err)
			}
			n++
			last = id
			if h := db.partHash(data); h != old {
				todo = append(todo, part{id, h})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return changed, fmt.Errorf("rehash: %w", err)
		}
		for _, p := range todo {
			if _, err := db.Exec(ctx, `UPDATE {mimeparts} SET hash = ? WHERE id = ?`, p.hash, p.id); err != nil {
				return changed, fmt.Errorf("rehash part %d: %w", p.id, err)
			}
			changed++
		}
		if n < batch {
			return changed, nil
		}
	}
}

// tableExists says whether a prefixed table exists (MySQL fresh installs
// have no dbmail_messageblks: spec 2.6).
func (db *DB) tableExists(ctx context.Context, name string) (bool, error) {
	var q string
	switch db.Dialect {
	case Postgres:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	case MySQL:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`
	default:
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	}
	n, err := db.count(ctx, q, db.Table(name))
	return n > 0, err
}

// LegacyCount returns how many dbmail_messageblks rows exist (what
// `dbmail-util -M` reports without -y, spec 7.2).
func (db *DB) LegacyCount(ctx context.Context) (int64, error) {
	ok, err := db.tableExists(ctx, "messageblks")
	if err != nil || !ok {
		return 0, err
	}
	return db.count(ctx, `SELECT COUNT(*) FROM {messageblks}`)
}

// MigrateLegacy converts up to limit physmessages stored in DBMail 2.2's
// dbmail_messageblks into mimeparts and partlists (spec 2.6, `dbmail-util
// -M`), filling a missing envelope and header cache on the way, and deletes
// their blocks; one transaction per message. It returns how many were
// converted.
func (db *DB) MigrateLegacy(ctx context.Context, limit int) (int64, error) {
	ok, err := db.tableExists(ctx, "messageblks")
	if err != nil || !ok {
		return 0, err
	}
	ids, err := db.ids(ctx, `SELECT DISTINCT physmessage_id FROM {messageblks} b WHERE NOT EXISTS
		(SELECT 1 FROM {partlists} l WHERE l.physmessage_id = b.physmessage_id) ORDER BY physmessage_id LIMIT `+fmt.Sprint(limit))
	if err != nil {
		return 0, fmt.Errorf("legacy messages: %w", err)
	}
	var done int64
	for _, id := range ids {
		if err := db.migrateOne(ctx, id); err != nil {
			return done, fmt.Errorf("migrate physmessage %d: %w", id, err)
		}
		done++
	}
	return done, nil
}

func (db *DB) migrateOne(ctx context.Context, physID int64) error {
	var buf bytes.Buffer
	if _, err := db.writeLegacy(ctx, physID, &buf, message.FormStored); err != nil {
		return err
	}
	m, idate, err := db.parseLegacy(ctx, physID, buf.Bytes())
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		partIDs, err := tx.storeParts(ctx, m.Parts)
		if err != nil {
			return err
		}
		rows := make([][]any, len(m.Parts))
		for i, p := range m.Parts {
			rows[i] = []any{physID, boolInt(p.IsHeader), p.Key, p.Depth, p.Order, partIDs[i]}
		}
		if err := tx.insertRows(ctx, `INSERT INTO {partlists} (physmessage_id, is_header, part_key, part_depth, part_order, part_id) VALUES `, rows); err != nil {
			return fmt.Errorf("insert partlists: %w", err)
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {header} WHERE physmessage_id = ?`, physID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if err := tx.storeHeaderCache(ctx, physID, m.HeaderCache(idate)); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {envelope} WHERE physmessage_id = ?`, physID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO {envelope} (physmessage_id, envelope) VALUES (?, ?)`, physID, strings.ToValidUTF8(m.Envelope(), "?")); err != nil {
				return fmt.Errorf("insert envelope: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE {physmessage} SET rfcsize = ? WHERE id = ? AND rfcsize = 0`, m.RFCSize, physID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM {messageblks} WHERE physmessage_id = ?`, physID); err != nil {
			return fmt.Errorf("delete legacy blocks: %w", err)
		}
		return nil
	})
}

// parseLegacy parses a legacy message's text and reads its internal date.
func (db *DB) parseLegacy(ctx context.Context, physID int64, text []byte) (*message.Message, time.Time, error) {
	var date string
	if err := db.QueryRow(ctx, `SELECT `+db.dateText("internal_date")+` FROM {physmessage} WHERE id = ?`, physID).Scan(&date); err != nil {
		return nil, time.Time{}, fmt.Errorf("read physmessage: %w", err)
	}
	m, err := message.Parse(text, message.Options{})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("parse: %w", err)
	}
	return m, ParseSQLTime(date), nil
}

// Vacuum reclaims space and refreshes planner statistics of the DBMail
// tables (`dbmail-util -c`, a no-op in DBMail 3.5: spec 7.2, 9.6 item 28):
// SQLite VACUUM and ANALYZE, PostgreSQL VACUUM ANALYZE per table, MySQL
// OPTIMIZE TABLE per table. It returns the tables processed.
func (db *DB) Vacuum(ctx context.Context) ([]string, error) {
	if db.Dialect == SQLite {
		for _, q := range []string{`VACUUM`, `ANALYZE`} {
			if _, err := db.SQL.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("%s: %w", q, err)
			}
		}
		return []string{"(database)"}, nil
	}
	var q string
	if db.Dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	} else {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if strings.HasPrefix(t, db.Prefix) {
			tables = append(tables, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	for _, t := range tables {
		if db.Dialect == Postgres {
			if _, err := db.SQL.ExecContext(ctx, `VACUUM ANALYZE `+db.QuoteIdent(t)); err != nil {
				return nil, fmt.Errorf("vacuum %s: %w", t, err)
			}
			continue
		}
		// OPTIMIZE TABLE answers with a result set (one status row per
		// table), which must be read.
		r, err := db.SQL.QueryContext(ctx, `OPTIMIZE TABLE `+db.QuoteIdent(t))
		if err != nil {
			return nil, fmt.Errorf("optimize %s: %w", t, err)
		}
		for r.Next() {
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("optimize %s: %w", t, err)
		}
	}
	return tables, nil
}
