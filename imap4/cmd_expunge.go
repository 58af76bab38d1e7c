package imap4

import (
	"context"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 3501 §6.4.3 EXPUNGE and RFC 4315 §2.1 UID EXPUNGE (spec 2.16); the
// expunged messages are reported by the update that follows, as EXPUNGE
// or, under QRESYNC, VANISHED (RFC 7162 §3.2.10), and the completion
// carries HIGHESTMODSEQ under QRESYNC (RFC 7162 §3.2.7).
func (s *Session) cmdExpunge(cmd *Command) {
	v := s.sel
	if v.readOnly {
		s.no(cmd, "READ-ONLY", "mailbox is read-only")
		return
	}
	if v.rights&db.RightExpunge == 0 {
		s.no(cmd, "NOPERM", "no expunge right on mailbox")
		return
	}
	var uids []int64
	if cmd.UID {
		a := cmd.Args.(*ExpungeArgs)
		idx, err := s.resolveSet(a.Set, true)
		if err != nil {
			s.bad(cmd, err.Error())
			return
		}
		uids = make([]int64, 0, len(idx))
		for _, i := range idx {
			uids = append(uids, int64(v.msgs[i].UID))
		}
		if len(uids) == 0 {
			s.done(cmd, "")
			return
		}
	}
	var modseq int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		_, modseq, err = d.IMAPExpunge(ctx, v.mb.ID, s.user.ID, uids)
		return err
	})
	if err != nil {
		s.fail(cmd, err)
		return
	}
	s.cfg.Hub.Publish(v.mb.ID)
	if !s.sendUpdates(true) {
		s.fail(cmd, s.lastErr())
		return
	}
	code := ""
	if s.qresync {
		code = "HIGHESTMODSEQ " + strconv.FormatInt(max(modseq, int64(v.modseq)), 10)
	}
	s.done(cmd, code)
}
