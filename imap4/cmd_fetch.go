package imap4

import (
	"context"
	"errors"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/server"
)

// RFC 3501 §6.4.5 FETCH and §6.4.8 UID FETCH, with RFC 7162 CHANGEDSINCE
// (§3.1.4.1) and VANISHED (§3.2.6). Rendering is WriteFetch's; this
// handler picks the messages, sets \Seen first (so the FLAGS sent are the
// new ones, spec 2.12) and reports pending updates (no EXPUNGE for the
// sequence-number form, RFC 3501 §7.4.1).
func (s *Session) cmdFetch(cmd *Command) {
	a := cmd.Args.(*FetchArgs)
	v := s.sel
	// Flag changes of other sessions go after this command's own FETCH
	// responses (before the tagged reply, which sends them): a client
	// that takes the first FETCH of a message as the command's answer
	// (go-imap v2 does) then still sees the data it asked for, as with
	// Dovecot.
	s.deferFlags = true
	if !s.sendUpdates(cmd.UID) {
		s.fail(cmd, s.lastErr())
		return
	}
	if a.Vanished && (!cmd.UID || !s.qresync || !a.HasChangedSince) {
		s.bad(cmd, "VANISHED needs UID FETCH, QRESYNC and CHANGEDSINCE")
		return
	}
	idx, err := s.resolveSet(a.Set, cmd.UID)
	if err != nil {
		s.bad(cmd, err.Error())
		return
	}
	for _, it := range a.Items {
		if it.Kind == FetchModSeq {
			s.condStore = true
		}
	}
	if a.HasChangedSince {
		s.condStore = true
		kept := idx[:0]
		for _, i := range idx {
			if v.msgs[i].ModSeq > a.ChangedSince {
				kept = append(kept, i)
			}
		}
		idx = kept
	}
	if a.Vanished {
		if !s.writeVanishedEarlier(cmd, a) {
			return
		}
	}
	if err := s.markSeen(cmd, idx, a.Items); err != nil {
		s.fail(cmd, err)
		return
	}
	src := &msgSource{s: s}
	// RFC 7162 §3.2: once QRESYNC is enabled, FETCH responses carry UID.
	opt := FetchOptions{UIDMode: cmd.UID || s.qresync, CondStore: s.condStore, ReadOnly: v.readOnly || v.rights&db.RightSeen == 0}
	ctx := s.c.Context()
	for _, i := range idx {
		if _, err := WriteFetch(ctx, s.enc, &v.msgs[i], a.Items, src, opt); err != nil {
			if s.enc.Err() != nil || errors.Is(err, server.ErrDisconnected) {
				s.closing = server.CloseWith(server.CloseWriteError, err)
				return
			}
			var cte *UnknownCTEError
			if errors.As(err, &cte) {
				s.no(cmd, "UNKNOWN-CTE", "unknown content-transfer-encoding")
				return
			}
			s.fail(cmd, err)
			return
		}
	}
	s.done(cmd, "")
}

// markSeen sets \Seen in the database on the messages a non-PEEK content
// fetch reads, when the mailbox is read-write and the user has s.
func (s *Session) markSeen(cmd *Command, idx []int, items []FetchItem) error {
	v := s.sel
	if v.readOnly || v.rights&db.RightSeen == 0 || !ItemsSetSeen(items) {
		return nil
	}
	var uids []int64
	var which []int
	for _, i := range idx {
		if !hasFlag(v.msgs[i].Flags, `\Seen`) {
			uids = append(uids, int64(v.msgs[i].UID))
			which = append(which, i)
		}
	}
	if len(uids) == 0 {
		return nil
	}
	var res db.IMAPStoreResult
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		res, err = d.IMAPStoreFlags(ctx, v.mb.ID, uids, db.IMAPStore{Op: db.IMAPStoreAdd, Flags: db.Flags{Seen: true}})
		return err
	})
	if err != nil {
		return err
	}
	for _, i := range which {
		m := &v.msgs[i]
		m.Flags = applyStore(m.Flags, StoreAdd, []string{`\Seen`})
		m.ModSeq = uint64(res.ModSeq)
	}
	if uint64(res.ModSeq) == v.modseq+1 {
		v.modseq = uint64(res.ModSeq)
	}
	s.cfg.Hub.Publish(v.mb.ID)
	return nil
}

// writeVanishedEarlier sends "* VANISHED (EARLIER)" for UIDs of the set
// expunged since CHANGEDSINCE (RFC 7162 §3.2.6).
func (s *Session) writeVanishedEarlier(cmd *Command, a *FetchArgs) bool {
	v := s.sel
	var gone []int64
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		gone, err = d.IMAPVanished(ctx, v.mb.ID, a.ChangedSince)
		return err
	})
	if err != nil {
		s.fail(cmd, err)
		return false
	}
	var uids []uint32
	top := max(v.maxUID(), v.uidNext)
	for _, u := range gone {
		if a.Set.Contains(uint32(u), top) {
			uids = append(uids, uint32(u))
		}
	}
	if len(uids) > 0 {
		s.enc.Raw("* VANISHED (EARLIER) ").NumSet(uids).CRLF()
	}
	return true
}
