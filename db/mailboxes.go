package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Mailbox is one dbmail_mailboxes row (spec 1.4, 3.2).
type Mailbox struct {
	ID          int64
	OwnerID     int64
	Name        string // relative to the owner, components joined by "/" (spec 3.1)
	NoSelect    bool
	NoInferiors bool
	Permission  int // 1 read-only, 2 read-write
	Seq         int64
}

// MailboxDelimiter is DBMail's hierarchy delimiter (spec 0.1).
const MailboxDelimiter = "/"

// Namespace prefixes (spec 3.1).
const (
	NamespaceUsers  = "#Users"
	NamespacePublic = "#Public"
)

// maxMailboxName is the longest name DBMail accepts (spec 0.1).
const maxMailboxName = 254

// NormalizeMailboxName strips leading and trailing delimiters and spells a
// first component equal to "inbox" in any case as INBOX (spec 3.1).
func NormalizeMailboxName(name string) string {
	name = strings.Trim(name, "/")
	first, rest, hasRest := strings.Cut(name, "/")
	if strings.EqualFold(first, "INBOX") {
		first = "INBOX"
	}
	if hasRest {
		return first + "/" + rest
	}
	return first
}

// ValidateMailboxName checks a name as DBMail's checkmailboxname does
// (spec 3.1): ASCII letters, digits and -=/ _.&,+@()[]'# only (non-ASCII
// must be modified UTF-7), not empty, no empty component, at most 254 bytes.
func ValidateMailboxName(name string) error {
	if name == "" || name == "/" {
		return fmt.Errorf("empty mailbox name: %w", ErrInvalid)
	}
	if len(name) > maxMailboxName {
		return fmt.Errorf("mailbox name longer than %d bytes: %w", maxMailboxName, ErrInvalid)
	}
	if strings.Contains(name, "//") {
		return fmt.Errorf("mailbox name %q has an empty component: %w", name, ErrInvalid)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-=/ _.&,+@()[]'#", c) >= 0:
		default:
			return fmt.Errorf("mailbox name %q contains invalid character %q: %w", name, c, ErrInvalid)
		}
	}
	return nil
}

// MailboxNameEqual compares two stored names as DBMail's lookup does:
// ASCII case-insensitively outside modified-UTF-7 runs (`&...-`), exactly
// inside them (spec 3.1).
func MailboxNameEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	inRun := false
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if inRun {
			if ca != cb {
				return false
			}
			if ca == '-' {
				inRun = false
			}
			continue
		}
		if ca == '&' || cb == '&' {
			if ca != cb {
				return false
			}
			inRun = true
			continue
		}
		if lowerASCII(ca) != lowerASCII(cb) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

const mailboxColumns = `mailbox_idnr, owner_idnr, name, no_select, no_inferiors, permission, seq`

func scanMailbox(sc interface{ Scan(...any) error }) (*Mailbox, error) {
	var m Mailbox
	var noSel, noInf int64
	var perm sql.NullInt64
	if err := sc.Scan(&m.ID, &m.OwnerID, &m.Name, &noSel, &noInf, &perm, &m.Seq); err != nil {
		return nil, err
	}
	m.NoSelect, m.NoInferiors = noSel != 0, noInf != 0
	m.Permission = 2
	if perm.Valid {
		m.Permission = int(perm.Int64)
	}
	return &m, nil
}

// FindMailbox looks up owner's mailbox name (spec 3.1 matching rules).
func (db *DB) FindMailbox(ctx context.Context, ownerID int64, name string) (*Mailbox, error) {
	return db.findMailbox(ctx, db.h(), ownerID, name)
}

func (db *DB) findMailbox(ctx context.Context, q Querier, ownerID int64, name string) (*Mailbox, error) {
	name = NormalizeMailboxName(name)
	rows, err := q.QueryContext(ctx, db.Q(`SELECT `+mailboxColumns+` FROM {mailboxes} WHERE owner_idnr = ? AND lower(name) = lower(?)`), ownerID, name)
	if err != nil {
		return nil, fmt.Errorf("find mailbox %q: %w", name, err)
	}
	defer rows.Close()
	var found *Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, err
		}
		if m.Name == name {
			found = m
			break
		}
		if found == nil && MailboxNameEqual(m.Name, name) {
			found = m
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find mailbox %q: %w", name, err)
	}
	if found == nil {
		return nil, fmt.Errorf("mailbox %q: %w", name, ErrNotFound)
	}
	return found, nil
}

// MailboxByID loads one mailbox.
func (db *DB) MailboxByID(ctx context.Context, id int64) (*Mailbox, error) {
	m, err := scanMailbox(db.QueryRow(ctx, `SELECT `+mailboxColumns+` FROM {mailboxes} WHERE mailbox_idnr = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailbox id %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load mailbox %d: %w", id, err)
	}
	return m, nil
}

// createMailboxRow inserts one mailbox as DBMail does: read-write, seq 1.
func (tx *Tx) createMailboxRow(ctx context.Context, ownerID int64, name string) (int64, error) {
	q := `INSERT INTO {mailboxes} (owner_idnr, name, permission, seq) VALUES (?, ?, 2, 1)`
	if tx.db.Dialect == SQLite {
		// Never reuse the id of a deleted mailbox: it is the UIDVALIDITY
		// (step 90003).
		q = `INSERT INTO {mailboxes} (mailbox_idnr, owner_idnr, name, permission, seq) VALUES (` + sqliteNextID("mailboxes", "mailbox_idnr") + `, ?, ?, 2, 1)`
	}
	id, err := tx.Insert(ctx, q, "mailbox_idnr", ownerID, name)
	if err != nil {
		return 0, fmt.Errorf("create mailbox %q: %w", name, err)
	}
	return id, nil
}

// CreateOptions tunes CreateMailbox.
type CreateOptions struct {
	// SubscribeUser, when non-zero, subscribes that user to every mailbox
	// created (DBMail subscribes for everything but IMAP CREATE, spec 3.3).
	SubscribeUser int64
	// GrantAllTo, when non-zero, gets all rights on each new mailbox
	// (creating under #Public, spec 3.3).
	GrantAllTo int64
}

// CreateMailbox creates owner's mailbox name and its missing parents in one
// transaction (spec 3.3). It returns the id of the leaf; ErrExists if the
// leaf already existed.
func (db *DB) CreateMailbox(ctx context.Context, ownerID int64, name string, opt CreateOptions) (int64, error) {
	name = NormalizeMailboxName(name)
	if err := ValidateMailboxName(name); err != nil {
		return 0, err
	}
	var leaf int64
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockUser(ctx, ownerID); err != nil {
			return err
		}
		parts := strings.Split(name, "/")
		for i := range parts {
			path := strings.Join(parts[:i+1], "/")
			m, err := db.findMailbox(ctx, tx.tx, ownerID, path)
			if err == nil {
				if i == len(parts)-1 {
					if m.NoSelect {
						// A \Noselect placeholder left by DELETE becomes a
						// real mailbox again.
						if _, err := tx.Exec(ctx, `UPDATE {mailboxes} SET no_select = 0 WHERE mailbox_idnr = ?`, m.ID); err != nil {
							return err
						}
						leaf = m.ID
						return nil
					}
					return fmt.Errorf("mailbox %q: %w", name, ErrExists)
				}
				if m.NoInferiors {
					return fmt.Errorf("mailbox %q cannot have inferior names: %w", path, ErrPermission)
				}
				continue
			}
			if !isNotFound(err) {
				return err
			}
			id, err := tx.createMailboxRow(ctx, ownerID, path)
			if err != nil {
				return err
			}
			if opt.SubscribeUser != 0 {
				if err := tx.subscribe(ctx, opt.SubscribeUser, id); err != nil {
					return err
				}
			}
			if opt.GrantAllTo != 0 {
				if err := tx.setACL(ctx, opt.GrantAllTo, id, AllRights); err != nil {
					return err
				}
			}
			leaf = id
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return leaf, nil
}

// lockUser serialises mailbox-tree changes of one owner (creates of the same
// name by two sessions must not both succeed). SQLite transactions are
// already exclusive (BEGIN IMMEDIATE).
func (tx *Tx) lockUser(ctx context.Context, userID int64) error {
	if tx.db.Dialect == SQLite {
		return nil
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT user_idnr FROM {users} WHERE user_idnr = ? FOR UPDATE`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user id %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("lock user %d: %w", userID, err)
	}
	return nil
}

// EnsureMailbox returns owner's mailbox name, creating it (and its parents,
// subscribed) when missing, as delivery, Sieve fileinto and
// `dbmail-deliver -m/-M` do (spec 3.3).
func (db *DB) EnsureMailbox(ctx context.Context, ownerID int64, name string) (*Mailbox, error) {
	m, err := db.FindMailbox(ctx, ownerID, name)
	if err == nil {
		return m, nil
	}
	if !isNotFound(err) {
		return nil, err
	}
	sub := ownerID
	if n := NormalizeMailboxName(name); n == "INBOX" {
		sub = 0 // dbmail-users -a and auto-created INBOXes are not subscribed
	}
	id, err := db.CreateMailbox(ctx, ownerID, name, CreateOptions{SubscribeUser: sub})
	if err != nil && !errors.Is(err, ErrExists) {
		return nil, err
	}
	if errors.Is(err, ErrExists) {
		return db.FindMailbox(ctx, ownerID, name)
	}
	return db.MailboxByID(ctx, id)
}

// Mailboxes lists every mailbox owned by ownerID, ordered by name.
func (db *DB) Mailboxes(ctx context.Context, ownerID int64) ([]Mailbox, error) {
	rows, err := db.Query(ctx, `SELECT `+mailboxColumns+` FROM {mailboxes} WHERE owner_idnr = ? ORDER BY name`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list mailboxes of user %d: %w", ownerID, err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// VisibleMailbox is a mailbox a user may see in LIST, with the owner's name
// for the namespace prefix.
type VisibleMailbox struct {
	Mailbox
	OwnerName string
}

// VisibleMailboxes lists the user's own mailboxes and those of others on
// which the user or `anyone` has the lookup right (spec 3.4).
func (db *DB) VisibleMailboxes(ctx context.Context, userID int64) ([]VisibleMailbox, error) {
	anyone, err := db.SpecialUserID(ctx, AnyoneUser)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT m.mailbox_idnr, m.owner_idnr, m.name, m.no_select, m.no_inferiors, m.permission, m.seq, u.userid
		FROM {mailboxes} m JOIN {users} u ON u.user_idnr = m.owner_idnr
		WHERE m.owner_idnr = ? OR m.mailbox_idnr IN (SELECT mailbox_id FROM {acl} WHERE (user_id = ? OR user_id = ?) AND lookup_flag = 1)
		ORDER BY m.owner_idnr, m.name`, userID, userID, anyone)
	if err != nil {
		return nil, fmt.Errorf("list visible mailboxes of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []VisibleMailbox
	for rows.Next() {
		var v VisibleMailbox
		var noSel, noInf int64
		var perm sql.NullInt64
		if err := rows.Scan(&v.ID, &v.OwnerID, &v.Name, &noSel, &noInf, &perm, &v.Seq, &v.OwnerName); err != nil {
			return nil, err
		}
		v.NoSelect, v.NoInferiors, v.Permission = noSel != 0, noInf != 0, 2
		if perm.Valid {
			v.Permission = int(perm.Int64)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func hasChildren(ctx context.Context, db *DB, q Querier, m *Mailbox) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, db.Q(`SELECT COUNT(*) FROM {mailboxes} WHERE owner_idnr = ? AND lower(name) LIKE lower(?) ESCAPE '!'`), m.OwnerID, likeEscape(m.Name)+"/%").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("children of mailbox %q: %w", m.Name, err)
	}
	return n > 0, nil
}

// likeEscape makes s match itself in a LIKE pattern written with
// `ESCAPE '!'` (`_` is a valid mailbox character, spec 3.1).
func likeEscape(s string) string {
	r := strings.NewReplacer("!", "!!", "_", "!_", "%", "!%")
	return r.Replace(s)
}

// DeleteMailbox deletes a mailbox as IMAP DELETE does (spec 3.3, 2.16):
// INBOX cannot be deleted; without children the row goes and everything
// cascades; with children its messages get status 3 (PURGE) and it stays as
// a \Noselect placeholder. The owner's curmail_size drops by the visible
// size either way. Unlike DBMail, a deleted mailbox that someone is
// subscribed to also stays as a placeholder (status 3 for its messages),
// because DELETE must not remove subscriptions (RFC 3501 §6.3.9): LIST
// shows it as \NonExistent, and UNSUBSCRIBE removes it.
func (db *DB) DeleteMailbox(ctx context.Context, m *Mailbox) error {
	if m.Name == "INBOX" {
		return fmt.Errorf("INBOX cannot be deleted: %w", ErrPermission)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		// The owner's row (its curmail_size drops) before the mailbox's:
		// the lock order of deliveries and expunges (lockQuotaUser).
		if err := tx.lockQuotaUser(ctx, m.OwnerID); err != nil {
			return err
		}
		if _, err := tx.bumpMailboxSeq(ctx, m.ID); err != nil {
			return err
		}
		var size sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT SUM(p.messagesize) FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.mailbox_idnr = ? AND m.status < 2`, m.ID).Scan(&size); err != nil {
			return fmt.Errorf("size of mailbox %q: %w", m.Name, err)
		}
		children, err := hasChildren(ctx, db, tx.tx, m)
		if err != nil {
			return err
		}
		var subscribers int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {subscription} WHERE mailbox_id = ?`, m.ID).Scan(&subscribers); err != nil {
			return fmt.Errorf("subscriptions of mailbox %q: %w", m.Name, err)
		}
		if children || subscribers > 0 {
			if m.NoSelect {
				if !children {
					return fmt.Errorf("mailbox %q: %w", m.Name, ErrNotFound) // already deleted
				}
				return fmt.Errorf("mailbox %q is non-selectable: %w", m.Name, ErrPermission)
			}
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = 3 WHERE mailbox_idnr = ? AND status < 2`, m.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE {mailboxes} SET no_select = 1, seq = seq + 1 WHERE mailbox_idnr = ?`, m.ID); err != nil {
				return err
			}
		} else {
			if _, err := tx.Exec(ctx, `DELETE FROM {mailboxes} WHERE mailbox_idnr = ?`, m.ID); err != nil {
				return fmt.Errorf("delete mailbox %q: %w", m.Name, err)
			}
		}
		if size.Int64 > 0 {
			return tx.addQuotaUsage(ctx, m.OwnerID, -size.Int64)
		}
		return nil
	})
}

// RenameMailbox renames owner's mailbox and every mailbox below it (spec
// 3.3); ids, and so UIDVALIDITY, stay. Renaming INBOX moves its messages into
// a new mailbox instead and leaves INBOX (and its children) in place.
func (db *DB) RenameMailbox(ctx context.Context, m *Mailbox, newName string) error {
	newName = NormalizeMailboxName(newName)
	if err := ValidateMailboxName(newName); err != nil {
		return err
	}
	if strings.HasPrefix(strings.ToLower(newName), strings.ToLower(m.Name)+"/") {
		return fmt.Errorf("new mailbox would invade mailbox structure: %w", ErrInvalid)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockUser(ctx, m.OwnerID); err != nil {
			return err
		}
		if _, err := db.findMailbox(ctx, tx.tx, m.OwnerID, newName); err == nil {
			return fmt.Errorf("mailbox %q: %w", newName, ErrExists)
		} else if !isNotFound(err) {
			return err
		}
		if i := strings.LastIndexByte(newName, '/'); i > 0 {
			if _, err := db.findMailbox(ctx, tx.tx, m.OwnerID, newName[:i]); err != nil {
				if isNotFound(err) {
					return fmt.Errorf("parent mailbox %q does not exist: %w", newName[:i], ErrNotFound)
				}
				return err
			}
		}
		if m.Name == "INBOX" {
			id, err := tx.createMailboxRow(ctx, m.OwnerID, newName)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET mailbox_idnr = ? WHERE mailbox_idnr = ?`, id, m.ID); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE {mailboxes} SET seq = seq + 1 WHERE mailbox_idnr IN (?, ?)`, id, m.ID)
			return err
		}
		rows, err := tx.Query(ctx, `SELECT mailbox_idnr, name FROM {mailboxes} WHERE owner_idnr = ? AND (mailbox_idnr = ? OR lower(name) LIKE lower(?) ESCAPE '!')`, m.OwnerID, m.ID, likeEscape(m.Name)+"/%")
		if err != nil {
			return err
		}
		type ren struct {
			id   int64
			name string
		}
		var todo []ren
		for rows.Next() {
			var r ren
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return err
			}
			if r.id == m.ID {
				r.name = newName
			} else {
				r.name = newName + r.name[len(m.Name):]
			}
			todo = append(todo, r)
		}
		rows.Close()
		for _, r := range todo {
			if _, err := tx.Exec(ctx, `UPDATE {mailboxes} SET name = ? WHERE mailbox_idnr = ?`, r.name, r.id); err != nil {
				return fmt.Errorf("rename mailbox to %q: %w", r.name, err)
			}
		}
		return nil
	})
}

// Subscribe adds (user, mailbox) to dbmail_subscription (idempotent).
func (db *DB) Subscribe(ctx context.Context, userID, mailboxID int64) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.subscribe(ctx, userID, mailboxID) })
}

func (tx *Tx) subscribe(ctx context.Context, userID, mailboxID int64) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {subscription} WHERE user_id = ? AND mailbox_id = ?`, userID, mailboxID).Scan(&n); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO {subscription} (user_id, mailbox_id) VALUES (?, ?)`, userID, mailboxID); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// Unsubscribe removes (user, mailbox) from dbmail_subscription; a deleted
// mailbox kept only for its subscriptions (see DeleteMailbox) goes with
// its last subscription.
func (db *DB) Unsubscribe(ctx context.Context, userID, mailboxID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM {subscription} WHERE user_id = ? AND mailbox_id = ?`, userID, mailboxID); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		m, err := scanMailbox(tx.QueryRow(ctx, `SELECT `+mailboxColumns+` FROM {mailboxes} WHERE mailbox_idnr = ?`, mailboxID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if !m.NoSelect {
			return nil
		}
		var subs int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {subscription} WHERE mailbox_id = ?`, mailboxID).Scan(&subs); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		children, err := hasChildren(ctx, tx.db, tx.tx, m)
		if err != nil || subs > 0 || children {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM {mailboxes} WHERE mailbox_idnr = ?`, mailboxID); err != nil {
			return fmt.Errorf("unsubscribe: remove deleted mailbox: %w", err)
		}
		return nil
	})
}

// Subscribed returns the set of mailbox ids the user is subscribed to.
func (db *DB) Subscribed(ctx context.Context, userID int64) (map[int64]bool, error) {
	rows, err := db.Query(ctx, `SELECT mailbox_id FROM {subscription} WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
