package imap4

import (
	"context"
	"fmt"

	"github.com/dbmail-go/dbmail/db"
)

// sendUpdates brings the view up to date with the database and writes the
// untagged responses that tell the client (RFC 3501 §7.3.1 EXISTS,
// §7.3.2 RECENT, §7.4.1 EXPUNGE, §7.4.2 FETCH FLAGS; RFC 7162 §3.2.10
// VANISHED under QRESYNC, MODSEQ under CONDSTORE). With allowExpunge
// false (FETCH, STORE, SEARCH, RFC 3501 §7.4.1) a change that includes
// expunges is left for a later command entirely, so sequence numbers do
// not move. It returns false if the database could not be read; lastErr
// says why.
func (s *Session) sendUpdates(allowExpunge bool) bool {
	v := s.sel
	if v == nil {
		return true
	}
	var (
		sn *snapshot
		ch *db.IMAPChanges
	)
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		if sn, err = loadSnapshot(ctx, d, v.mb.ID, v.modseq, true); err != nil || !sn.exists || uint64(sn.seq) == v.modseq {
			return err
		}
		// Usually only a few rows changed: read those (spec 2.15 gives
		// every changed row the new MODSEQ) and reload everything only
		// when they do not explain the new message count.
		if ch, err = d.IMAPChangedSince(ctx, v.mb.ID, v.modseq); err != nil {
			return err
		}
		if v.explains(ch) {
			return nil
		}
		ch = nil
		sn, err = loadSnapshot(ctx, d, v.mb.ID, v.modseq, false)
		return err
	})
	if err != nil {
		v.err = err
		return false
	}
	if !sn.exists {
		// The mailbox was deleted under us: nothing more can be read from
		// it (RFC 3501 leaves this to the server; Dovecot and Cyrus end
		// the session).
		s.enc.StatusLine("*", "BYE", "", "selected mailbox was deleted")
		s.closing = fmt.Errorf("selected mailbox %d deleted", v.mb.ID)
		return true
	}
	if uint64(sn.seq) == v.modseq {
		return true
	}
	if ch != nil {
		gone := map[uint32]bool{}
		var rows []db.MessageInfo
		var kws []string
		for _, r := range ch.Rows {
			if r.Status >= 2 {
				gone[uint32(r.UID)] = true
				continue
			}
			rows = append(rows, r)
			kws = append(kws, ch.Keywords[r.UID]...)
		}
		return s.applyChanges(gone, rows, ch.Keywords, kws, sn.seq, allowExpunge)
	}
	present := make(map[uint32]bool, len(sn.infos))
	for i := range sn.infos {
		present[uint32(sn.infos[i].UID)] = true
	}
	gone := map[uint32]bool{}
	for i := range v.msgs {
		if !present[v.msgs[i].UID] {
			gone[v.msgs[i].UID] = true
		}
	}
	return s.applyChanges(gone, sn.infos, sn.keywords, sn.kwList, sn.seq, allowExpunge)
}

// explains reports whether the changed rows account for the new number of
// visible messages: the view minus the expunged rows it holds plus the
// new rows above its highest UID.
func (v *mailboxView) explains(ch *db.IMAPChanges) bool {
	n := int64(len(v.msgs))
	top := v.maxUID()
	for _, r := range ch.Rows {
		_, known := v.find(uint32(r.UID))
		switch {
		case r.Status >= 2 && known:
			n--
		case r.Status < 2 && !known:
			if uint32(r.UID) <= top {
				return false
			}
			n++
		}
	}
	return n == ch.Visible
}

func (s *Session) lastErr() error {
	if s.sel != nil && s.sel.err != nil {
		return s.sel.err
	}
	return fmt.Errorf("mailbox update failed")
}

// applyChanges reports and applies a change to the view: gone are the
// expunged UIDs, rows the visible rows that are new or may have changed
// (UID order), kws their keywords, kwList keywords possibly new to FLAGS.
func (s *Session) applyChanges(gone map[uint32]bool, rows []db.MessageInfo, kws map[int64][]string, kwList []string, seq int64, allowExpunge bool) bool {
	v := s.sel
	var goneIdx []int
	for i := range v.msgs {
		if gone[v.msgs[i].UID] {
			goneIdx = append(goneIdx, i)
		}
	}
	if len(goneIdx) > 0 && !allowExpunge {
		return true
	}
	// Expunges, highest sequence number first so each number is valid
	// when the client applies it (RFC 3501 §7.4.1).
	if len(goneIdx) > 0 {
		if s.qresync {
			uids := make([]uint32, len(goneIdx))
			for i, g := range goneIdx {
				uids[i] = v.msgs[g].UID
			}
			s.enc.Raw("* VANISHED ").NumSet(uids).CRLF()
		} else {
			for i := len(goneIdx) - 1; i >= 0; i-- {
				s.enc.Star().Number(uint32(goneIdx[i] + 1)).Raw(" EXPUNGE").CRLF()
			}
		}
		kept := v.msgs[:0]
		for i := range v.msgs {
			if gone[v.msgs[i].UID] {
				delete(v.recent, v.msgs[i].UID)
				continue
			}
			kept = append(kept, v.msgs[i])
		}
		v.msgs = kept
		for i := range v.msgs {
			v.msgs[i].Seq = uint32(i + 1)
		}
	}
	if v.addKeywords(kwList) {
		s.enc.Raw("* FLAGS ").FlagList(v.flagNames()).CRLF()
		if !v.readOnly {
			s.enc.Raw("* OK [PERMANENTFLAGS ").FlagList(v.permanentFlags()).Raw("] Flags allowed.").CRLF()
		}
	}
	oldCount := len(v.msgs)
	var claim []int64
	for i := range rows {
		mi := &rows[i]
		uid := uint32(mi.UID)
		idx, known := v.find(uid)
		if !known {
			if uid <= v.maxUID() {
				// A UID below one already reported would renumber the
				// mailbox; UIDs are allocated under the mailbox lock in
				// commit order, so this only happens for rows moved in
				// by dbmail-util --move; they show up at the next SELECT.
				continue
			}
			if mi.Flags.Recent {
				v.recent[uid] = true
				if !v.readOnly {
					claim = append(claim, mi.UID)
				}
			}
			m, err := metaOf(mi, kws[mi.UID], v.recent[uid])
			if err != nil {
				v.err = err
				return false
			}
			m.Seq = uint32(len(v.msgs) + 1)
			v.msgs = append(v.msgs, m)
			continue
		}
		old := &v.msgs[idx]
		flags := flagsOf(mi.Flags, v.recent[uid], kws[mi.UID])
		modseq := uint64(max(mi.ModSeq, 1))
		if !sameFlags(old.Flags, flags) || (s.condStore && modseq != old.ModSeq) {
			old.Flags, old.ModSeq = flags, modseq
			if s.deferFlags {
				s.pendingFlags = append(s.pendingFlags, old.Seq)
			} else {
				s.writeFlagsFetch(old, true) // with UID: clients can apply it whatever command they run
			}
		}
		old.Flags, old.ModSeq = flags, modseq
	}
	if len(v.msgs) != oldCount {
		s.enc.Star().Number(uint32(len(v.msgs))).Raw(" EXISTS").CRLF()
		s.enc.Star().Number(uint32(v.recentCount())).Raw(" RECENT").CRLF()
	}
	v.modseq = uint64(seq)
	if n := v.maxUID() + 1; n > v.uidNext {
		v.uidNext = n
	}
	if len(claim) > 0 {
		// Tell the client first: the flush is a write transaction.
		_ = s.flush()
		if err := s.query(func(ctx context.Context, d *db.DB) error {
			_, err := d.IMAPFlushRecent(ctx, v.mb.ID, claim)
			return err
		}); err != nil {
			s.log.Warn("flush recent", "err", err)
		}
		s.proto.cfg.Hub.Publish(v.mb.ID)
	}
	return true
}

// writeFlagsFetch writes "* n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])"
// (RFC 3501 §7.4.2, RFC 7162 §3.1.4.1: UID is included under QRESYNC, for
// UID commands, and in unsolicited updates from other sessions, so a client
// can apply one in the middle of any command).
func (s *Session) writeFlagsFetch(m *MsgMeta, withUID bool) {
	s.enc.Star().Number(m.Seq).Raw(" FETCH (FLAGS ").FlagList(m.Flags)
	if withUID || s.qresync {
		s.enc.Raw(" UID ").Number(m.UID)
	}
	if s.condStore {
		s.enc.Raw(" MODSEQ (").Number64(m.ModSeq).Raw(")")
	}
	s.enc.Raw(")").CRLF()
}

// unselect leaves the selected state without expunging.
func (s *Session) unselect() {
	if s.sel == nil {
		return
	}
	s.sel.sub.Close()
	s.sel = nil
	s.saved = nil
	if s.state == StateSelected {
		s.setState(StateAuth)
	}
	s.c.SetMailbox("")
}
