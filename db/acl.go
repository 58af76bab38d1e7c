package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Rights is a set of RFC 4314 rights (spec 3.4).
type Rights uint16

// The rights DBMail stores, one column each (spec 3.4).
const (
	RightLookup     Rights = 1 << iota // l
	RightRead                          // r
	RightSeen                          // s
	RightWrite                         // w
	RightInsert                        // i
	RightPost                          // p
	RightCreate                        // k
	RightDelete                        // x
	RightDeleteMsg                     // t
	RightExpunge                       // e
	RightAdminister                    // a
)

// AllRights is what an owner without an ACL row has.
const AllRights = RightLookup | RightRead | RightSeen | RightWrite | RightInsert | RightPost |
	RightCreate | RightDelete | RightDeleteMsg | RightExpunge | RightAdminister

var rightLetters = []struct {
	r      Rights
	letter byte
	column string
}{
	{RightLookup, 'l', "lookup_flag"},
	{RightRead, 'r', "read_flag"},
	{RightSeen, 's', "seen_flag"},
	{RightWrite, 'w', "write_flag"},
	{RightInsert, 'i', "insert_flag"},
	{RightPost, 'p', "post_flag"},
	{RightCreate, 'k', "create_flag"},
	{RightDelete, 'x', "delete_flag"},
	{RightDeleteMsg, 't', "deleted_flag"},
	{RightExpunge, 'e', "expunge_flag"},
	{RightAdminister, 'a', "administer_flag"},
}

// String spells the rights in DBMail's order `lrswipkxtea`, followed by the
// RFC 2086 compatibility letters `c` (if k) and `d` (if any of x t e), as
// MYRIGHTS and GETACL print them (spec 3.4).
func (r Rights) String() string {
	var b strings.Builder
	for _, x := range rightLetters {
		if r&x.r != 0 {
			b.WriteByte(x.letter)
		}
	}
	if r&RightCreate != 0 {
		b.WriteByte('c')
	}
	if r&(RightDelete|RightDeleteMsg|RightExpunge) != 0 {
		b.WriteByte('d')
	}
	return b.String()
}

// ParseRights reads a rights string; `c` means k and `d` means x t e
// (spec 3.4). Unknown letters are an error.
func ParseRights(s string) (Rights, error) {
	var r Rights
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 'c':
			r |= RightCreate
		case 'd':
			r |= RightDelete | RightDeleteMsg | RightExpunge
		default:
			found := false
			for _, x := range rightLetters {
				if x.letter == c {
					r |= x.r
					found = true
				}
			}
			if !found {
				return 0, fmt.Errorf("unknown right %q: %w", c, ErrInvalid)
			}
		}
	}
	return r, nil
}

func (tx *Tx) setACL(ctx context.Context, userID, mailboxID int64, r Rights) error {
	return setACL(ctx, tx.db, tx.tx, userID, mailboxID, r)
}

func setACL(ctx context.Context, db *DB, q Querier, userID, mailboxID int64, r Rights) error {
	if _, err := q.ExecContext(ctx, db.Q(`DELETE FROM {acl} WHERE user_id = ? AND mailbox_id = ?`), userID, mailboxID); err != nil {
		return fmt.Errorf("set acl: %w", err)
	}
	cols := []string{"user_id", "mailbox_id"}
	vals := []any{userID, mailboxID}
	for _, x := range rightLetters {
		cols = append(cols, x.column)
		v := 0
		if r&x.r != 0 {
			v = 1
		}
		vals = append(vals, v)
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	if _, err := q.ExecContext(ctx, db.Q(`INSERT INTO {acl} (`+strings.Join(cols, ", ")+`) VALUES (`+ph+`)`), vals...); err != nil {
		return fmt.Errorf("set acl: %w", err)
	}
	return nil
}

// SetACL replaces user's rights on a mailbox (SETACL without +/-).
func (db *DB) SetACL(ctx context.Context, userID, mailboxID int64, r Rights) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.setACL(ctx, userID, mailboxID, r) })
}

// DeleteACL removes user's row (DELETEACL).
func (db *DB) DeleteACL(ctx context.Context, userID, mailboxID int64) error {
	if _, err := db.Exec(ctx, `DELETE FROM {acl} WHERE user_id = ? AND mailbox_id = ?`, userID, mailboxID); err != nil {
		return fmt.Errorf("delete acl: %w", err)
	}
	return nil
}

// aclRow reads one (user, mailbox) row; ok is false when there is none.
func (db *DB) aclRow(ctx context.Context, userID, mailboxID int64) (Rights, bool, error) {
	cols := make([]string, len(rightLetters))
	for i, x := range rightLetters {
		cols[i] = x.column
	}
	vals := make([]int64, len(rightLetters))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := db.QueryRow(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM {acl} WHERE user_id = ? AND mailbox_id = ?`, userID, mailboxID).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read acl: %w", err)
	}
	var r Rights
	for i, x := range rightLetters {
		if vals[i] != 0 {
			r |= x.r
		}
	}
	return r, true, nil
}

// ACLEntry is one identifier with its rights (GETACL).
type ACLEntry struct {
	UserID   int64
	UserName string
	Rights   Rights
}

// ACL lists every row of a mailbox.
func (db *DB) ACL(ctx context.Context, mailboxID int64) ([]ACLEntry, error) {
	rows, err := db.Query(ctx, `SELECT a.user_id, u.userid FROM {acl} a JOIN {users} u ON u.user_idnr = a.user_id WHERE a.mailbox_id = ? ORDER BY u.userid`, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("list acl: %w", err)
	}
	var out []ACLEntry
	for rows.Next() {
		var e ACLEntry
		if err := rows.Scan(&e.UserID, &e.UserName); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	for i := range out {
		r, _, err := db.aclRow(ctx, out[i].UserID, mailboxID)
		if err != nil {
			return nil, err
		}
		out[i].Rights = r
	}
	return out, nil
}

// RightsOf computes the rights user has on m (spec 3.4): the owner has all
// rights unless an ACL row for the owner exists; others get their own row's
// rights plus `anyone`'s. A read-only mailbox (permission 1) grants only l
// and r.
func (db *DB) RightsOf(ctx context.Context, userID int64, m *Mailbox) (Rights, error) {
	var r Rights
	own, ok, err := db.aclRow(ctx, userID, m.ID)
	if err != nil {
		return 0, err
	}
	switch {
	case m.OwnerID == userID && !ok:
		r = AllRights
	default:
		r = own
		if m.OwnerID != userID {
			anyone, err := db.SpecialUserID(ctx, AnyoneUser)
			if err != nil {
				return 0, err
			}
			a, _, err := db.aclRow(ctx, anyone, m.ID)
			if err != nil {
				return 0, err
			}
			r |= a
		}
	}
	if m.Permission == 1 {
		r &= RightLookup | RightRead
	}
	return r, nil
}
