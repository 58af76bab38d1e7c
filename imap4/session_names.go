package imap4

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// resolved is a client mailbox name split into owner and owner-relative
// name (spec 3.1 namespaces).
type resolved struct {
	ownerID   int64
	ownerName string // "" for the session's own user
	name      string // owner-relative, normalised
}

// resolveName maps a client name to owner and name: `#Users/<user>/<name>`
// and `#Public/<name>` address other owners, case-insensitively on the
// prefix; anything else is the user's own (spec 3.1). Names are in
// modified UTF-7 on the wire and in the database alike.
func (s *Session) resolveName(ctx context.Context, d *db.DB, name string) (resolved, error) {
	n := strings.Trim(name, "/")
	if rest, ok := cutPrefixFold(n, db.NamespaceUsers+"/"); ok {
		owner, sub, _ := strings.Cut(rest, "/")
		u, err := d.UserByName(ctx, owner)
		if err != nil {
			return resolved{}, fmt.Errorf("owner %q: %w", owner, err)
		}
		return resolved{ownerID: u.ID, ownerName: u.Name, name: db.NormalizeMailboxName(sub)}, nil
	}
	if rest, ok := cutPrefixFold(n, db.NamespacePublic+"/"); ok {
		id, err := d.SpecialUserID(ctx, db.PublicUser)
		if err != nil {
			return resolved{}, fmt.Errorf("public namespace: %w", err)
		}
		return resolved{ownerID: id, ownerName: db.PublicUser, name: db.NormalizeMailboxName(rest)}, nil
	}
	return resolved{ownerID: s.user.ID, name: db.NormalizeMailboxName(n)}, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// findMailbox resolves and looks up a mailbox and the session's rights on
// it; INBOX is created when missing (spec 6.2). A mailbox the user may not
// even look up is reported as not found (RFC 4314 §4).
func (s *Session) findMailbox(ctx context.Context, d *db.DB, name string) (*db.Mailbox, db.Rights, error) {
	r, err := s.resolveName(ctx, d, name)
	if err != nil {
		return nil, 0, err
	}
	var m *db.Mailbox
	if r.ownerID == s.user.ID && r.name == "INBOX" {
		m, err = d.EnsureMailbox(ctx, r.ownerID, "INBOX")
	} else {
		m, err = d.FindMailbox(ctx, r.ownerID, r.name)
	}
	if err != nil {
		return nil, 0, err
	}
	rights, err := d.RightsOf(ctx, s.user.ID, m)
	if err != nil {
		return nil, 0, err
	}
	if m.OwnerID != s.user.ID && rights&(db.RightLookup|db.RightRead) == 0 {
		return nil, 0, fmt.Errorf("mailbox %q: %w", name, db.ErrNotFound)
	}
	return m, rights, nil
}

// displayName is the name the client sees for a mailbox of ownerName.
func (s *Session) displayName(ownerID int64, ownerName, name string) string {
	switch {
	case ownerID == s.user.ID:
		return name
	case strings.EqualFold(ownerName, db.PublicUser):
		return db.NamespacePublic + "/" + name
	}
	return db.NamespaceUsers + "/" + ownerName + "/" + name
}

// mailboxError answers a failed mailbox lookup or change.
func (s *Session) mailboxError(cmd *Command, err error) {
	switch {
	case errors.Is(err, db.ErrNotFound):
		if cmd.Name == "APPEND" || cmd.Name == "COPY" || cmd.Name == "MOVE" {
			s.no(cmd, "TRYCREATE", "specified mailbox does not exist")
			return
		}
		s.no(cmd, "NONEXISTENT", "mailbox does not exist")
	case errors.Is(err, db.ErrExists):
		s.no(cmd, "ALREADYEXISTS", "mailbox already exists")
	case errors.Is(err, db.ErrPermission):
		s.no(cmd, "NOPERM", "permission denied")
	case errors.Is(err, db.ErrInvalid):
		s.no(cmd, "CANNOT", "invalid mailbox name")
	case errors.Is(err, db.ErrQuota):
		s.no(cmd, "OVERQUOTA", "quota would be exceeded")
	default:
		s.fail(cmd, err)
	}
}
