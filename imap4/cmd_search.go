package imap4

import (
	"errors"
	"strconv"
	"time"
)

// RFC 3501 §6.4.4 SEARCH and UID SEARCH, with ESEARCH return options
// (RFC 4731 §3.1: MIN MAX ALL COUNT), SAVE (RFC 5182) and the MODSEQ
// result of RFC 7162 §3.1.5. Evaluation is EvalSearch's.
func (s *Session) cmdSearch(cmd *Command) {
	a := cmd.Args.(*SearchArgs)
	seqs, ok := s.search(cmd, a.Key, a.Charset)
	if !ok {
		return
	}
	v := s.sel
	nums := make([]uint32, len(seqs))
	var highest uint64
	for i, q := range seqs {
		m := &v.msgs[q-1]
		nums[i] = q
		if cmd.UID {
			nums[i] = m.UID
		}
		highest = max(highest, m.ModSeq)
	}
	modseq := usesModSeq(a.Key)
	if modseq {
		s.condStore = true
	}
	if !a.HasReturn {
		e := s.enc.Raw("* SEARCH")
		for _, n := range nums {
			e.SP().Number(n)
		}
		if modseq && len(nums) > 0 {
			e.Raw(" (MODSEQ ").Number64(highest).Raw(")")
		}
		e.CRLF()
		s.done(cmd, "")
		return
	}
	ret := a.Return
	if len(ret) == 0 {
		ret = []string{"ALL"} // RFC 4731 §3.1: "RETURN ()" means ALL
	}
	if has(ret, "SAVE") {
		s.saved = s.saved[:0]
		for _, q := range seqs {
			s.saved = append(s.saved, v.msgs[q-1].UID)
		}
		if len(ret) == 1 {
			s.done(cmd, "")
			return
		}
	}
	e := s.enc.Raw(`* ESEARCH (TAG `).String(cmd.Tag).Raw(")")
	if cmd.UID {
		e.Raw(" UID")
	}
	if len(nums) > 0 {
		if has(ret, "MIN") {
			e.Raw(" MIN ").Number(nums[0])
		}
		if has(ret, "MAX") {
			e.Raw(" MAX ").Number(nums[len(nums)-1])
		}
		if has(ret, "ALL") {
			e.Raw(" ALL ").NumSet(nums)
		}
	}
	if has(ret, "COUNT") {
		e.Raw(" COUNT ").Raw(strconv.Itoa(len(nums)))
	}
	if modseq && len(nums) > 0 {
		e.Raw(" MODSEQ ").Number64(highest)
	}
	e.CRLF()
	s.done(cmd, "")
}

// search runs the updates a SEARCH may carry and evaluates key; it
// answers the command itself on failure.
func (s *Session) search(cmd *Command, key *SearchKey, charset string) ([]uint32, bool) {
	if !s.sendUpdates(cmd.UID) {
		s.fail(cmd, s.lastErr())
		return nil, false
	}
	v := s.sel
	var saved []uint32
	for _, u := range s.saved {
		if i, ok := v.find(u); ok {
			saved = append(saved, uint32(i+1))
		}
	}
	seqs, err := EvalSearch(s.c.Context(), key, v.msgs, &msgSource{s: s}, SearchOptions{SavedSeqs: saved, Now: time.Now(), Charset: charset})
	var bc *BadCharsetError
	if errors.As(err, &bc) {
		s.no(cmd, "BADCHARSET (UTF-8 US-ASCII)", "unsupported charset")
		return nil, false
	}
	if err != nil {
		s.fail(cmd, err)
		return nil, false
	}
	return seqs, true
}

// usesModSeq reports whether a search program contains MODSEQ.
func usesModSeq(k *SearchKey) bool {
	if k == nil {
		return false
	}
	if k.Kind == SearchModSeq {
		return true
	}
	for _, c := range k.Children {
		if usesModSeq(c) {
			return true
		}
	}
	return false
}

// RFC 5256 §3 SORT and UID SORT (SortMessages orders the matches).
func (s *Session) cmdSort(cmd *Command) {
	a := cmd.Args.(*SortArgs)
	seqs, ok := s.search(cmd, a.Key, a.Charset)
	if !ok {
		return
	}
	v := s.sel
	msgs := make([]MsgMeta, len(seqs))
	for i, q := range seqs {
		msgs[i] = v.msgs[q-1]
	}
	order, err := SortMessages(s.c.Context(), a.Criteria, msgs, &msgSource{s: s})
	if err != nil {
		s.fail(cmd, err)
		return
	}
	nums := make([]uint32, len(order))
	for i, q := range order {
		nums[i] = q
		if cmd.UID && q >= 1 && int(q) <= len(v.msgs) {
			nums[i] = v.msgs[q-1].UID
		}
	}
	if a.HasReturn {
		s.writeESort(cmd, a.Return, nums)
		s.done(cmd, "")
		return
	}
	e := s.enc.Raw("* SORT")
	for _, n := range nums {
		e.SP().Number(n)
	}
	e.CRLF()
	s.done(cmd, "")
}

// writeESort writes the ESEARCH response of SORT RETURN (RFC 5267 §3.2):
// MIN and MAX are the first and last message in sort order, ALL lists
// them in sort order.
func (s *Session) writeESort(cmd *Command, ret []string, nums []uint32) {
	if len(ret) == 0 {
		ret = []string{"ALL"}
	}
	e := s.enc.Raw(`* ESEARCH (TAG `).String(cmd.Tag).Raw(")")
	if cmd.UID {
		e.Raw(" UID")
	}
	if len(nums) > 0 {
		if has(ret, "MIN") {
			e.Raw(" MIN ").Number(nums[0])
		}
		if has(ret, "MAX") {
			e.Raw(" MAX ").Number(nums[len(nums)-1])
		}
		if has(ret, "ALL") {
			e.Raw(" ALL ").Raw(sortedRuns(nums))
		}
	}
	if has(ret, "COUNT") {
		e.Raw(" COUNT ").Raw(strconv.Itoa(len(nums)))
	}
	e.CRLF()
}

// sortedRuns writes numbers in their order, joining ascending runs of
// consecutive numbers as ranges ("1:5,9,7").
func sortedRuns(nums []uint32) string {
	b := make([]byte, 0, len(nums)*4)
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeqNumber(b, nums[i])
		if j > i {
			b = append(b, ':')
			b = appendSeqNumber(b, nums[j])
		}
		i = j + 1
	}
	return string(b)
}

// RFC 5256 §4 THREAD and UID THREAD: ORDEREDSUBJECT and REFERENCES. For
// UID THREAD the renderer gets the messages numbered by UID.
func (s *Session) cmdThread(cmd *Command) {
	a := cmd.Args.(*ThreadArgs)
	if a.Algorithm != "ORDEREDSUBJECT" && a.Algorithm != "REFERENCES" {
		s.bad(cmd, "THREAD="+a.Algorithm+" not supported")
		return
	}
	seqs, ok := s.search(cmd, a.Key, a.Charset)
	if !ok {
		return
	}
	v := s.sel
	msgs := make([]MsgMeta, len(seqs))
	for i, q := range seqs {
		msgs[i] = v.msgs[q-1]
		if cmd.UID {
			msgs[i].Seq = msgs[i].UID
		}
	}
	text, err := ThreadMessages(s.c.Context(), a.Algorithm, msgs, &msgSource{s: s})
	if err != nil {
		s.fail(cmd, err)
		return
	}
	s.enc.Raw("* THREAD")
	if text != "" {
		s.enc.SP().Raw(text)
	}
	s.enc.CRLF()
	s.done(cmd, "")
}
