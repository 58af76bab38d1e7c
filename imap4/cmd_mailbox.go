package imap4

import (
	"context"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 3501 §6.3.3 CREATE (spec 3.3) with RFC 6154 §3 USE. IMAP CREATE
// does not subscribe.
// Creating in another owner's namespace needs the k right on the parent,
// and under #Public grants the creator all rights (spec 3.3).
func (s *Session) cmdCreate(cmd *Command) {
	a := cmd.Args.(*CreateArgs)
	if err := CheckMailboxName(a.Mailbox); err != nil {
		s.no(cmd, "CANNOT", err.Error())
		return
	}
	if len(a.SpecialUse) > 0 && (!useAllowed(db.NormalizeMailboxName(a.Mailbox), a.SpecialUse) || strings.HasPrefix(a.Mailbox, "#")) {
		// RFC 6154 §3: the attributes follow from the name (see
		// specialUseOf); others cannot be stored.
		s.no(cmd, "USEATTR", "special-use attribute does not match the mailbox name")
		return
	}
	err := s.query(func(ctx context.Context, d *db.DB) error {
		r, err := s.resolveName(ctx, d, a.Mailbox)
		if err != nil {
			return err
		}
		if strings.EqualFold(r.name, "INBOX") && r.ownerID == s.user.ID {
			return fmt.Errorf("INBOX: %w", db.ErrExists)
		}
		opt := db.CreateOptions{}
		if r.ownerID != s.user.ID {
			if err := s.checkParentRight(ctx, d, r, db.RightCreate); err != nil {
				return err
			}
			if strings.EqualFold(r.ownerName, db.PublicUser) {
				opt.GrantAllTo = s.user.ID
			}
		}
		_, err = d.CreateMailbox(ctx, r.ownerID, r.name, opt)
		return err
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.done(cmd, "")
}

// checkParentRight requires right on the parent of r.name in another
// owner's tree (RFC 4314 §4 CREATE needs k on the parent).
func (s *Session) checkParentRight(ctx context.Context, d *db.DB, r resolved, right db.Rights) error {
	i := strings.LastIndexByte(r.name, '/')
	if i < 0 {
		if strings.EqualFold(r.ownerName, db.PublicUser) {
			return nil // top level of #Public: anyone may create (spec 3.3)
		}
		return fmt.Errorf("create in %s's top level: %w", r.ownerName, db.ErrPermission)
	}
	parent, err := d.FindMailbox(ctx, r.ownerID, r.name[:i])
	if err != nil {
		return err
	}
	rights, err := d.RightsOf(ctx, s.user.ID, parent)
	if err != nil {
		return err
	}
	if rights&right == 0 {
		return fmt.Errorf("mailbox %q: %w", r.name[:i], db.ErrPermission)
	}
	return nil
}

// RFC 3501 §6.3.4 DELETE (spec 3.3); needs the x right (RFC 4314 §4).
func (s *Session) cmdDelete(cmd *Command) {
	a := cmd.Args.(*MailboxArgs)
	var id int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, rights, err := s.findMailbox(ctx, d, a.Mailbox)
		if err != nil {
			return err
		}
		if rights&db.RightDelete == 0 {
			return fmt.Errorf("delete %q: %w", a.Mailbox, db.ErrPermission)
		}
		id = m.ID
		return d.DeleteMailbox(ctx, m)
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.cfg.Hub.Publish(id)
	s.done(cmd, "")
}

// RFC 3501 §6.3.5 RENAME (spec 3.3): within one owner's tree; needs x on
// the source.
func (s *Session) cmdRename(cmd *Command) {
	a := cmd.Args.(*RenameArgs)
	if err := CheckMailboxName(a.To); err != nil {
		s.no(cmd, "CANNOT", err.Error())
		return
	}
	var id int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, rights, err := s.findMailbox(ctx, d, a.From)
		if err != nil {
			return err
		}
		if rights&db.RightDelete == 0 {
			return fmt.Errorf("rename %q: %w", a.From, db.ErrPermission)
		}
		to, err := s.resolveName(ctx, d, a.To)
		if err != nil {
			return err
		}
		if to.ownerID != m.OwnerID {
			return fmt.Errorf("rename across owners: %w", db.ErrPermission)
		}
		id = m.ID
		return d.RenameMailbox(ctx, m, to.name)
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.cfg.Hub.Publish(id)
	s.done(cmd, "")
}

// RFC 3501 §6.3.6 SUBSCRIBE and §6.3.7 UNSUBSCRIBE.
func (s *Session) cmdSubscribe(cmd *Command) {
	a := cmd.Args.(*MailboxArgs)
	err := s.query(func(ctx context.Context, d *db.DB) error {
		m, _, err := s.findMailbox(ctx, d, a.Mailbox)
		if err != nil {
			return err
		}
		if cmd.Name == "SUBSCRIBE" {
			return d.Subscribe(ctx, s.user.ID, m.ID)
		}
		return d.Unsubscribe(ctx, s.user.ID, m.ID)
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.done(cmd, "")
}

// RFC 3501 §6.3.10 STATUS, with HIGHESTMODSEQ (RFC 7162 §3.1.6) and SIZE
// (RFC 8438). Needs the r right (spec 6.2).
func (s *Session) cmdStatus(cmd *Command) {
	a := cmd.Args.(*StatusArgs)
	var st db.IMAPStatus
	var mb *db.Mailbox
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var rights db.Rights
		var err error
		if mb, rights, err = s.findMailbox(ctx, d, a.Mailbox); err != nil {
			return err
		}
		if mb.NoSelect {
			return fmt.Errorf("status of %q: %w", a.Mailbox, db.ErrNotFound)
		}
		if rights&db.RightRead == 0 {
			return fmt.Errorf("status of %q: %w", a.Mailbox, db.ErrPermission)
		}
		st, err = d.IMAPMailboxStatus(ctx, mb.ID)
		return err
	})
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	if s.sel != nil && s.sel.mb.ID == mb.ID && uint64(st.UIDNext) < uint64(s.sel.uidNext) {
		st.UIDNext = int64(s.sel.uidNext)
	}
	s.writeStatus(a.Mailbox, a.Items, mb, st)
	s.done(cmd, "")
}

// writeStatus writes one "* STATUS" response (RFC 3501 §7.2.4).
func (s *Session) writeStatus(name string, items []string, mb *db.Mailbox, st db.IMAPStatus) {
	e := s.enc
	e.Raw("* STATUS ").Mailbox(name).Raw(" (")
	first := true
	item := func(k string, v int64) {
		if !first {
			e.SP()
		}
		first = false
		e.Raw(k).SP().Number64(uint64(max(v, 0)))
	}
	for _, it := range items {
		switch it {
		case "MESSAGES":
			item(it, st.Messages)
		case "RECENT":
			item(it, st.Recent)
		case "UNSEEN":
			item(it, st.Unseen)
		case "UIDNEXT":
			item(it, st.UIDNext)
		case "UIDVALIDITY":
			item(it, mb.ID)
		case "HIGHESTMODSEQ":
			item(it, max(st.HighestModSeq, 1))
		case "SIZE":
			item(it, st.Size)
		case "APPENDLIMIT":
			item(it, s.p.Limits().MaxLiteral)
		}
	}
	e.Raw(")").CRLF()
}
