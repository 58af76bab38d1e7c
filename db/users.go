package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Special users seeded by the schema (spec 1.6, 4.1).
const (
	DeliveryUser = "__@!internal_delivery_user!@__"
	AnyoneUser   = "anyone"
	PublicUser   = "__public__"
)

// User is one dbmail_users row (spec 1.4, 4.1).
type User struct {
	ID             int64
	Name           string // userid
	Passwd         string
	EncryptionType string
	ClientID       int64
	MaxMailSize    int64
	CurMailSize    int64
	LastLogin      string
	SPasswd        string
	SAction        int
	Active         bool
}

const userColumns = `user_idnr, userid, passwd, encryption_type, client_idnr, maxmail_size, curmail_size, last_login, spasswd, saction, active`

func (db *DB) lastLoginExpr() string {
	switch db.Dialect {
	case Postgres:
		return `TO_CHAR(last_login,'YYYY-MM-DD HH24:MI:SS')`
	case MySQL:
		return `DATE_FORMAT(last_login,'%Y-%m-%d %H:%i:%s')`
	}
	return `last_login`
}

func (db *DB) selectUsers() string {
	return strings.Replace(`SELECT `+userColumns+` FROM {users}`, "last_login", db.lastLoginExpr(), 1)
}

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var last sql.NullString
	var active int64
	if err := sc.Scan(&u.ID, &u.Name, &u.Passwd, &u.EncryptionType, &u.ClientID, &u.MaxMailSize, &u.CurMailSize, &last, &u.SPasswd, &u.SAction, &active); err != nil {
		return nil, err
	}
	u.LastLogin = last.String
	u.Active = active != 0
	return &u, nil
}

// UserByName looks a login name up case-insensitively, as DBMail does
// (spec 4.1: lower(userid) = lower(?)). When rows differ only in case the
// exact match wins.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	rows, err := db.Query(ctx, db.selectUsers()+` WHERE lower(userid) = lower(?)`, name)
	if err != nil {
		return nil, fmt.Errorf("look up user %q: %w", name, err)
	}
	defer rows.Close()
	var found *User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("read user %q: %w", name, err)
		}
		if found == nil || u.Name == name {
			found = u
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up user %q: %w", name, err)
	}
	if found == nil {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return found, nil
}

// UserByID loads one user by user_idnr.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(db.QueryRow(ctx, db.selectUsers()+` WHERE user_idnr = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user id %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load user id %d: %w", id, err)
	}
	return u, nil
}

// Users lists every account ordered by login name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.Query(ctx, db.selectUsers()+` ORDER BY userid`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// CreateUser inserts a user and its INBOX (not subscribed), as
// `dbmail-users -a` does (spec 7.1). The user name must be new
// (case-insensitively).
func (db *DB) CreateUser(ctx context.Context, u User) (int64, error) {
	if u.Name == "" {
		return 0, fmt.Errorf("create user: empty name: %w", ErrInvalid)
	}
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {users} WHERE lower(userid) = lower(?)`, u.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		}
		active := 0
		if u.Active {
			active = 1
		}
		var err error
		id, err = tx.Insert(ctx, `INSERT INTO {users} (userid, passwd, client_idnr, maxmail_size, curmail_size, encryption_type, spasswd, saction, active) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`,
			"user_idnr", u.Name, u.Passwd, u.ClientID, u.MaxMailSize, u.EncryptionType, u.SPasswd, u.SAction, active)
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		_, err = tx.createMailboxRow(ctx, id, "INBOX")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return id, nil
}

// UserUpdate names the columns a change sets; nil fields are left alone.
type UserUpdate struct {
	Name           *string
	Passwd         *string
	EncryptionType *string
	ClientID       *int64
	MaxMailSize    *int64
	SPasswd        *string
	SAction        *int
	Active         *bool
}

// UpdateUser applies the set fields of up to user id in one statement.
func (db *DB) UpdateUser(ctx context.Context, id int64, up UserUpdate) error {
	var sets []string
	var args []any
	add := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	if up.Name != nil {
		add("userid", *up.Name)
	}
	if up.Passwd != nil {
		add("passwd", *up.Passwd)
	}
	if up.EncryptionType != nil {
		add("encryption_type", *up.EncryptionType)
	}
	if up.ClientID != nil {
		add("client_idnr", *up.ClientID)
	}
	if up.MaxMailSize != nil {
		add("maxmail_size", *up.MaxMailSize)
	}
	if up.SPasswd != nil {
		add("spasswd", *up.SPasswd)
	}
	if up.SAction != nil {
		add("saction", *up.SAction)
	}
	if up.Active != nil {
		v := 0
		if *up.Active {
			v = 1
		}
		add("active", v)
	}
	if len(sets) == 0 {
		return nil
	}
	args = append(args, id)
	res, err := db.Exec(ctx, `UPDATE {users} SET `+strings.Join(sets, ", ")+` WHERE user_idnr = ?`, args...)
	if err != nil {
		return fmt.Errorf("update user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// MySQL reports 0 for an update that changed nothing: check existence.
		if _, err := db.UserByID(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// TouchLastLogin sets last_login to the server's local time, as DBMail
// does on every successful login (spec 4.1).
func (db *DB) TouchLastLogin(ctx context.Context, id int64) error {
	now := time.Now().Format("2006-01-02 15:04:05")
	var err error
	// The users row is also locked by deliveries and expunges (quota): a
	// lost deadlock or lock wait is retried rather than failing a login.
	for attempt := 0; attempt < 3; attempt++ {
		if _, err = db.Exec(ctx, `UPDATE {users} SET last_login = `+db.timestampLiteral()+` WHERE user_idnr = ?`, now, id); err == nil || !IsRetryable(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("update last_login of user %d: %w", id, err)
	}
	return nil
}

// timestampLiteral is the dialect's text-to-timestamp conversion of one
// `YYYY-MM-DD HH:MM:SS` placeholder (spec 1.10).
func (db *DB) timestampLiteral() string {
	switch db.Dialect {
	case Postgres:
		return `TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS')::timestamp`
	case MySQL:
		return `TIMESTAMP(?)`
	}
	return `?`
}

// specialIDs caches the ids of the seeded special users (looked up by name,
// never assumed: spec 1.6).
type specialIDs struct {
	mu  sync.Mutex
	ids map[string]int64
}

// SpecialUserID returns the user_idnr of one of the seeded special users.
func (db *DB) SpecialUserID(ctx context.Context, name string) (int64, error) {
	db.special.mu.Lock()
	id, ok := db.special.ids[name]
	db.special.mu.Unlock()
	if ok {
		return id, nil
	}
	u, err := db.UserByName(ctx, name)
	if err != nil {
		return 0, err
	}
	db.special.mu.Lock()
	if db.special.ids == nil {
		db.special.ids = map[string]int64{}
	}
	db.special.ids[name] = u.ID
	db.special.mu.Unlock()
	return u.ID, nil
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
