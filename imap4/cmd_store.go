package imap4

import (
	"context"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 3501 §6.4.6 STORE with RFC 7162 §3.1.3 UNCHANGEDSINCE (spec 6.2):
// \Recent cannot be stored; \Seen needs s, \Deleted t, other flags w.
func (s *Session) cmdStore(cmd *Command) {
	a := cmd.Args.(*StoreArgs)
	v := s.sel
	if v.readOnly {
		s.no(cmd, "READ-ONLY", "mailbox is read-only")
		return
	}
	for _, f := range a.Flags {
		if strings.EqualFold(f, `\Recent`) {
			s.bad(cmd, "invalid flag list to STORE command")
			return
		}
	}
	idx, err := s.resolveSet(a.Set, cmd.UID)
	if err != nil {
		s.bad(cmd, err.Error())
		return
	}
	if a.HasUnchangedSince {
		s.condStore = true
	}
	flags, kws := s.flagsWithRights(a.Flags, v.rights)
	if v.addKeywords(kws) {
		s.enc.Raw("* FLAGS ").FlagList(v.flagNames()).CRLF()
		s.enc.Raw("* OK [PERMANENTFLAGS ").FlagList(v.permanentFlags()).Raw("] Flags allowed.").CRLF()
	}
	uids := make([]int64, len(idx))
	for i, x := range idx {
		uids[i] = int64(v.msgs[x].UID)
	}
	op := db.IMAPStoreOp(a.Op)
	var res db.IMAPStoreResult
	if len(uids) > 0 {
		err = s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			res, err = d.IMAPStoreFlags(ctx, v.mb.ID, uids, db.IMAPStore{Op: op, Flags: flags, Keywords: kws, UnchangedSince: a.UnchangedSince, HasUnchanged: a.HasUnchangedSince})
			return err
		})
		if err != nil {
			s.fail(cmd, err)
			return
		}
		s.cfg.Hub.Publish(v.mb.ID)
	}
	modified := make(map[int64]bool, len(res.Modified))
	for _, u := range res.Modified {
		modified[u] = true
	}
	named := flagsOf(flags, false, kws)
	for _, x := range idx {
		m := &v.msgs[x]
		if modified[int64(m.UID)] {
			continue
		}
		m.Flags = applyStore(m.Flags, a.Op, named)
		m.ModSeq = uint64(res.ModSeq)
		// RFC 7162 §3.1.3: with UNCHANGEDSINCE the FETCH is sent even
		// for .SILENT so the client learns the new MODSEQ.
		if !a.Silent || a.HasUnchangedSince {
			s.writeFlagsFetch(m, cmd.UID)
		}
	}
	if res.ModSeq > 0 && uint64(res.ModSeq) == v.modseq+1 {
		v.modseq = uint64(res.ModSeq)
	}
	code := ""
	if len(res.Modified) > 0 {
		nums := make([]uint32, 0, len(res.Modified))
		for _, u := range res.Modified {
			if cmd.UID {
				nums = append(nums, uint32(u))
			} else if i, ok := v.find(uint32(u)); ok {
				nums = append(nums, uint32(i+1))
			}
		}
		code = "MODIFIED " + CompressSeqSet(nums).String()
	}
	s.done(cmd, code)
}

// applyStore computes a message's flags after a STORE, keeping \Recent.
func applyStore(old []string, op StoreOp, named []string) []string {
	out := make([]string, 0, len(old)+len(named))
	switch op {
	case StoreReplace:
		if hasFlag(old, `\Recent`) {
			out = append(out, `\Recent`)
		}
		return append(out, named...)
	case StoreAdd:
		out = append(out, old...)
		for _, f := range named {
			if !hasFlag(out, f) {
				out = append(out, f)
			}
		}
		return out
	}
	for _, f := range old {
		if !hasFlag(named, f) {
			out = append(out, f)
		}
	}
	return out
}

// resolveSet maps a sequence or UID set (or "$", RFC 5182) to view
// indexes.
func (s *Session) resolveSet(set SeqSet, uid bool) ([]int, error) {
	v := s.sel
	if set.Saved {
		var out []int
		for _, u := range s.saved {
			if i, ok := v.find(u); ok {
				out = append(out, i)
			}
		}
		return out, nil
	}
	return v.resolve(set, uid)
}
