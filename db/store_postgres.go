package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// PostgreSQL writes a whole physmessage — deduplicated mimeparts, header
// values, the physmessage row, partlists, header links, envelope and
// references (spec 2.2 steps 2–5, 2.4, 2.9–2.11) — in ONE statement of
// data-modifying CTEs whose inputs are arrays. Two things make that fast:
//
//   - the SQL text is the same for every message, so each pool connection
//     prepares it once and reuses the plan, whatever the message's shape;
//   - every dedup lookup is a correlated subquery per input row
//     ("the first existing row with this hash and these bytes"), which the
//     planner answers with the hash index even while the tables are young
//     and unanalysed. An "hash IN (…)" list on a fresh database was planned
//     as a sequential scan and stayed one in the cached generic plan: most
//     of PostgreSQL's CPU went into rescanning dbmail_headervalue.
//
// New rows get their ids from the column defaults; RETURNING gives them back
// with the key they were inserted for, and the inputs are distinct on that
// key (parts on hash and size, values on the value), so the match is exact.
// FK checks of the partlists and header rows run at the end of the statement
// and see the rows inserted by the CTEs before them.

// physCTEs are the CTEs that write a physmessage; the statement's
// parameters for them are physArgs. With guard set (single-target delivery,
// storeOnePostgres) nothing is inserted unless CTE s, the target mailbox's
// locked row, produced one.
func (db *DB) physCTEs(guard bool) string {
	size := db.QuoteIdent("size")
	same := ` AND x.data = i.d`
	if db.Store.MessagePartHash == 1 {
		same = ``
	}
	cond, pFrom := ``, ``
	if guard {
		cond, pFrom = ` AND EXISTS (SELECT 1 FROM s)`, ` FROM s`
	}
	return `mp_in AS (SELECT * FROM unnest(?::text[], ?::bytea[], ?::int8[]) WITH ORDINALITY AS t(h, d, s, o)),
mp_f AS (SELECT i.o, i.h, i.d, i.s, (SELECT min(x.id) FROM {mimeparts} x WHERE x.hash = i.h::bpchar AND x.` + size + ` = i.s` + same + `) AS id FROM mp_in i),
mp_new AS (INSERT INTO {mimeparts} (hash, data, ` + size + `) SELECT h, d, s FROM mp_f WHERE id IS NULL` + cond + ` ORDER BY o RETURNING id, hash, ` + size + `),
mp AS (SELECT f.o, COALESCE(f.id, n.id) AS id FROM mp_f f LEFT JOIN mp_new n ON f.id IS NULL AND n.hash = f.h::bpchar AND n.` + size + ` = f.s),
hv_in AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(h, v, sf, df, o)),
hv_f AS (SELECT i.o, i.h, i.v, i.sf, i.df, (SELECT min(x.id) FROM {headervalue} x WHERE x.hash = i.h AND x.headervalue = i.v) AS id FROM hv_in i),
hv_new AS (INSERT INTO {headervalue} (hash, headervalue, sortfield, datefield) SELECT h, v, sf, df::timestamp FROM hv_f WHERE id IS NULL` + cond + ` ORDER BY o RETURNING id, hash, headervalue),
hv AS (SELECT f.o, COALESCE(f.id, n.id) AS id FROM hv_f f LEFT JOIN hv_new n ON f.id IS NULL AND n.hash = f.h AND n.headervalue = f.v),
p AS (INSERT INTO {physmessage} (messagesize, rfcsize, internal_date) SELECT ?::int8, ?::int8, ` + db.timestampLiteral() + pFrom + ` RETURNING id),
e AS (INSERT INTO {envelope} (physmessage_id, envelope) SELECT id, ?::text FROM p),
l AS (INSERT INTO {partlists} (physmessage_id, is_header, part_key, part_depth, part_order, part_id)
	SELECT p.id, t.ih, t.k, t.d, t.ord, mp.id FROM p CROSS JOIN unnest(?::int2[], ?::int4[], ?::int4[], ?::int4[], ?::int8[]) AS t(ih, k, d, ord, mo) JOIN mp ON mp.o = t.mo),
hl AS (INSERT INTO {header} (physmessage_id, headername_id, headervalue_id)
	SELECT p.id, t.n, hv.id FROM p CROSS JOIN unnest(?::int8[], ?::int8[]) AS t(n, vo) JOIN hv ON hv.o = t.vo),
r AS (INSERT INTO {referencesfield} (physmessage_id, referencesfield) SELECT p.id, t.r FROM p CROSS JOIN unnest(?::text[]) AS t(r))`
}

// storePhysPostgres writes m's physmessage in one statement (physCTEs)
// and returns its id. fields are the prepared header cache fields
// (headerFields).
func (tx *Tx) storePhysPostgres(ctx context.Context, m *message.Message, date string, fields []headerField, envelope string, refs []string) (int64, error) {
	db := tx.db
	var id int64
	q := db.Q(`WITH ` + db.physCTEs(false) + ` SELECT id FROM p`)
	if err := tx.tx.QueryRowContext(ctx, q, db.physArgs(m, date, fields, envelope, refs)...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert physmessage: %w", err)
	}
	return id, nil
}

// physArgs are the parameters of physCTEs for m, in order.
func (db *DB) physArgs(m *message.Message, date string, fields []headerField, envelope string, refs []string) []any {
	// Distinct parts, numbered from 1 in order of first appearance.
	type partKey struct {
		hash string
		size int
	}
	partOrd := make(map[partKey]int64, len(m.Parts))
	var mpHash []string
	var mpData [][]byte
	var mpSize []int64
	plHeader := make([]int16, len(m.Parts))
	plKey := make([]int32, len(m.Parts))
	plDepth := make([]int32, len(m.Parts))
	plOrder := make([]int32, len(m.Parts))
	plPart := make([]int64, len(m.Parts))
	for i, p := range m.Parts {
		k := partKey{db.partHash(p.Data), len(p.Data)}
		o, ok := partOrd[k]
		if !ok {
			mpHash = append(mpHash, k.hash)
			mpData = append(mpData, p.Data)
			mpSize = append(mpSize, int64(k.size))
			o = int64(len(mpHash))
			partOrd[k] = o
		}
		plHeader[i] = int16(boolInt(p.IsHeader))
		plKey[i], plDepth[i], plOrder[i], plPart[i] = int32(p.Key), int32(p.Depth), int32(p.Order), o
	}
	// Distinct header values, and the distinct (name, value) links.
	valueOrd := make(map[string]int64, len(fields))
	var hvHash, hvValue []string
	var hvSort, hvDate []*string
	type link struct{ name, value int64 }
	seenLink := make(map[link]bool, len(fields))
	var lnName, lnValue []int64
	for _, f := range fields {
		o, ok := valueOrd[f.f.Value]
		if !ok {
			row := headerValueRow(db, f.hash, f.f)
			hvHash = append(hvHash, f.hash)
			hvValue = append(hvValue, f.f.Value)
			hvSort = append(hvSort, optString(row[2]))
			hvDate = append(hvDate, optString(row[3]))
			o = int64(len(hvHash))
			valueOrd[f.f.Value] = o
		}
		l := link{f.nameID, o}
		if seenLink[l] {
			continue // repeated identical fields are linked once
		}
		seenLink[l] = true
		lnName = append(lnName, f.nameID)
		lnValue = append(lnValue, o)
	}
	return []any{
		mpHash, mpData, mpSize,
		hvHash, hvValue, hvSort, hvDate,
		m.MessageSize, m.RFCSize, date, envelope,
		plHeader, plKey, plDepth, plOrder, plPart,
		lnName, lnValue,
		refs,
	}
}

// optString turns a headerValueRow column (a string or nil) into a nullable
// array element.
func optString(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// storeOnePostgres stores m into one mailbox with ONE autocommit statement:
// the quota charge and the mailbox row lock (CTEs q and s, as in
// insertInstancePostgres) guard every insert, so a refused quota or a
// vanished mailbox leaves no row behind, and the message row draws its UID
// after the lock is held (UID order is commit order). It saves the
// transaction's BEGIN, COMMIT and a round trip per delivery; StoreMessage
// uses it for the common single-target case.
func (db *DB) storeOnePostgres(ctx context.Context, m *message.Message, internalDate time.Time, t Dest) (int64, []Stored, error) {
	date, envelope, refs := physCaches(m, internalDate)
	f := t.Flags
	for attempt := 0; ; attempt++ {
		h := db.h()
		fields, err := db.headerFields(ctx, h, m.HeaderCache(internalDate))
		if err != nil {
			return 0, nil, fmt.Errorf("store message: %w", err)
		}
		var args []any
		q := `WITH `
		guard := ``
		if t.QuotaUser != 0 {
			// The charge is made only if the mailbox exists, and FOR KEY
			// SHARE keeps it from being deleted until the commit: a
			// statement that stores nothing must charge nothing, since
			// there is no transaction to roll back.
			q += `q AS (UPDATE {users} SET curmail_size = curmail_size + ?::int8 WHERE user_idnr = ? AND (maxmail_size = 0 OR curmail_size + ?::int8 <= maxmail_size)
	AND EXISTS (SELECT 1 FROM {mailboxes} WHERE mailbox_idnr = ? FOR KEY SHARE) RETURNING 1),
`
			args = append(args, m.MessageSize, t.QuotaUser, m.MessageSize, t.MailboxID)
			guard = ` AND EXISTS (SELECT 1 FROM q)`
		}
		q += `s AS (UPDATE {mailboxes} SET seq = seq + 1 WHERE mailbox_idnr = ?` + guard + ` RETURNING mailbox_idnr, seq),
` + db.physCTEs(true) + `,
m AS (INSERT INTO {messages} (mailbox_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, unique_id, status, seq)
	SELECT s.mailbox_idnr, p.id, ?::int2, ?::int2, ?::int2, ?::int2, ?::int2, ?::int2, ?::text, ?::int2, s.seq FROM s, p RETURNING message_idnr, seq),
k AS (INSERT INTO {keywords} (message_idnr, keyword) SELECT m.message_idnr, t.k FROM m CROSS JOIN unnest(?::text[]) AS t(k))
SELECT p.id, m.message_idnr, m.seq FROM p, m`
		args = append(args, t.MailboxID)
		args = append(args, db.physArgs(m, date, fields, envelope, refs)...)
		args = append(args, boolInt(f.Seen), boolInt(f.Answered), boolInt(f.Deleted), boolInt(f.Flagged), boolInt(f.Recent), boolInt(f.Draft),
			NewUniqueID(t.MailboxID), t.Status, dedupKeywords(t.Keywords))
		d := &pgDelivery{quotaUser: t.QuotaUser, mailbox: t.MailboxID, sql: db.Q(q), args: args}
		err = db.storeGrouped(ctx, d)
		if errors.Is(err, errAlone) {
			err = h.QueryRowContext(ctx, d.sql, args...).Scan(&d.physID, &d.st.UID, &d.st.ModSeq)
		}
		physID, st := d.physID, d.st
		if errors.Is(err, sql.ErrNoRows) {
			// Either the quota refused it or the mailbox is gone; nothing
			// was written.
			var n int
			if cerr := h.QueryRowContext(ctx, db.Q(`SELECT COUNT(*) FROM {mailboxes} WHERE mailbox_idnr = ?`), t.MailboxID).Scan(&n); cerr != nil {
				return 0, nil, fmt.Errorf("store message: mailbox %d: %w", t.MailboxID, cerr)
			}
			if n == 0 {
				return 0, nil, fmt.Errorf("store message: mailbox id %d: %w", t.MailboxID, ErrNotFound)
			}
			return 0, []Stored{{Err: fmt.Errorf("user %d: %w", t.QuotaUser, ErrQuota)}}, ErrNothingStored
		}
		if err != nil && IsRetryable(err) && attempt+1 < maxTxAttempts {
			if err := retryPause(ctx, attempt+1); err != nil {
				return 0, nil, err
			}
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("store message: %w", err)
		}
		return physID, []Stored{st}, nil
	}
}
