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
	var sn *snapshot
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		sn, err = loadSnapshot(ctx, d, v.mb.ID, v.modseq, true)
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
	if uint64(sn.seq) == v.modseq && sn.infos == nil {
		return true
	}
	return s.applySnapshot(sn, allowExpunge)
}

func (s *Session) lastErr() error {
	if s.sel != nil && s.sel.err != nil {
		return s.sel.err
	}
	return fmt.Errorf("mailbox update failed")
}

// applySnapshot diffs sn against the view and reports the differences.
func (s *Session) applySnapshot(sn *snapshot, allowExpunge bool) bool {
	v := s.sel
	present := make(map[uint32]int, len(sn.infos))
	for i := range sn.infos {
		present[uint32(sn.infos[i].UID)] = i
	}
	var gone []int
	for i := range v.msgs {
		if _, ok := present[v.msgs[i].UID]; !ok {
			gone = append(gone, i)
		}
	}
	if len(gone) > 0 && !allowExpunge {
		return true
	}
	// Expunges, highest sequence number first so each number is valid
	// when the client applies it (RFC 3501 §7.4.1).
	if len(gone) > 0 {
		if s.qresync {
			uids := make([]uint32, len(gone))
			for i, g := range gone {
				uids[i] = v.msgs[g].UID
			}
			s.enc.Raw("* VANISHED ").NumSet(uids).CRLF()
		} else {
			for i := len(gone) - 1; i >= 0; i-- {
				s.enc.Star().Number(uint32(gone[i] + 1)).Raw(" EXPUNGE").CRLF()
			}
		}
		kept := v.msgs[:0]
		g := 0
		for i := range v.msgs {
			if g < len(gone) && gone[g] == i {
				delete(v.recent, v.msgs[i].UID)
				g++
				continue
			}
			kept = append(kept, v.msgs[i])
		}
		v.msgs = kept
		for i := range v.msgs {
			v.msgs[i].Seq = uint32(i + 1)
		}
	}
	if v.addKeywords(sn.kwList) {
		s.enc.Raw("* FLAGS ").FlagList(v.flagNames()).CRLF()
		if !v.readOnly {
			s.enc.Raw("* OK [PERMANENTFLAGS ").FlagList(v.permanentFlags()).Raw("] Flags allowed.").CRLF()
		}
	}
	// Flag changes of messages the client knows.
	oldCount := len(v.msgs)
	var claim []int64
	for i := range sn.infos {
		mi := &sn.infos[i]
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
			if mi.Flags.Recent && !v.readOnly {
				v.recent[uid] = true
				claim = append(claim, mi.UID)
			} else if mi.Flags.Recent {
				v.recent[uid] = true
			}
			m, err := metaOf(mi, sn.keywords[mi.UID], v.recent[uid])
			if err != nil {
				v.err = err
				return false
			}
			m.Seq = uint32(len(v.msgs) + 1)
			v.msgs = append(v.msgs, m)
			continue
		}
		old := &v.msgs[idx]
		flags := flagsOf(mi.Flags, v.recent[uid], sn.keywords[mi.UID])
		modseq := uint64(max(mi.ModSeq, 1))
		if !sameFlags(old.Flags, flags) || (s.condStore && modseq != old.ModSeq) {
			old.Flags, old.ModSeq = flags, modseq
			s.writeFlagsFetch(old, false)
		}
		old.Flags, old.ModSeq = flags, modseq
	}
	for i := range v.msgs {
		v.msgs[i].Seq = uint32(i + 1)
	}
	if len(v.msgs) != oldCount {
		s.enc.Star().Number(uint32(len(v.msgs))).Raw(" EXISTS").CRLF()
		s.enc.Star().Number(uint32(v.recentCount())).Raw(" RECENT").CRLF()
	}
	v.modseq = uint64(sn.seq)
	if n := v.maxUID() + 1; n > v.uidNext {
		v.uidNext = n
	}
	if len(claim) > 0 {
		// Tell the client first: the flush is a write transaction.
		_ = s.flush()
		if err := s.query(func(ctx context.Context, d *db.DB) error {
			return d.IMAPFlushRecent(ctx, v.mb.ID, claim)
		}); err != nil {
			s.log.Warn("flush recent", "err", err)
		}
		s.proto.cfg.Hub.Publish(v.mb.ID)
	}
	return true
}

// writeFlagsFetch writes "* n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])"
// (RFC 3501 §7.4.2, RFC 7162 §3.1.4.1: UID is included under QRESYNC or
// for UID commands).
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
