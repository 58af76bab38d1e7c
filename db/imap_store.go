package db

import (
	"context"
	"fmt"
	"strings"
)

// IMAPStoreOp is the operation of an IMAP STORE (RFC 3501 §6.4.6).
type IMAPStoreOp uint8

// STORE operations.
const (
	IMAPStoreReplace IMAPStoreOp = iota // FLAGS
	IMAPStoreAdd                        // +FLAGS
	IMAPStoreRemove                     // -FLAGS
)

// IMAPStore is one STORE command applied to message instances of a
// mailbox.
type IMAPStore struct {
	Op       IMAPStoreOp
	Flags    Flags    // system flags named (Recent is ignored: clients cannot store it)
	Keywords []string // keywords named
	// UnchangedSince, when non-zero, skips messages whose MODSEQ is above
	// it (RFC 7162 §3.1.3); they are returned as Modified.
	UnchangedSince uint64
	HasUnchanged   bool
}

// IMAPStoreResult reports a STORE.
type IMAPStoreResult struct {
	ModSeq   int64   // the MODSEQ the changed messages now have
	Modified []int64 // UIDs that failed the UNCHANGEDSINCE test
}

// IMAPStoreFlags applies st to the listed UIDs of the mailbox in one
// transaction with one MODSEQ bump (spec 2.15): system flag columns and
// dbmail_keywords rows (case-insensitively deduplicated, spec 2.12). Every
// message of uids that passed the UNCHANGEDSINCE test gets the new MODSEQ.
func (db *DB) IMAPStoreFlags(ctx context.Context, mailboxID int64, uids []int64, st IMAPStore) (IMAPStoreResult, error) {
	var res IMAPStoreResult
	err := db.InTx(ctx, func(tx *Tx) error {
		res = IMAPStoreResult{}
		modseq, err := tx.bumpMailboxSeq(ctx, mailboxID)
		if err != nil {
			return err
		}
		res.ModSeq = modseq
		target := uids
		if st.HasUnchanged {
			mod, err := tx.imapModifiedSince(ctx, mailboxID, uids, st.UnchangedSince)
			if err != nil {
				return err
			}
			if len(mod) > 0 {
				res.Modified = mod
				skip := make(map[int64]bool, len(mod))
				for _, u := range mod {
					skip[u] = true
				}
				target = make([]int64, 0, len(uids))
				for _, u := range uids {
					if !skip[u] {
						target = append(target, u)
					}
				}
			}
		}
		sets := storeColumns(st)
		for rest := target; len(rest) > 0; {
			n := min(len(rest), chunk)
			part := rest[:n]
			args := append([]any{modseq, mailboxID}, int64Args(part)...)
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET `+strings.Join(append(sets, "seq = ?"), ", ")+` WHERE mailbox_idnr = ? AND status < 2 AND message_idnr IN `+inList(n), args...); err != nil {
				return fmt.Errorf("store flags: %w", err)
			}
			if err := tx.imapStoreKeywords(ctx, part, st); err != nil {
				return err
			}
			rest = rest[n:]
		}
		return nil
	})
	if err != nil {
		return IMAPStoreResult{}, err
	}
	return res, nil
}

// storeColumns renders the system-flag assignments of a STORE.
func storeColumns(st IMAPStore) []string {
	cols := []struct {
		name string
		on   bool
	}{
		{"seen_flag", st.Flags.Seen},
		{"answered_flag", st.Flags.Answered},
		{"deleted_flag", st.Flags.Deleted},
		{"flagged_flag", st.Flags.Flagged},
		{"draft_flag", st.Flags.Draft},
	}
	var sets []string
	for _, c := range cols {
		switch {
		case st.Op == IMAPStoreReplace:
			sets = append(sets, fmt.Sprintf("%s = %d", c.name, boolInt(c.on)))
		case c.on && st.Op == IMAPStoreAdd:
			sets = append(sets, c.name+" = 1")
		case c.on && st.Op == IMAPStoreRemove:
			sets = append(sets, c.name+" = 0")
		}
	}
	return sets
}

func (tx *Tx) imapModifiedSince(ctx context.Context, mailboxID int64, uids []int64, since uint64) ([]int64, error) {
	var out []int64
	for rest := uids; len(rest) > 0; {
		n := min(len(rest), chunk)
		args := append([]any{mailboxID, int64(since)}, int64Args(rest[:n])...)
		rows, err := tx.Query(ctx, `SELECT message_idnr FROM {messages} WHERE mailbox_idnr = ? AND status < 2 AND seq > ? AND message_idnr IN `+inList(n)+` ORDER BY message_idnr`, args...)
		if err != nil {
			return nil, fmt.Errorf("unchangedsince: %w", err)
		}
		for rows.Next() {
			var u int64
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, u)
		}
		rows.Close()
		rest = rest[n:]
	}
	return out, nil
}

// imapStoreKeywords updates dbmail_keywords for one chunk of UIDs.
func (tx *Tx) imapStoreKeywords(ctx context.Context, uids []int64, st IMAPStore) error {
	if st.Op != IMAPStoreReplace && len(st.Keywords) == 0 {
		return nil
	}
	kws := dedupKeywords(st.Keywords)
	if st.Op == IMAPStoreReplace {
		if _, err := tx.Exec(ctx, `DELETE FROM {keywords} WHERE message_idnr IN `+inList(len(uids)), int64Args(uids)...); err != nil {
			return fmt.Errorf("store keywords: %w", err)
		}
	}
	if st.Op == IMAPStoreRemove {
		for _, k := range kws {
			args := append([]any{strings.ToLower(k)}, int64Args(uids)...)
			if _, err := tx.Exec(ctx, `DELETE FROM {keywords} WHERE lower(keyword) = ? AND message_idnr IN `+inList(len(uids)), args...); err != nil {
				return fmt.Errorf("remove keyword %q: %w", k, err)
			}
		}
		return nil
	}
	if len(kws) == 0 {
		return nil
	}
	have := map[int64]map[string]bool{}
	if st.Op == IMAPStoreAdd {
		rows, err := tx.Query(ctx, `SELECT message_idnr, keyword FROM {keywords} WHERE message_idnr IN `+inList(len(uids)), int64Args(uids)...)
		if err != nil {
			return fmt.Errorf("read keywords: %w", err)
		}
		for rows.Next() {
			var u int64
			var k string
			if err := rows.Scan(&u, &k); err != nil {
				rows.Close()
				return err
			}
			if have[u] == nil {
				have[u] = map[string]bool{}
			}
			have[u][strings.ToLower(k)] = true
		}
		rows.Close()
	}
	var ins [][]any
	for _, u := range uids {
		for _, k := range kws {
			if !have[u][strings.ToLower(k)] {
				ins = append(ins, []any{u, k})
			}
		}
	}
	for _, r := range ins {
		if _, err := tx.Exec(ctx, `INSERT INTO {keywords} (message_idnr, keyword) VALUES (?, ?)`, r...); err != nil {
			return fmt.Errorf("add keyword %q: %w", r[1], err)
		}
	}
	return nil
}
