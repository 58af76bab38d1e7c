package imap4

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 4314 §3.3 GETACL (needs a, spec 3.4).
func (s *Session) cmdGetACL(cmd *Command) {
	a := cmd.Args.(*MailboxArgs)
	var entries []db.ACLEntry
	var owner *db.User
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, rights, err := s.findMailbox(ctx, d, a.Mailbox)
		if err != nil {
			return err
		}
		if rights&db.RightAdminister == 0 {
			return fmt.Errorf("getacl: %w", db.ErrPermission)
		}
		if owner, err = d.UserByID(ctx, m.OwnerID); err != nil {
			return err
		}
		entries, err = d.ACL(ctx, m.ID)
		return err
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	e := s.enc.Raw("* ACL ").Mailbox(a.Mailbox)
	ownerListed := false
	for _, x := range entries {
		ownerListed = ownerListed || x.UserID == owner.ID
	}
	if !ownerListed && !strings.EqualFold(owner.Name, db.PublicUser) {
		e.SP().AString(owner.Name).SP().AString(db.AllRights.String())
	}
	for _, x := range entries {
		e.SP().AString(x.UserName).SP().AString(x.Rights.String())
	}
	e.CRLF()
	s.done(cmd, "")
}

// RFC 4314 §3.1 SETACL and §3.2 DELETEACL (needs a).
func (s *Session) cmdSetACL(cmd *Command) {
	var mailbox, ident, mod string
	switch a := cmd.Args.(type) {
	case *SetACLArgs:
		mailbox, ident, mod = a.Mailbox, a.Identifier, a.Rights
	case *ACLIdentifierArgs:
		mailbox, ident = a.Mailbox, a.Identifier
	}
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, rights, err := s.findMailbox(ctx, d, mailbox)
		if err != nil {
			return err
		}
		if rights&db.RightAdminister == 0 {
			return fmt.Errorf("setacl: %w", db.ErrPermission)
		}
		u, err := d.UserByName(ctx, ident)
		if errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("identifier %q: %w", ident, db.ErrInvalid)
		}
		if err != nil {
			return err
		}
		if cmd.Name == "DELETEACL" {
			return d.DeleteACL(ctx, u.ID, m.ID)
		}
		op := byte(0)
		if mod != "" && (mod[0] == '+' || mod[0] == '-') {
			op, mod = mod[0], mod[1:]
		}
		r, err := db.ParseRights(mod)
		if err != nil {
			return err
		}
		if op != 0 {
			cur := db.Rights(0)
			entries, err := d.ACL(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, x := range entries {
				if x.UserID == u.ID {
					cur = x.Rights
				}
			}
			if op == '+' {
				r = cur | r
			} else {
				r = cur &^ r
			}
		}
		return d.SetACL(ctx, u.ID, m.ID, r)
	})
	if errors.Is(err, db.ErrInvalid) {
		s.bad(cmd, "invalid identifier or rights")
		return
	}
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.done(cmd, "")
}

// RFC 4314 §3.4 LISTRIGHTS: the owner always has everything; others may
// get any right independently.
func (s *Session) cmdListRights(cmd *Command) {
	a := cmd.Args.(*ACLIdentifierArgs)
	var ownerName string
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, rights, err := s.findMailbox(ctx, d, a.Mailbox)
		if err != nil {
			return err
		}
		if rights&(db.RightAdminister|db.RightLookup) == 0 {
			return fmt.Errorf("listrights: %w", db.ErrPermission)
		}
		u, err := d.UserByID(ctx, m.OwnerID)
		if err != nil {
			return err
		}
		ownerName = u.Name
		return nil
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	e := s.enc.Raw("* LISTRIGHTS ").Mailbox(a.Mailbox).SP().AString(a.Identifier)
	if strings.EqualFold(a.Identifier, ownerName) {
		e.SP().AString(db.AllRights.String())
	} else {
		e.Raw(` "" l r s w i p k x t e a c d`)
	}
	e.CRLF()
	s.done(cmd, "")
}

// RFC 4314 §3.5 MYRIGHTS.
func (s *Session) cmdMyRights(cmd *Command) {
	a := cmd.Args.(*MailboxArgs)
	var rights db.Rights
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		_, rights, err = s.findMailbox(ctx, d, a.Mailbox)
		return err
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.enc.Raw("* MYRIGHTS ").Mailbox(a.Mailbox).SP().AString(rights.String()).CRLF()
	s.done(cmd, "")
}

// RFC 9208 §4.3 GETQUOTAROOT: one root "" per user (spec 6.2).
func (s *Session) cmdGetQuotaRoot(cmd *Command) {
	a := cmd.Args.(*MailboxArgs)
	var used, limit int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		if _, _, err := s.findMailbox(ctx, d, a.Mailbox); err != nil {
			return err
		}
		var err error
		used, limit, err = d.QuotaUsage(ctx, s.user.ID)
		return err
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.enc.Raw("* QUOTAROOT ").Mailbox(a.Mailbox).Raw(` ""`).CRLF()
	s.writeQuota(used, limit)
	s.done(cmd, "")
}

// RFC 9208 §4.2 GETQUOTA.
func (s *Session) cmdGetQuota(cmd *Command) {
	a := cmd.Args.(*QuotaRootArgs)
	if a.Root != "" {
		s.no(cmd, "NONEXISTENT", "no such quota root")
		return
	}
	var used, limit int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		used, limit, err = d.QuotaUsage(ctx, s.user.ID)
		return err
	})
	if err != nil {
		s.fail(cmd, err)
		return
	}
	s.writeQuota(used, limit)
	s.done(cmd, "")
}

// writeQuota writes "* QUOTA "" (STORAGE used limit)" in KiB when the
// user has a limit (spec 6.2).
func (s *Session) writeQuota(used, limit int64) {
	if limit <= 0 {
		return
	}
	s.enc.Raw(`* QUOTA "" (STORAGE `).Number64(uint64(max(used, 0) / 1024)).SP().Number64(uint64(limit / 1024)).Raw(")").CRLF()
}

// SETQUOTA is not offered (spec 6.2: quotas are set with dbmail-users).
func (s *Session) cmdSetQuota(cmd *Command) {
	s.no(cmd, "NOPERM", "quota is set by the administrator")
}
