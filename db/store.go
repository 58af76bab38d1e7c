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
	mu  sync.RWMutex
	ids map[string]int64
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

// CopyMessage gives an existing physmessage new instances (IMAP COPY,
// delivery to further recipients), in one transaction.
func (db *DB) CopyMessage(ctx context.Context, physID, size int64, targets []Dest) ([]Stored, error) {
	var results []Stored
	err := db.InTx(ctx, func(tx *Tx) error {
		results = make([]Stored, len(targets))
		_, err := tx.insertInstances(ctx, physID, size, targets, results)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("copy message: %w", err)
	}
	return results, nil
}

// insertInstances locks the target mailboxes in ascending id order (so
// concurrent deliveries never deadlock), charges quotas, and inserts the
// message rows.
func (tx *Tx) insertInstances(ctx context.Context, physID, size int64, targets []Dest, results []Stored) (int, error) {
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	sortIdx(order, func(a, b int) bool { return targets[a].MailboxID < targets[b].MailboxID })
	okCount := 0
	for _, i := range order {
		t := targets[i]
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

// lockMailbox takes the mailbox row lock and returns the new MODSEQ.
func (tx *Tx) lockMailbox(ctx context.Context, mailboxID int64) (int64, error) {
	return tx.bumpMailboxSeq(ctx, mailboxID)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NewUniqueID makes a POP3 UIDL: 32 lower-case hex characters, the MD5 of
// "<n>:<random>" as DBMail's create_unique_id (spec 2.14).
func NewUniqueID(n int64) string {
	var rnd [16]byte
	rand.Read(rnd[:])
	sum := md5.Sum([]byte(strconv.FormatInt(n, 10) + ":" + hex.EncodeToString(rnd[:])))
	return hex.EncodeToString(sum[:])
}

func (tx *Tx) insertMessageRow(ctx context.Context, physID int64, t Dest, modseq int64) (int64, error) {
	f := t.Flags
	uid, err := tx.Insert(ctx, `INSERT INTO {messages} (mailbox_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, unique_id, status, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

// storePhysmessage writes the physmessage row, its parts and its caches.
func (tx *Tx) storePhysmessage(ctx context.Context, m *message.Message, internalDate time.Time) (int64, error) {
	db := tx.db
	idate := internalDate.UTC()
	if idate.Year() > time.Now().UTC().Year()+1 { // spec 2.8
		idate = idate.AddDate(time.Now().UTC().Year()-idate.Year(), 0, 0)
	}
	physID, err := tx.Insert(ctx, `INSERT INTO {physmessage} (messagesize, rfcsize, internal_date) VALUES (?, ?, `+db.timestampLiteral()+`)`,
		"id", m.MessageSize, m.RFCSize, idate.Format("2006-01-02 15:04:05"))
	if err != nil {
		return 0, fmt.Errorf("insert physmessage: %w", err)
	}
	seen := map[string]int64{}
	for _, p := range m.Parts {
		partID, err := tx.storePart(ctx, p.Data, seen)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {partlists} (physmessage_id, is_header, part_key, part_depth, part_order, part_id) VALUES (?, ?, ?, ?, ?, ?)`,
			physID, boolInt(p.IsHeader), p.Key, p.Depth, p.Order, partID); err != nil {
			return 0, fmt.Errorf("insert partlist: %w", err)
		}
	}
	if err := tx.storeHeaderCache(ctx, physID, m.HeaderCache(internalDate)); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO {envelope} (physmessage_id, envelope) VALUES (?, ?)`, physID, strings.ToValidUTF8(m.Envelope(), "?")); err != nil {
		return 0, fmt.Errorf("insert envelope: %w", err)
	}
	for _, ref := range m.References() {
		if len(ref) > 255 {
			ref = ref[:255]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {referencesfield} (physmessage_id, referencesfield) VALUES (?, ?)`, physID, ref); err != nil {
			return 0, fmt.Errorf("insert references: %w", err)
		}
	}
	return physID, nil
}

// storePart stores one part's bytes, reusing an identical existing row per
// [DBMAIL] message_part_hash (spec 2.4).
func (tx *Tx) storePart(ctx context.Context, data []byte, seen map[string]int64) (int64, error) {
	db := tx.db
	h := db.partHash(data)
	key := h + ":" + strconv.Itoa(len(data))
	if id, ok := seen[key]; ok {
		return id, nil
	}
	size := db.QuoteIdent("size")
	var id int64
	var err error
	switch db.Store.MessagePartHash {
	case 0:
		err = tx.QueryRow(ctx, `SELECT id FROM {mimeparts} WHERE hash = ? AND `+size+` = ? AND data = ? ORDER BY id LIMIT 1`, h, len(data), data).Scan(&id)
	case 1:
		err = tx.QueryRow(ctx, `SELECT id FROM {mimeparts} WHERE hash = ? AND `+size+` = ? ORDER BY id LIMIT 1`, h, len(data)).Scan(&id)
	default:
		err = sql.ErrNoRows
	}
	if err == nil {
		seen[key] = id
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look up mimepart: %w", err)
	}
	id, err = tx.Insert(ctx, `INSERT INTO {mimeparts} (hash, data, `+size+`) VALUES (?, ?, ?)`, "id", h, data, len(data))
	if err != nil {
		return 0, fmt.Errorf("insert mimepart: %w", err)
	}
	seen[key] = id
	return id, nil
}

// storeHeaderCache writes the header cache rows (spec 2.9 steps 2, 5, 6).
func (tx *Tx) storeHeaderCache(ctx context.Context, physID int64, fields []message.CachedField) error {
	type link struct{ name, value int64 }
	done := map[link]bool{}
	for _, f := range fields {
		nameID, err := tx.headerNameID(ctx, f.Name)
		if err != nil {
			return err
		}
		if nameID == 0 {
			continue // read-only header cache and an unknown name
		}
		valueID, err := tx.headerValueID(ctx, f)
		if err != nil {
			return err
		}
		l := link{nameID, valueID}
		if done[l] {
			continue
		}
		done[l] = true
		if _, err := tx.Exec(ctx, `INSERT INTO {header} (physmessage_id, headername_id, headervalue_id) VALUES (?, ?, ?)`, physID, nameID, valueID); err != nil {
			return fmt.Errorf("insert header link: %w", err)
		}
	}
	return nil
}

func (tx *Tx) headerNameID(ctx context.Context, name string) (int64, error) {
	db := tx.db
	name = strings.ToLower(name)
	db.names.mu.RLock()
	id, ok := db.names.ids[name]
	db.names.mu.RUnlock()
	if ok {
		return id, nil
	}
	err := tx.QueryRow(ctx, `SELECT id FROM {headername} WHERE headername = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if db.Store.HeaderCacheReadonly {
			return 0, nil
		}
		id, err = tx.Insert(ctx, `INSERT INTO {headername} (headername) VALUES (?)`, "id", name)
	}
	if err != nil {
		return 0, fmt.Errorf("header name %q: %w", name, err)
	}
	db.names.mu.Lock()
	if db.names.ids == nil {
		db.names.ids = map[string]int64{}
	}
	db.names.ids[name] = id
	db.names.mu.Unlock()
	return id, nil
}

func (tx *Tx) headerValueID(ctx context.Context, f message.CachedField) (int64, error) {
	db := tx.db
	// Text columns on PostgreSQL and MySQL (utf8mb4) take only valid UTF-8
	// (spec 2.9 step 3 replaces the rest with '?').
	f.Value = strings.ToValidUTF8(f.Value, "?")
	f.SortField = strings.ToValidUTF8(f.SortField, "?")
	h := db.partHash([]byte(f.Value))
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM {headervalue} WHERE hash = ? AND headervalue = ? ORDER BY id LIMIT 1`, h, f.Value).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look up header value: %w", err)
	}
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
	id, err = tx.Insert(ctx, `INSERT INTO {headervalue} (hash, headervalue, sortfield, datefield) VALUES (?, ?, ?, ?)`, "id", h, f.Value, sortfield, datefield)
	if err != nil {
		return 0, fmt.Errorf("insert header value: %w", err)
	}
	return id, nil
}
