package imap4

import (
	"context"
	"errors"
	"fmt"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 3501 §6.4.7 COPY with RFC 4315 COPYUID, and RFC 6851 MOVE (spec
// 6.2): r on the source, i on the target; MOVE also needs t and e on the
// source and runs in one transaction.
func (s *Session) cmdCopy(cmd *Command) {
	a := cmd.Args.(*CopyArgs)
	v := s.sel
	move := cmd.Name == "MOVE"
	if move && (v.readOnly || v.rights&(db.RightDeleteMsg|db.RightExpunge) != db.RightDeleteMsg|db.RightExpunge) {
		s.no(cmd, "NOPERM", "no permission to move messages out of this mailbox")
		return
	}
	idx, err := s.resolveSet(a.Set, cmd.UID)
	if err != nil {
		s.bad(cmd, err.Error())
		return
	}
	if len(idx) == 0 {
		s.done(cmd, "")
		return
	}
	uids := make([]int64, len(idx))
	for i, x := range idx {
		uids[i] = int64(v.msgs[x].UID)
	}
	var target *db.Mailbox
	var srcUIDs, newUIDs []uint32
	err = s.query(func(ctx context.Context, d *db.DB) error {
		var rights db.Rights
		var err error
		if target, rights, err = s.findMailbox(ctx, d, a.Mailbox); err != nil {
			return err
		}
		if rights&db.RightInsert == 0 || target.NoSelect {
			return fmt.Errorf("copy to %q: %w", a.Mailbox, db.ErrPermission)
		}
		srcs, err := d.IMAPCopySources(ctx, v.mb.ID, uids)
		if err != nil {
			return err
		}
		created, err := d.IMAPCopy(ctx, v.mb.ID, srcs, target.ID, s.user.ID, move)
		if err != nil {
			return err
		}
		for i := range srcs {
			srcUIDs = append(srcUIDs, uint32(srcs[i].UID))
			newUIDs = append(newUIDs, uint32(created[i]))
		}
		return nil
	})
	if errors.Is(err, db.ErrQuota) {
		s.no(cmd, "OVERQUOTA", "quota would be exceeded")
		return
	}
	if err != nil {
		s.mailboxError(cmd, err)
		return
	}
	s.cfg.Hub.Publish(target.ID)
	code := ""
	if len(srcUIDs) > 0 {
		code = fmt.Sprintf("COPYUID %d %s %s", target.ID, seqList(srcUIDs), seqList(newUIDs))
	}
	if !move {
		if target.ID == v.mb.ID {
			s.sendUpdates(cmd.UID)
		}
		s.done(cmd, code)
		return
	}
	// RFC 6851 §4.3: COPYUID in an untagged OK before the expunges.
	if code != "" {
		s.enc.StatusLine("*", "OK", code, "Moved")
	}
	s.cfg.Hub.Publish(v.mb.ID)
	if !s.sendUpdates(true) {
		s.fail(cmd, s.lastErr())
		return
	}
	s.done(cmd, "")
}

// seqList writes UIDs in order, comma-separated (the order of COPYUID's
// two sets must correspond, RFC 4315 §3, so no ranges are merged across
// reordering).
func seqList(nums []uint32) string {
	b := make([]byte, 0, len(nums)*8)
	for i, n := range nums {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeqNumber(b, n)
	}
	return string(b)
}
