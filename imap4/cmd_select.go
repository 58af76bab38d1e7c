package imap4

import (
	"context"
	"errors"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
)

// errNoRead marks a mailbox the user may see but not read.
var errNoRead = errors.New("no read right")

// RFC 3501 §6.3.1 SELECT and §6.3.2 EXAMINE, with RFC 7162 §3.1.8
// (CONDSTORE parameter) and §3.2.5 (QRESYNC parameter).
func (s *Session) cmdSelect(cmd *Command) {
	a := cmd.Args.(*SelectArgs)
	if a.QResync != nil && !s.qresync {
		s.bad(cmd, "QRESYNC is not enabled")
		return
	}
	if s.sel != nil {
		s.unselect()
		if s.qresync {
			// RFC 7162 §3.2.11.
			s.enc.StatusLine("*", "OK", "CLOSED", "previous mailbox closed")
		}
	}
	examine := cmd.Name == "EXAMINE"
	var (
		mb     *db.Mailbox
		rights db.Rights
		sn     *snapshot
		st     db.IMAPStatus
		gone   []int64
	)
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		if mb, rights, err = s.findMailbox(ctx, d, a.Mailbox); err != nil {
			return err
		}
		if mb.NoSelect {
			return db.ErrPermission
		}
		if rights&db.RightRead == 0 {
			return errNoRead
		}
		if sn, err = loadSnapshot(ctx, d, mb.ID, 0, false); err != nil {
			return err
		}
		if st, err = d.IMAPMailboxStatus(ctx, mb.ID); err != nil {
			return err
		}
		if q := a.QResync; q != nil && q.UIDValidity == uint32(mb.ID) && q.ModSeq > 0 {
			gone, err = d.IMAPVanished(ctx, mb.ID, q.ModSeq)
		}
		return err
	})
	switch {
	case errors.Is(err, errNoRead):
		s.no(cmd, "NOPERM", "no read permission on mailbox")
		return
	case errors.Is(err, db.ErrPermission):
		s.no(cmd, "CANNOT", "mailbox is not selectable")
		return
	case err != nil:
		s.mailboxError(cmd, err)
		return
	}
	v := &mailboxView{mb: *mb, name: a.Mailbox, rights: rights, readOnly: examine || mb.Permission == 1,
		recent: map[uint32]bool{}, modseq: uint64(sn.seq), uidNext: uint32(min(st.UIDNext, 1<<32-1)),
		msgs: make([]MsgMeta, 0, len(sn.infos))} // exact: kept while the session idles
	if st.UIDNext > 1<<32-1 {
		s.no(cmd, "LIMIT", "message ids of this database exceed 32-bit IMAP UIDs")
		return
	}
	var claim []int64
	for i := range sn.infos {
		mi := &sn.infos[i]
		if mi.Flags.Recent {
			v.recent[uint32(mi.UID)] = true
			if !v.readOnly {
				claim = append(claim, mi.UID)
			}
		}
		m, err := metaOf(mi, sn.keywords[mi.UID], mi.Flags.Recent)
		if err != nil {
			s.no(cmd, "LIMIT", err.Error())
			return
		}
		m.Seq = uint32(i + 1)
		v.msgs = append(v.msgs, m)
	}
	v.keywords = sn.kwList
	if h := s.cfg.afterSelectRead; h != nil {
		h(mb.ID)
	}
	if len(claim) > 0 {
		var modseq int64
		err := s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			modseq, err = d.IMAPFlushRecent(ctx, mb.ID, claim)
			return err
		})
		if err != nil {
			s.fail(cmd, err)
			return
		}
		// The flush bumped the MODSEQ. The view reflects it only when no
		// other change committed between the read above and the flush
		// (the flush got the view's MODSEQ + 1); otherwise the view keeps
		// its MODSEQ and the next update reads that change (and the
		// flushed rows, whose \Recent this session already holds).
		if uint64(modseq) == v.modseq+1 {
			v.modseq = uint64(modseq)
		}
	}
	if a.CondStore {
		s.condStore = true
	}
	s.sel = v
	v.sub = s.cfg.Hub.Subscribe(mb.ID, s.c.Wake)
	s.setState(StateSelected)
	s.c.SetMailbox(a.Mailbox)

	e := s.enc
	e.Star().Number(uint32(len(v.msgs))).Raw(" EXISTS").CRLF()
	e.Star().Number(uint32(v.recentCount())).Raw(" RECENT").CRLF()
	e.Raw("* FLAGS ").FlagList(v.flagNames()).CRLF()
	if v.readOnly {
		e.Raw("* OK [PERMANENTFLAGS ()] No permanent flags permitted").CRLF()
	} else {
		e.Raw("* OK [PERMANENTFLAGS ").FlagList(v.permanentFlags()).Raw("] Flags allowed.").CRLF()
	}
	e.Raw("* OK [UIDNEXT ").Number(v.uidNext).Raw("] Predicted next UID").CRLF()
	e.Raw("* OK [UIDVALIDITY ").Number(uint32(mb.ID)).Raw("] UID value").CRLF()
	e.Raw("* OK [HIGHESTMODSEQ ").Number64(max(v.modseq, 1)).Raw("] Highest").CRLF()
	// RFC 3501 §6.3.1/§6.3.2: UNSEEN for SELECT and EXAMINE alike.
	for i := range v.msgs {
		if !hasFlag(v.msgs[i].Flags, `\Seen`) {
			e.Raw("* OK [UNSEEN ").Number(uint32(i + 1)).Raw("] first unseen message").CRLF()
			break
		}
	}
	if q := a.QResync; q != nil && q.UIDValidity == uint32(mb.ID) {
		s.qresyncReport(q, gone)
	}
	code := "READ-WRITE"
	if v.readOnly {
		code = "READ-ONLY"
	}
	text := cmd.Name + " completed"
	if a.CondStore {
		text += ", CONDSTORE is now enabled"
	}
	s.ok(cmd, code, text)
}

// qresyncReport sends what changed since the client's MODSEQ (RFC 7162
// §3.2.5.2): VANISHED (EARLIER) for expunged UIDs, then FETCH for
// messages changed since, both limited to the known UIDs.
func (s *Session) qresyncReport(q *QResyncParams, gone []int64) {
	v := s.sel
	known := func(uid uint32) bool {
		return !q.HasKnownUIDs || q.KnownUIDs.Contains(uid, v.maxUID())
	}
	var vanished []uint32
	for _, u := range gone {
		if uid := uint32(u); known(uid) {
			vanished = append(vanished, uid)
		}
	}
	if len(vanished) > 0 {
		s.enc.Raw("* VANISHED (EARLIER) ").NumSet(vanished).CRLF()
	}
	for i := range v.msgs {
		m := &v.msgs[i]
		if m.ModSeq > q.ModSeq && known(m.UID) {
			s.enc.Star().Number(m.Seq).Raw(" FETCH (UID ").Number(m.UID).Raw(" FLAGS ").FlagList(m.Flags).
				Raw(" MODSEQ (").Number64(m.ModSeq).Raw("))").CRLF()
		}
	}
}

// RFC 3501 §6.4.2 CLOSE (expunges silently when the mailbox is read-write
// and the user has the e right, spec 6.2) and RFC 3691 UNSELECT.
func (s *Session) cmdClose(cmd *Command) {
	v := s.sel
	code := ""
	if cmd.Name == "CLOSE" && !v.readOnly && v.rights&db.RightExpunge != 0 {
		var modseq int64
		err := s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			_, modseq, err = d.IMAPExpunge(ctx, v.mb.ID, s.user.ID, nil)
			return err
		})
		if err != nil {
			s.fail(cmd, err)
			return
		}
		s.cfg.Hub.Publish(v.mb.ID)
		if s.qresync {
			// RFC 7162 §3.2.7 (spec 6.2): the new HIGHESTMODSEQ.
			code = "HIGHESTMODSEQ " + strconv.FormatInt(modseq, 10)
		}
	}
	s.unselect()
	s.done(cmd, code)
}
