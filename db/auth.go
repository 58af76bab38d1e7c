package db

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/password"
)

// ErrAuth is returned for any failed login; callers must not tell the
// client which part was wrong.
var ErrAuth = errors.New("authentication failed")

// AuthResult is a successful login.
type AuthResult struct {
	User *User
	// Security is true when the security password (spasswd) matched: the
	// security action has run (spec 4.3).
	Security bool
}

// Authenticate checks a login as DBMail's auth_validate does (spec 4.2):
// empty names or passwords fail, __public__ fails, dbmail_usermap may deny or
// rewrite the name for this client socket (spec 4.4), the user must be
// active, the password is checked against passwd and then spasswd (whose
// success runs the security action, spec 4.3), and last_login is updated.
// clientSocket is `inet:<local ip>:<local port>` of the listener, or "".
func (db *DB) Authenticate(ctx context.Context, login, pass, clientSocket string, actions map[int][]string) (*AuthResult, error) {
	if login == "" || pass == "" {
		return nil, ErrAuth
	}
	name, err := db.ResolveUsermap(ctx, login, clientSocket)
	if err != nil {
		return nil, err
	}
	if name == "" || strings.EqualFold(name, PublicUser) {
		return nil, ErrAuth
	}
	u, err := db.UserByName(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrAuth
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, ErrAuth
	}
	res := &AuthResult{User: u}
	switch {
	case password.Verify(u.EncryptionType, u.Passwd, pass):
	case u.SPasswd != "" && password.Verify(u.EncryptionType, u.SPasswd, pass):
		res.Security = true
		if err := db.RunSecurityAction(ctx, u, actions); err != nil {
			return nil, err
		}
	default:
		return nil, ErrAuth
	}
	if err := db.TouchLastLogin(ctx, u.ID); err != nil {
		return nil, err
	}
	return res, nil
}

// RunSecurityAction performs user's saction (spec 4.3): 1 deletes every
// mailbox of the user; a number listed in [DBMAIL] security_action sets
// status 2 on the user's visible messages carrying any listed flag or
// keyword, then rebuilds the quota; other numbers do nothing.
func (db *DB) RunSecurityAction(ctx context.Context, u *User, actions map[int][]string) error {
	switch {
	case u.SAction == 0:
		return nil
	case u.SAction == 1:
		_, err := db.Exec(ctx, `DELETE FROM {mailboxes} WHERE owner_idnr = ?`, u.ID)
		if err != nil {
			return fmt.Errorf("security action 1 for user %d: %w", u.ID, err)
		}
		return db.RecomputeQuota(ctx, u.ID)
	}
	flags, ok := actions[u.SAction]
	if !ok {
		return nil
	}
	var conds []string
	var args []any
	args = append(args, u.ID)
	for _, f := range flags {
		col := ""
		switch strings.ToLower(strings.TrimPrefix(f, `\`)) {
		case "seen":
			col = "seen_flag"
		case "answered":
			col = "answered_flag"
		case "deleted":
			col = "deleted_flag"
		case "flagged":
			col = "flagged_flag"
		case "draft":
			col = "draft_flag"
		case "recent":
			col = "recent_flag"
		}
		if col != "" && strings.HasPrefix(f, `\`) {
			conds = append(conds, "m."+col+" = 1")
			continue
		}
		conds = append(conds, "m.message_idnr IN (SELECT message_idnr FROM {keywords} WHERE lower(keyword) = lower(?))")
		args = append(args, f)
	}
	if len(conds) == 0 {
		return nil
	}
	_, err := db.Exec(ctx, `UPDATE {messages} SET status = 2 WHERE message_idnr IN (SELECT message_idnr FROM (SELECT m.message_idnr FROM {messages} m
		JOIN {mailboxes} b ON b.mailbox_idnr = m.mailbox_idnr WHERE b.owner_idnr = ? AND m.status < 2 AND (`+strings.Join(conds, " OR ")+`)) x)`, args...)
	if err != nil {
		return fmt.Errorf("security action %d for user %d: %w", u.SAction, u.ID, err)
	}
	return db.RecomputeQuota(ctx, u.ID)
}

// ResolveUsermap applies dbmail_usermap to a login name (spec 4.4). It
// returns the name to look up, or "" when the login is denied.
func (db *DB) ResolveUsermap(ctx context.Context, login, clientSocket string) (string, error) {
	rows, err := db.Query(ctx, `SELECT login, sock_allow, sock_deny, userid FROM {usermap} WHERE login = ? OR login = 'ANY' ORDER BY sock_allow, sock_deny`, login)
	if err != nil {
		return "", fmt.Errorf("usermap: %w", err)
	}
	defer rows.Close()
	bestScore, best, bestLogin, any := 0, "", "", false
	for rows.Next() {
		var l, allow, deny, userid string
		if err := rows.Scan(&l, &allow, &deny, &userid); err != nil {
			return "", fmt.Errorf("usermap: %w", err)
		}
		any = true
		if deny != "" && sockScore(deny, clientSocket) > 0 {
			return "", nil
		}
		if s := sockScore(allow, clientSocket); s > bestScore {
			bestScore, best, bestLogin = s, userid, l
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("usermap: %w", err)
	}
	if !any {
		return login, nil
	}
	if bestScore <= 0 {
		return "", nil
	}
	if bestLogin == "ANY" {
		if strings.Count(best, "%s") != 1 {
			return "", nil
		}
		return strings.Replace(best, "%s", login, 1), nil
	}
	return best, nil
}

// sockScore scores a sock_allow/sock_deny rule against the client socket
// (spec 4.4): `inet:<ipv4>[/<bits>][:<port>]` scores the mask length on a
// match (0.0.0.0 or /0 scores 32), `unix:<glob>` matches with fnmatch, an
// empty socket scores 32; IPv6 sockets never match inet rules.
func sockScore(rule, socket string) int {
	if socket == "" {
		return 32
	}
	if rule == "" {
		return 0
	}
	kind, spec, _ := strings.Cut(rule, ":")
	skind, ssock, _ := strings.Cut(socket, ":")
	if !strings.EqualFold(kind, skind) {
		return 0
	}
	if strings.EqualFold(kind, "unix") {
		if ok, _ := path.Match(spec, ssock); ok {
			return 1
		}
		return 0
	}
	// inet: socket is ip:port
	sip, sport, _ := strings.Cut(ssock, ":")
	ip := net.ParseIP(sip).To4()
	if ip == nil {
		return 0
	}
	addr, port, hasPort := strings.Cut(spec, ":")
	if hasPort && port != sport {
		return 0
	}
	bits := 32
	if a, b, ok := strings.Cut(addr, "/"); ok {
		addr = a
		n, err := strconv.Atoi(b)
		if err != nil || n < 0 || n > 32 {
			return 0
		}
		bits = n
	}
	rip := net.ParseIP(addr).To4()
	if rip == nil {
		return 0
	}
	if rip.Equal(net.IPv4zero) || bits == 0 {
		return 32
	}
	mask := net.CIDRMask(bits, 32)
	if rip.Mask(mask).Equal(ip.Mask(mask)) {
		return bits
	}
	return 0
}
