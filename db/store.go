package db

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/password/tiger"
	"github.com/dbmail-go/dbmail/password/whirlpool"
)

// StoreOptions are the [DBMAIL] settings that shape how messages are stored
// (spec 2.4, 2.9).
type StoreOptions struct {
	HashAlgorithm       string // md5, sha1 (default), sha256, sha512, whirlpool, tiger
	MessagePartHash     int    // 0 reuse on hash+size+bytes, 1 on hash+size, 2 never
	HeaderCacheReadonly bool   // only cache header names already in headername
}

// NewPartHash returns the digest DBMail uses for mimeparts.hash and
// headervalue.hash (spec 2.4); unknown names mean sha1.
func NewPartHash(algorithm string) hash.Hash {
	switch strings.ToLower(algorithm) {
	case "md5":
		return md5.New()
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	case "whirlpool":
		return whirlpool.New()
	case "tiger":
		return tiger.New()
	}
	return sha1.New()
}

func (db *DB) partHash(data []byte) string {
	h := NewPartHash(db.Store.HashAlgorithm)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// headerNames caches headername ids: rows are never changed once written.
type headerNames struct {
	mu     sync.RWMutex
	ids    map[string]int64
	loaded time.Time
}

// Flags are the system flags of a message instance (spec 2.12).
type Flags struct {
	Seen, Answered, Deleted, Flagged, Draft, Recent bool
}

// Dest is one mailbox a stored message goes into.
type Dest struct {
	MailboxID int64
	// QuotaUser is charged the message size and checked against its
	// maxmail_size (spec 2.16); 0 charges nobody.
	QuotaUser int64
	Flags     Flags
	Keywords  []string
	Status    int // 0 NEW for deliveries, 1 SEEN for APPEND (spec 2.13)
}

// Stored reports the outcome for one Dest.
type Stored struct {
	UID    int64 // message_idnr; 0 when Err is set
	ModSeq int64
	Err    error // ErrQuota, or nil
}

// ErrNothingStored is returned by StoreMessage when every target failed; the
// transaction was rolled back and no row is left behind.
var ErrNothingStored = errors.New("message not stored in any mailbox")

// StoreMessage stores m once (physmessage, deduplicated mimeparts,
// partlists, header/envelope/references caches: spec 2.2 steps 2–5) and
// gives every target its own dbmail_messages row pointing at it, all in ONE
// transaction, so a crash leaves the whole message or nothing. Each target
// mailbox's row is locked before its UID is allocated, so UID order equals
// commit order within a mailbox and MODSEQ comes from the same lock. A
// target over quota is skipped (its Stored.Err is ErrQuota); if all targets
// fail nothing is written and ErrNothingStored is returned alongside the
// per-target results.
func (db *DB) StoreMessage(ctx context.Context, m *message.Message, internalDate time.Time, targets []Dest) (physID int64, results []Stored, err error) {
	if len(targets) == 0 {
		return 0, nil, fmt.Errorf("store message: no target mailbox: %w", ErrInvalid)
	}
	if db.Dialect == Postgres && len(targets) == 1 && db.Store.MessagePartHash != 2 && !m.Spooled() {
		return db.storeOnePostgres(ctx, m, internalDate, targets[0])
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		results = make([]Stored, len(targets))
		var err error
		physID, err = tx.storePhysmessage(ctx, m, internalDate)
		if err != nil {
			return err
		}
		okCount, err := tx.insertInstances(ctx, physID, m.MessageSize, targets, results)
		if err != nil {
			return err
		}
		if okCount == 0 {
			return ErrNothingStored
		}
		return nil
	})
	if errors.Is(err, ErrNothingStored) {
		return 0, results, err
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store message: %w", err)
	}
	return physID, results, nil
}

// insertInstances charges quotas, locks the target mailboxes and inserts
// the message rows, target by target in (quota user, mailbox id) order —
// the lock order — so concurrent deliveries to several users never
// deadlock.
func (tx *Tx) insertInstances(ctx context.Context, physID, size int64, targets []Dest, results []Stored) (int, error) {
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	sortIdx(order, func(a, b int) bool {
		ta, tb := targets[a], targets[b]
		if ta.QuotaUser != tb.QuotaUser {
			return ta.QuotaUser < tb.QuotaUser
		}
		return ta.MailboxID < tb.MailboxID
	})
	okCount := 0
	for _, i := range order {
		t := targets[i]
		if tx.db.Dialect == Postgres {
			uid, modseq, err := tx.insertInstancePostgres(ctx, physID, size, t)
			if errors.Is(err, ErrQuota) {
				results[i].Err = err
				continue
			}
			if err != nil {
				return 0, err
			}
			results[i] = Stored{UID: uid, ModSeq: modseq}
			okCount++
			continue
		}
		if t.QuotaUser != 0 {
			if err := tx.chargeQuota(ctx, t.QuotaUser, size); err != nil {
				if errors.Is(err, ErrQuota) {
					results[i].Err = err
					continue
				}
				return 0, err
			}
		}
		modseq, err := tx.bumpMailboxSeq(ctx, t.MailboxID)
		if err != nil {
			return 0, err
		}
		uid, err := tx.insertMessageRow(ctx, physID, t, modseq)
		if err != nil {
			return 0, err
		}
		results[i] = Stored{UID: uid, ModSeq: modseq}
		okCount++
	}
	return okCount, nil
}

// insertInstancePostgres charges the quota, takes the mailbox lock with the
// MODSEQ bump and inserts the message row in ONE statement: the INSERT
// reads its row from the UPDATE of the mailbox, so the message_idnr is
// drawn only after the lock is held (UID order is commit order), and
// nothing happens when the quota UPDATE matched no row.
func (tx *Tx) insertInstancePostgres(ctx context.Context, physID, size int64, t Dest) (uid, modseq int64, err error) {
	f := t.Flags
	args := []any{}
	q := `WITH `
	guard := ``
	if t.QuotaUser != 0 {
		q += `q AS (UPDATE {users} SET curmail_size = curmail_size + ?::int8 WHERE user_idnr = ? AND (maxmail_size = 0 OR curmail_size + ?::int8 <= maxmail_size) RETURNING 1), `
		args = append(args, size, t.QuotaUser, size)
		guard = ` AND EXISTS (SELECT 1 FROM q)`
	}
	q += `s AS (UPDATE {mailboxes} SET seq = seq + 1 WHERE mailbox_idnr = ?` + guard + ` RETURNING mailbox_idnr, seq)
		INSERT INTO {messages} (mailbox_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, unique_id, status, seq)
		SELECT s.mailbox_idnr, ?::int8, ?::int2, ?::int2, ?::int2, ?::int2, ?::int2, ?::int2, ?::text, ?::int2, s.seq FROM s RETURNING message_idnr, seq`
	args = append(args, t.MailboxID, physID, boolInt(f.Seen), boolInt(f.Answered), boolInt(f.Deleted), boolInt(f.Flagged), boolInt(f.Recent), boolInt(f.Draft), NewUniqueID(physID), t.Status)
	err = tx.QueryRow(ctx, q, args...).Scan(&uid, &modseq)
	if errors.Is(err, sql.ErrNoRows) {
		// Either the quota refused it or the mailbox is gone.
		var n int
		if cerr := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {mailboxes} WHERE mailbox_idnr = ?`, t.MailboxID).Scan(&n); cerr != nil {
			return 0, 0, fmt.Errorf("insert message into mailbox %d: %w", t.MailboxID, cerr)
		}
		if n == 0 {
			return 0, 0, fmt.Errorf("mailbox id %d: %w", t.MailboxID, ErrNotFound)
		}
		return 0, 0, fmt.Errorf("user %d: %w", t.QuotaUser, ErrQuota)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("insert message into mailbox %d: %w", t.MailboxID, err)
	}
	for _, k := range dedupKeywords(t.Keywords) {
		if _, err := tx.Exec(ctx, `INSERT INTO {keywords} (message_idnr, keyword) VALUES (?, ?)`, uid, k); err != nil {
			return 0, 0, fmt.Errorf("insert keyword %q: %w", k, err)
		}
	}
	return uid, modseq, nil
}

// bumpMailboxSeq increments the mailbox's HIGHESTMODSEQ and returns it; the
// UPDATE takes the mailbox row lock, held to commit, which serialises UID
// allocation per mailbox (spec 2.14, 2.15).
func (tx *Tx) bumpMailboxSeq(ctx context.Context, mailboxID int64) (int64, error) {
	var seq int64
	if tx.db.Dialect == Postgres {
		err := tx.QueryRow(ctx, `UPDATE {mailboxes} SET seq = seq + 1 WHERE mailbox_idnr = ? RETURNING seq`, mailboxID).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("mailbox id %d: %w", mailboxID, ErrNotFound)
		}
		if err != nil {
			return 0, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
		}
		return seq, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE {mailboxes} SET seq = seq + 1 WHERE mailbox_idnr = ?`, mailboxID); err != nil {
		return 0, fmt.Errorf("lock mailbox %d: %w", mailboxID, err)
	}
	err := tx.QueryRow(ctx, `SELECT seq FROM {mailboxes} WHERE mailbox_idnr = ?`, mailboxID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("mailbox id %d: %w", mailboxID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("read mailbox %d seq: %w", mailboxID, err)
	}
	return seq, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NewUniqueID makes a POP3 UIDL: 32 lower-case hex characters, the MD5 of
// "<n>:<random>" as DBMail's create_unique_id (spec 2.14). Only uniqueness
// matters, which the 128 random bits give whatever n is.
func NewUniqueID(n int64) string {
	var rnd [16]byte
	rand.Read(rnd[:])
	sum := md5.Sum([]byte(strconv.FormatInt(n, 10) + ":" + hex.EncodeToString(rnd[:])))
	return hex.EncodeToString(sum[:])
}

func (tx *Tx) insertMessageRow(ctx context.Context, physID int64, t Dest, modseq int64) (int64, error) {
	f := t.Flags
	q := `INSERT INTO {messages} (mailbox_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, unique_id, status, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if tx.db.Dialect == SQLite {
		// Never reuse the UID of a purged message (step 90003).
		q = `INSERT INTO {messages} (message_idnr, mailbox_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, unique_id, status, seq) VALUES (` + sqliteNextID("messages", "message_idnr") + `, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	uid, err := tx.Insert(ctx, q,
		"message_idnr", t.MailboxID, physID, boolInt(f.Seen), boolInt(f.Answered), boolInt(f.Deleted), boolInt(f.Flagged), boolInt(f.Recent), boolInt(f.Draft), NewUniqueID(physID), t.Status, modseq)
	if err != nil {
		return 0, fmt.Errorf("insert message into mailbox %d: %w", t.MailboxID, err)
	}
	for _, k := range dedupKeywords(t.Keywords) {
		if _, err := tx.Exec(ctx, `INSERT INTO {keywords} (message_idnr, keyword) VALUES (?, ?)`, uid, k); err != nil {
			return 0, fmt.Errorf("insert keyword %q: %w", k, err)
		}
	}
	return uid, nil
}

// sqliteNextID is the id expression for a new row of table on SQLite: one
// above both the largest id present and the largest ever deleted
// ({go_idmax}, step 90003), so ids are never handed out twice. SQLite
// transactions are exclusive, so the expression cannot race.
func sqliteNextID(table, column string) string {
	return `(SELECT MAX(x) + 1 FROM (SELECT COALESCE(MAX(` + column + `), 0) AS x FROM {` + table + `} UNION ALL SELECT maxid FROM {go_idmax} WHERE name = '` + table + `'))`
}

// dedupKeywords drops case-insensitive duplicates, keeping the first
// spelling (spec 2.12).
func dedupKeywords(kws []string) []string {
	var out []string
	for _, k := range kws {
		dup := false
		for _, o := range out {
			if strings.EqualFold(o, k) {
				dup = true
				break
			}
		}
		if !dup && k != "" {
			out = append(out, k)
		}
	}
	return out
}

// physCaches returns what a physmessage row and its caches store besides
// the parts and header values: the internal date as text (spec 2.8), the
// envelope (2.10) and the distinct references (2.11), all valid UTF-8.
func physCaches(m *message.Message, internalDate time.Time) (date, envelope string, refs []string) {
	idate := internalDate.UTC()
	if idate.Year() > time.Now().UTC().Year()+1 { // spec 2.8
		idate = idate.AddDate(time.Now().UTC().Year()-idate.Year(), 0, 0)
	}
	envelope = strings.ToValidUTF8(m.Envelope(), "?")
	seenRef := map[string]bool{}
	for _, ref := range m.References() {
		ref = strings.ToValidUTF8(ref, "?")
		if len(ref) > 255 {
			ref = strings.ToValidUTF8(ref[:255], "")
		}
		if ref == "" || seenRef[ref] {
			continue
		}
		seenRef[ref] = true
		refs = append(refs, ref)
	}
	return idate.Format("2006-01-02 15:04:05"), envelope, refs
}

// storePhysmessage writes the physmessage row, its parts and its caches
// with a handful of statements: lookups and link rows go in batches, so a
// message costs a few round trips whatever its shape. PostgreSQL writes it
// all in one statement (storePhysPostgres).
func (tx *Tx) storePhysmessage(ctx context.Context, m *message.Message, internalDate time.Time) (int64, error) {
	db := tx.db
	date, envelope, refs := physCaches(m, internalDate)
	if db.Dialect == Postgres && db.Store.MessagePartHash != 2 && !m.Spooled() {
		fields, err := tx.headerFields(ctx, m.HeaderCache(internalDate))
		if err != nil {
			return 0, err
		}
		return tx.storePhysPostgres(ctx, m, date, fields, envelope, refs)
	}
	partIDs, err := tx.storeParts(ctx, m.Parts)
	if err != nil {
		return 0, err
	}
	links, err := tx.headerLinks(ctx, m.HeaderCache(internalDate))
	if err != nil {
		return 0, err
	}
	physID, err := tx.Insert(ctx, `INSERT INTO {physmessage} (messagesize, rfcsize, internal_date) VALUES (?, ?, `+db.timestampLiteral()+`)`,
		"id", m.MessageSize, m.RFCSize, date)
	if err != nil {
		return 0, fmt.Errorf("insert physmessage: %w", err)
	}
	rows := make([][]any, len(m.Parts))
	for i, p := range m.Parts {
		rows[i] = []any{physID, boolInt(p.IsHeader), p.Key, p.Depth, p.Order, partIDs[i]}
	}
	if err := tx.insertRows(ctx, `INSERT INTO {partlists} (physmessage_id, is_header, part_key, part_depth, part_order, part_id) VALUES `, rows); err != nil {
		return 0, fmt.Errorf("insert partlists: %w", err)
	}
	hrows := make([][]any, len(links))
	for i, l := range links {
		hrows[i] = []any{physID, l[0], l[1]}
	}
	if err := tx.insertRows(ctx, `INSERT INTO {header} (physmessage_id, headername_id, headervalue_id) VALUES `, hrows); err != nil {
		return 0, fmt.Errorf("insert header links: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO {envelope} (physmessage_id, envelope) VALUES (?, ?)`, physID, envelope); err != nil {
		return 0, fmt.Errorf("insert envelope: %w", err)
	}
	rrows := make([][]any, len(refs))
	for i, r := range refs {
		rrows[i] = []any{physID, r}
	}
	if err := tx.insertRows(ctx, `INSERT INTO {referencesfield} (physmessage_id, referencesfield) VALUES `, rrows); err != nil {
		return 0, fmt.Errorf("insert references: %w", err)
	}
	return physID, nil
}

// insertRows inserts rows with multi-row VALUES lists, in chunks that stay
// well within every backend's placeholder limit.
func (tx *Tx) insertRows(ctx context.Context, prefix string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 200)
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, n*len(rows[0]))
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ph)
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// storeParts stores the parts' bytes, reusing identical existing rows per
// [DBMAIL] message_part_hash (spec 2.4): one lookup for all hashes, a byte
// comparison in SQL only for candidates, then one insert per new part.
// Rows of a spooled message (Part.Src) are read from the spool into one
// reused buffer each time they are needed, and inserted one per statement
// (spooledParts).
func (tx *Tx) storeParts(ctx context.Context, parts []message.Part) ([]int64, error) {
	db := tx.db
	size := db.QuoteIdent("size")
	ids := make([]int64, len(parts))
	hashes := make([]string, len(parts))
	type key struct {
		hash string
		size int
	}
	sp := &spooledParts{}
	want := map[key][]int{}
	for i := range parts {
		p := &parts[i]
		data, err := sp.load(p)
		if err != nil {
			return nil, err
		}
		hashes[i] = db.partHash(data)
		k := key{hashes[i], int(p.Len())}
		want[k] = append(want[k], i)
	}
	if db.Store.MessagePartHash != 2 {
		uniq := make([]any, 0, len(want))
		seen := map[string]bool{}
		for k := range want {
			if !seen[k.hash] {
				seen[k.hash] = true
				uniq = append(uniq, k.hash)
			}
		}
		for len(uniq) > 0 {
			n := min(len(uniq), chunk)
			rows, err := tx.Query(ctx, `SELECT id, hash, `+size+` FROM {mimeparts} WHERE hash IN `+inList(n)+` ORDER BY id`, uniq[:n]...)
			if err != nil {
				return nil, fmt.Errorf("look up mimeparts: %w", err)
			}
			type cand struct {
				id int64
				k  key
			}
			var cands []cand
			for rows.Next() {
				var c cand
				if err := rows.Scan(&c.id, &c.k.hash, &c.k.size); err != nil {
					rows.Close()
					return nil, err
				}
				c.k.hash = strings.TrimRight(c.k.hash, " ") // CHARACTER(256) is blank padded on PostgreSQL
				cands = append(cands, c)
			}
			rows.Close()
			for _, c := range cands {
				idx, ok := want[c.k]
				if !ok || ids[idx[0]] != 0 {
					continue
				}
				if db.Store.MessagePartHash == 0 {
					data, err := sp.load(&parts[idx[0]])
					if err != nil {
						return nil, err
					}
					var same int
					if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {mimeparts} WHERE id = ? AND data = ?`, c.id, data).Scan(&same); err != nil {
						return nil, fmt.Errorf("compare mimepart: %w", err)
					}
					if same == 0 {
						continue
					}
				}
				for _, i := range idx {
					ids[i] = c.id
				}
			}
			uniq = uniq[n:]
		}
	}
	var fresh, freshLazy []int // parts to insert, first occurrence of each distinct part
	for i, p := range parts {
		if ids[i] != 0 {
			continue
		}
		first := true
		if db.Store.MessagePartHash != 2 {
			first = want[key{hashes[i], int(p.Len())}][0] == i
		}
		switch {
		case !first:
		case p.Lazy():
			freshLazy = append(freshLazy, i)
		default:
			fresh = append(fresh, i)
		}
	}
	got := func(i int, id int64) {
		ids[i] = id
		if db.Store.MessagePartHash != 2 {
			for _, j := range want[key{hashes[i], int(parts[i].Len())}] {
				ids[j] = id // the same part twice in one message
			}
		}
	}
	if err := tx.insertMany(ctx, `INSERT INTO {mimeparts} (hash, data, `+size+`) VALUES `, "id", len(fresh),
		func(k int) []any { i := fresh[k]; return []any{hashes[i], parts[i].Data, len(parts[i].Data)} },
		func(k int, id int64) { got(fresh[k], id) }); err != nil {
		return nil, fmt.Errorf("insert mimeparts: %w", err)
	}
	for _, i := range freshLazy {
		data, err := sp.load(&parts[i])
		if err != nil {
			return nil, err
		}
		id, err := tx.Insert(ctx, `INSERT INTO {mimeparts} (hash, data, `+size+`) VALUES (?, ?, ?)`, "id", hashes[i], data, len(data))
		if err != nil {
			return nil, fmt.Errorf("insert mimepart of %d bytes: %w", len(data), err)
		}
		got(i, id)
	}
	return ids, nil
}

// storeHeaderCache writes the header cache rows (spec 2.9 steps 2, 5, 6):
// one lookup for all values, inserts for the new ones, one insert for the
// links.
func (tx *Tx) storeHeaderCache(ctx context.Context, physID int64, fields []message.CachedField) error {
	links, err := tx.headerLinks(ctx, fields)
	if err != nil {
		return err
	}
	rows := make([][]any, len(links))
	for i, l := range links {
		rows[i] = []any{physID, l[0], l[1]}
	}
	if err := tx.insertRows(ctx, `INSERT INTO {header} (physmessage_id, headername_id, headervalue_id) VALUES `, rows); err != nil {
		return fmt.Errorf("insert header links: %w", err)
	}
	return nil
}

// headerField is one header cache field ready to store: its headername id,
// the field with its text made valid UTF-8, and the hash of its value.
type headerField struct {
	nameID int64
	f      message.CachedField
	hash   string
}

// headerFields resolves the header names of fields (creating them unless
// the cache is read-only) and prepares the values (spec 2.9 steps 2, 3).
func (tx *Tx) headerFields(ctx context.Context, fields []message.CachedField) ([]headerField, error) {
	return tx.db.headerFields(ctx, tx.tx, fields)
}

func (db *DB) headerFields(ctx context.Context, x Querier, fields []message.CachedField) ([]headerField, error) {
	var fs []headerField
	for _, f := range fields {
		nameID, err := db.headerNameID(ctx, x, f.Name)
		if err != nil {
			return nil, err
		}
		if nameID == 0 {
			continue // read-only header cache and an unknown name
		}
		// Text columns on PostgreSQL and MySQL (utf8mb4) take only valid
		// UTF-8 (spec 2.9 step 3 replaces the rest with '?').
		f.Value = strings.ToValidUTF8(f.Value, "?")
		f.SortField = strings.ToValidUTF8(f.SortField, "?")
		fs = append(fs, headerField{nameID, f, db.partHash([]byte(f.Value))})
	}
	return fs, nil
}

// headerLinks finds or creates the header values of fields and returns the
// distinct (headername_id, headervalue_id) pairs to link (spec 2.9 steps
// 2, 5, 6): one lookup for all values, one insert for the new ones.
func (tx *Tx) headerLinks(ctx context.Context, fields []message.CachedField) ([][2]int64, error) {
	db := tx.db
	fs, err := tx.headerFields(ctx, fields)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, nil
	}
	valueIDs := map[string]int64{} // value -> id
	hashes := make([]any, 0, len(fs))
	for _, f := range fs {
		hashes = append(hashes, f.hash)
	}
	rows, err := tx.Query(ctx, `SELECT id, hash, headervalue FROM {headervalue} WHERE hash IN `+inList(len(hashes))+` ORDER BY id`, hashes...)
	if err != nil {
		return nil, fmt.Errorf("look up header values: %w", err)
	}
	for rows.Next() {
		var id int64
		var h string
		var v []byte
		if err := rows.Scan(&id, &h, &v); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := valueIDs[string(v)]; !ok {
			valueIDs[string(v)] = id
		}
	}
	rows.Close()
	var missing []headerField
	pending := map[string]bool{}
	for _, f := range fs {
		if _, ok := valueIDs[f.f.Value]; ok || pending[f.f.Value] {
			continue
		}
		pending[f.f.Value] = true
		missing = append(missing, f)
	}
	if err := tx.insertMany(ctx, `INSERT INTO {headervalue} (hash, headervalue, sortfield, datefield) VALUES `, "id", len(missing),
		func(k int) []any { return headerValueRow(db, missing[k].hash, missing[k].f) },
		func(k int, id int64) { valueIDs[missing[k].f.Value] = id }); err != nil {
		return nil, fmt.Errorf("insert header values: %w", err)
	}
	done := map[[2]int64]bool{}
	var links [][2]int64
	for _, f := range fs {
		l := [2]int64{f.nameID, valueIDs[f.f.Value]}
		if done[l] {
			continue // repeated identical fields are linked once
		}
		done[l] = true
		links = append(links, l)
	}
	return links, nil
}

// headerNameRefresh is how long a name found missing from headername is
// believed missing (another process with a writable header cache may add it).
const headerNameRefresh = time.Minute

// headerNameID returns the id of a lower-cased header name, 0 when the name
// is not in headername and the cache is read-only (spec 2.9 step 2). The
// whole table is read at once and kept: names are never changed once
// written.
func (db *DB) headerNameID(ctx context.Context, x Querier, name string) (int64, error) {
	name = strings.ToLower(name)
	db.names.mu.RLock()
	id, ok := db.names.ids[name]
	fresh := time.Since(db.names.loaded) < headerNameRefresh
	db.names.mu.RUnlock()
	if ok {
		return id, nil
	}
	if !fresh {
		if err := db.loadHeaderNames(ctx, x); err != nil {
			return 0, err
		}
		db.names.mu.RLock()
		id, ok = db.names.ids[name]
		db.names.mu.RUnlock()
		if ok {
			return id, nil
		}
	}
	if db.Store.HeaderCacheReadonly {
		return 0, nil
	}
	id, err := db.insertHeaderName(ctx, x, name)
	if err != nil {
		return 0, fmt.Errorf("header name %q: %w", name, err)
	}
	db.names.mu.Lock()
	db.names.ids[name] = id
	db.names.mu.Unlock()
	return id, nil
}

// insertHeaderName adds a lower-cased header name and returns its id. Two
// deliveries (in this process or another) may add the same new name at
// once: the loser's insert is ignored and it reads the winner's row, so
// neither delivery fails on the unique index.
func (db *DB) insertHeaderName(ctx context.Context, x Querier, name string) (int64, error) {
	ins, sel := `INSERT OR IGNORE INTO {headername} (headername) VALUES (?)`, `SELECT id FROM {headername} WHERE headername = ?`
	switch db.Dialect {
	case Postgres:
		// The unique index is on lower(headername) (spec 1.4).
		ins, sel = `INSERT INTO {headername} (headername) VALUES (?) ON CONFLICT DO NOTHING`, `SELECT id FROM {headername} WHERE lower(headername) = ?`
	case MySQL:
		// A locking read sees the other transaction's committed row even
		// inside a REPEATABLE READ snapshot.
		ins, sel = `INSERT IGNORE INTO {headername} (headername) VALUES (?)`, `SELECT id FROM {headername} WHERE headername = ? LOCK IN SHARE MODE`
	}
	if _, err := x.ExecContext(ctx, db.Q(ins), name); err != nil {
		return 0, err
	}
	var id int64
	if err := x.QueryRowContext(ctx, db.Q(sel), name).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

func (db *DB) loadHeaderNames(ctx context.Context, x Querier) error {
	rows, err := x.QueryContext(ctx, db.Q(`SELECT id, headername FROM {headername}`))
	if err != nil {
		return fmt.Errorf("load header names: %w", err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		ids[strings.ToLower(n)] = id
	}
	if err := rows.Err(); err != nil {
		return err
	}
	db.names.mu.Lock()
	db.names.ids, db.names.loaded = ids, time.Now()
	db.names.mu.Unlock()
	return nil
}

// headerValueRow is one dbmail_headervalue row (spec 2.9 step 4).
func headerValueRow(db *DB, hash string, f message.CachedField) []any {
	var sortfield any = f.SortField
	if f.SortFieldNull {
		sortfield = nil
		if db.Dialect == SQLite {
			sortfield = "" // NOT NULL on SQLite (spec 1.4)
		}
	}
	var datefield any
	if f.DateField != "" {
		datefield = f.DateField + " 00:00:00"
	}
	return []any{hash, f.Value, sortfield, datefield}
}

// insertMany inserts n rows and reports each new key: on PostgreSQL in
// multi-row statements with RETURNING (one round trip per 100 rows),
// elsewhere one statement per row (MySQL gives only the first id of a
// multi-row insert, and SQLite statements cost no round trip).
func (tx *Tx) insertMany(ctx context.Context, prefix, keyColumn string, n int, row func(int) []any, got func(int, int64)) error {
	if n == 0 {
		return nil
	}
	if tx.db.Dialect != Postgres {
		for k := 0; k < n; k++ {
			r := row(k)
			ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")"
			id, err := tx.Insert(ctx, prefix+ph, keyColumn, r...)
			if err != nil {
				return err
			}
			got(k, id)
		}
		return nil
	}
	for start := 0; start < n; start += 100 {
		end := min(n, start+100)
		var b strings.Builder
		b.WriteString(prefix)
		var args []any
		for k := start; k < end; k++ {
			r := row(k)
			if k > start {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")")
			args = append(args, r...)
		}
		// PostgreSQL returns the rows of INSERT ... VALUES in VALUES order.
		rows, err := tx.Query(ctx, b.String()+" RETURNING "+keyColumn, args...)
		if err != nil {
			return err
		}
		k := start
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if k < end {
				got(k, id)
			}
			k++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if k != end {
			return fmt.Errorf("insert returned %d keys for %d rows", k-start, end-start)
		}
	}
	return nil
}
