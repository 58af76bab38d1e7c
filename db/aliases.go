package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Alias is one dbmail_aliases row (spec 1.4, 4.5).
type Alias struct {
	ID        int64
	Alias     string
	DeliverTo string
	ClientID  int64
}

// AddAlias inserts (alias, deliverTo) unless an identical row exists
// (`dbmail-users -s`, `-x -t`).
func (db *DB) AddAlias(ctx context.Context, alias, deliverTo string, clientID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM {aliases} WHERE lower(alias) = lower(?) AND deliver_to = ?`, alias, deliverTo).Scan(&n); err != nil {
			return fmt.Errorf("add alias %q: %w", alias, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {aliases} (alias, deliver_to, client_idnr) VALUES (?, ?, ?)`, alias, deliverTo, clientID); err != nil {
			return fmt.Errorf("add alias %q: %w", alias, err)
		}
		return nil
	})
}

// DeleteAlias removes the rows (alias, deliverTo); it reports how many.
func (db *DB) DeleteAlias(ctx context.Context, alias, deliverTo string) (int64, error) {
	res, err := db.Exec(ctx, `DELETE FROM {aliases} WHERE lower(alias) = lower(?) AND deliver_to = ?`, alias, deliverTo)
	if err != nil {
		return 0, fmt.Errorf("delete alias %q -> %q: %w", alias, deliverTo, err)
	}
	return res.RowsAffected()
}

// AliasesOfUser lists the alias names that deliver to user id.
func (db *DB) AliasesOfUser(ctx context.Context, id int64) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT alias FROM {aliases} WHERE deliver_to = ? ORDER BY alias`, strconv.FormatInt(id, 10))
	if err != nil {
		return nil, fmt.Errorf("aliases of user %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AliasTargets lists the deliver_to values of an alias name
// (case-insensitive, spec 4.5), in insertion order.
func (db *DB) AliasTargets(ctx context.Context, alias string) ([]string, error) {
	return db.aliasTargets(ctx, db.h(), alias)
}

func (db *DB) aliasTargets(ctx context.Context, q Querier, alias string) ([]string, error) {
	rows, err := q.QueryContext(ctx, db.Q(`SELECT deliver_to FROM {aliases} WHERE lower(alias) = lower(?) ORDER BY alias_idnr`), alias)
	if err != nil {
		return nil, fmt.Errorf("targets of alias %q: %w", alias, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Forwards lists every alias name that has external (non-numeric) targets,
// with those targets: what `dbmail-users -L` prints under "-- forwards --"
// (the spec 7.1 bug that left it empty is fixed).
func (db *DB) Forwards(ctx context.Context) (map[string][]string, []string, error) {
	rows, err := db.Query(ctx, `SELECT alias, deliver_to FROM {aliases} ORDER BY alias, alias_idnr`)
	if err != nil {
		return nil, nil, fmt.Errorf("list forwards: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	var order []string
	for rows.Next() {
		var a, t string
		if err := rows.Scan(&a, &t); err != nil {
			return nil, nil, err
		}
		if isDecimal(t) {
			continue
		}
		if _, ok := out[a]; !ok {
			order = append(order, a)
		}
		out[a] = append(out[a], t)
	}
	return out, order, rows.Err()
}

// Resolution is what one envelope recipient resolves to (spec 4.5).
type Resolution struct {
	UserIDs  []int64  // local deliveries, deduplicated, in discovery order
	Forwards []string // external targets: addresses, |cmd, !cmd
	Detail   string   // the +detail of the address, for SUBADDRESS delivery
	// Usage holds curmail_size and maxmail_size of users whose row the
	// resolution read anyway (an address that is a login name), so a
	// quota check at RCPT needs no second query; other users are absent.
	Usage map[int64][2]int64
}

// maxAliasDepth bounds alias recursion (spec 4.5: at most 20 levels).
const maxAliasDepth = 20

// ResolveRecipient resolves an envelope address as DBMail's dsnuser_resolve
// does (spec 4.5), first match wins: alias; alias without +detail; login
// name; login name without +detail; @domain catch-alls from the full domain
// up; localpart@ catch-all. Unlike DBMail, an alias whose targets are only
// external forwards resolves (to its forwards), so the recipient is accepted
// and forwarded. ErrNotFound means permanent failure 5.1.1.
func (db *DB) ResolveRecipient(ctx context.Context, addr string) (*Resolution, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return nil, fmt.Errorf("empty address: %w", ErrInvalid)
	}
	local, domain, hasAt := addr, "", false
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local, domain, hasAt = addr[:i], addr[i+1:], true
	}
	base, detail, hasDetail := strings.Cut(local, "+")
	stripped := addr
	if hasDetail {
		stripped = base
		if hasAt {
			stripped += "@" + domain
		}
	}
	try := func(a string) (*Resolution, error) {
		r := &Resolution{}
		if err := db.expandAlias(ctx, a, r, map[string]bool{}, 0); err != nil {
			return nil, err
		}
		if len(r.UserIDs) == 0 && len(r.Forwards) == 0 {
			return nil, nil
		}
		return r, nil
	}
	// The first alias step and the login-name step for addr read their
	// rows in one round trip (the usual recipient is one or the other).
	direct, err := db.directLookup(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("resolve recipient %q: %w", addr, err)
	}
	tryDirect := func() (*Resolution, error) {
		r := &Resolution{}
		seen := map[string]bool{strings.ToLower(addr): true}
		if err := db.expandTargets(ctx, addr, direct.targets, r, seen, 0); err != nil {
			return nil, err
		}
		if len(r.UserIDs) == 0 && len(r.Forwards) == 0 {
			return nil, nil
		}
		return r, nil
	}
	userDirect := func() (*Resolution, error) {
		if direct.user == 0 {
			return nil, nil
		}
		return &Resolution{UserIDs: []int64{direct.user}, Usage: map[int64][2]int64{direct.user: direct.usage}}, nil
	}
	user := func(a string) (*Resolution, error) {
		u, err := db.UserByName(ctx, a)
		if err != nil {
			if isNotFound(err) {
				return nil, nil
			}
			return nil, err
		}
		return &Resolution{UserIDs: []int64{u.ID}}, nil
	}
	steps := []func() (*Resolution, error){
		tryDirect,
		func() (*Resolution, error) {
			if !hasDetail {
				return nil, nil
			}
			return try(stripped)
		},
		userDirect,
		func() (*Resolution, error) {
			if !hasDetail {
				return nil, nil
			}
			return user(stripped)
		},
		func() (*Resolution, error) {
			if !hasAt || domain == "" {
				return nil, nil
			}
			if r, err := try("@" + domain); r != nil || err != nil {
				return r, err
			}
			d := domain
			for {
				i := strings.IndexByte(d, '.')
				if i < 0 {
					return nil, nil
				}
				d = d[i+1:]
				if r, err := try("@." + d); r != nil || err != nil {
					return r, err
				}
			}
		},
		func() (*Resolution, error) {
			if !hasAt {
				return nil, nil
			}
			if r, err := try(local + "@"); r != nil || err != nil {
				return r, err
			}
			if hasDetail {
				return try(base + "@")
			}
			return nil, nil
		},
	}
	for _, step := range steps {
		r, err := step()
		if err != nil {
			return nil, fmt.Errorf("resolve recipient %q: %w", addr, err)
		}
		if r != nil {
			if hasDetail {
				r.Detail = detail
			}
			return r, nil
		}
	}
	return nil, fmt.Errorf("recipient %q: %w", addr, ErrNotFound)
}

func (db *DB) expandAlias(ctx context.Context, alias string, r *Resolution, seen map[string]bool, depth int) error {
	key := strings.ToLower(alias)
	if seen[key] || depth > maxAliasDepth {
		return nil
	}
	seen[key] = true
	targets, err := db.AliasTargets(ctx, alias)
	if err != nil {
		return err
	}
	return db.expandTargets(ctx, alias, targets, r, seen, depth)
}

// expandTargets is expandAlias for alias's targets, already read.
func (db *DB) expandTargets(ctx context.Context, alias string, targets []string, r *Resolution, seen map[string]bool, depth int) error {
	for _, t := range targets {
		if strings.EqualFold(t, alias) {
			continue // spec 4.5: rows pointing at themselves are ignored
		}
		if isDecimal(t) {
			id, _ := strconv.ParseInt(t, 10, 64)
			var active int
			err := db.QueryRow(ctx, `SELECT active FROM {users} WHERE user_idnr = ?`, id).Scan(&active)
			if err != nil || active == 0 {
				continue // missing or disabled user: skipped (spec 4.1)
			}
			if !containsID(r.UserIDs, id) {
				r.UserIDs = append(r.UserIDs, id)
			}
			continue
		}
		sub, err := db.AliasTargets(ctx, t)
		if err != nil {
			return err
		}
		if len(sub) > 0 && !strings.HasPrefix(t, "|") && !strings.HasPrefix(t, "!") {
			if err := db.expandAlias(ctx, t, r, seen, depth+1); err != nil {
				return err
			}
			continue
		}
		if !containsString(r.Forwards, t) {
			r.Forwards = append(r.Forwards, t)
		}
	}
	return nil
}

// direct is what directLookup finds for an address: its alias targets in
// alias_idnr order, and the user whose login name it is (0 if none) with
// that user's curmail_size and maxmail_size.
type direct struct {
	targets []string
	user    int64
	usage   [2]int64
}

// directLookup reads the alias rows of addr and the user row named addr in
// one query. Several login names may differ from addr only in case: the
// exact one wins, as in UserByName.
func (db *DB) directLookup(ctx context.Context, addr string) (direct, error) {
	var d direct
	rows, err := db.Query(ctx, `SELECT 0, alias_idnr, deliver_to, 0, 0 FROM {aliases} WHERE lower(alias) = lower(?)
		UNION ALL SELECT 1, user_idnr, userid, curmail_size, maxmail_size FROM {users} WHERE lower(userid) = lower(?)
		ORDER BY 1, 2`, addr, addr)
	if err != nil {
		return d, fmt.Errorf("look up %q: %w", addr, err)
	}
	defer rows.Close()
	exact := false
	for rows.Next() {
		var kind, id, used, limit int64
		var text string
		if err := rows.Scan(&kind, &id, &text, &used, &limit); err != nil {
			return d, fmt.Errorf("look up %q: %w", addr, err)
		}
		if kind == 0 {
			d.targets = append(d.targets, text)
			continue
		}
		if d.user == 0 || (!exact && text == addr) {
			d.user, d.usage, exact = id, [2]int64{used, limit}, text == addr
		}
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("look up %q: %w", addr, err)
	}
	return d, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
