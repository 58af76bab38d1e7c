package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Filter is one dbmail_filters row: a simple sorting rule (spec 6.6 step 2).
type Filter struct {
	ID          int64
	UserID      int64
	HeaderName  string
	HeaderValue string // a case-insensitive SQL LIKE pattern
	Mailbox     string
}

// Filters returns the rules of a user followed by those of `anyone`, each in
// id order: the first match wins.
func (db *DB) Filters(ctx context.Context, userID int64) ([]Filter, error) {
	anyone, err := db.SpecialUserID(ctx, AnyoneUser)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT id, user_id, headername, headervalue, mailbox FROM {filters} WHERE user_id IN (?, ?)
		ORDER BY CASE WHEN user_id = ? THEN 0 ELSE 1 END, id`, userID, anyone, userID)
	if err != nil {
		return nil, fmt.Errorf("filters of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Filter
	for rows.Next() {
		var f Filter
		if err := rows.Scan(&f.ID, &f.UserID, &f.HeaderName, &f.HeaderValue, &f.Mailbox); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// HasRecentMessageID reports whether the mailbox holds a visible message
// whose cached message-id or resent-message-id equals id and whose internal
// date is less than three days old (duplicate suppression, spec 2.17).
func (db *DB) HasRecentMessageID(ctx context.Context, mailboxID int64, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	since := time.Now().UTC().Add(-72 * time.Hour).Format("2006-01-02 15:04:05")
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM {messages} m
		JOIN {physmessage} p ON p.id = m.physmessage_id
		JOIN {header} h ON h.physmessage_id = m.physmessage_id
		JOIN {headername} n ON n.id = h.headername_id
		JOIN {headervalue} v ON v.id = h.headervalue_id
		WHERE m.mailbox_idnr = ? AND m.status < 2 AND n.headername IN ('message-id', 'resent-message-id')
		AND v.hash = ? AND p.internal_date > `+db.timestampLiteral(), mailboxID, db.partHash([]byte(id)), since).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("duplicate check: %w", err)
	}
	return n > 0, nil
}

// InboxAndFilters reads, in one query, what an ordinary delivery to user
// needs first: the user's INBOX and the filters of Filters. inbox is nil
// when the user has no INBOX yet (filters are then not read: call Filters).
func (db *DB) InboxAndFilters(ctx context.Context, userID int64) (inbox *Mailbox, filters []Filter, err error) {
	anyone, err := db.SpecialUserID(ctx, AnyoneUser)
	if err != nil {
		return nil, nil, err
	}
	rows, err := db.Query(ctx, `SELECT m.mailbox_idnr, m.owner_idnr, m.name, m.no_select, m.no_inferiors, m.permission, m.seq,
		f.id, f.user_id, f.headername, f.headervalue, f.mailbox
		FROM {mailboxes} m LEFT JOIN {filters} f ON f.user_id IN (?, ?)
		WHERE m.owner_idnr = ? AND lower(m.name) = 'inbox'
		ORDER BY m.mailbox_idnr, CASE WHEN f.user_id = ? THEN 0 ELSE 1 END, f.id`, userID, anyone, userID, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("inbox and filters of user %d: %w", userID, err)
	}
	defer rows.Close()
	byBox := map[int64][]Filter{}
	for rows.Next() {
		var mb Mailbox
		var noSel, noInf int64
		var perm, fid, fuser sql.NullInt64
		var hname, hvalue, fbox sql.NullString
		if err := rows.Scan(&mb.ID, &mb.OwnerID, &mb.Name, &noSel, &noInf, &perm, &mb.Seq, &fid, &fuser, &hname, &hvalue, &fbox); err != nil {
			return nil, nil, fmt.Errorf("inbox and filters of user %d: %w", userID, err)
		}
		if _, seen := byBox[mb.ID]; !seen {
			byBox[mb.ID] = nil
			mb.NoSelect, mb.NoInferiors = noSel != 0, noInf != 0
			mb.Permission = 2 // as scanMailbox
			if perm.Valid {
				mb.Permission = int(perm.Int64)
			}
			// The same choice as FindMailbox: the exact name wins.
			if inbox == nil || (mb.Name == "INBOX" && inbox.Name != "INBOX") {
				m := mb
				inbox = &m
			}
		}
		if fid.Valid {
			byBox[mb.ID] = append(byBox[mb.ID], Filter{ID: fid.Int64, UserID: fuser.Int64, HeaderName: hname.String, HeaderValue: hvalue.String, Mailbox: fbox.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("inbox and filters of user %d: %w", userID, err)
	}
	if inbox == nil {
		return nil, nil, nil
	}
	return inbox, byBox[inbox.ID], nil
}
