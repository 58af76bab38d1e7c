package imap4

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// systemFlags are the flags every mailbox supports (spec 2.12), in
// DBMail's FLAGS order.
func systemFlagNames() []string {
	return []string{`\Seen`, `\Answered`, `\Deleted`, `\Flagged`, `\Draft`}
}

// mailboxView is the selected mailbox as the session has told the client
// about it: message sequence numbers are positions in msgs (RFC 3501
// §2.3.1.2). It changes only when the session reports the change, so
// sequence numbers stay stable while a command that forbids EXPUNGE
// responses runs (RFC 3501 §7.4.1).
type mailboxView struct {
	mb       db.Mailbox
	name     string // as the client named it
	readOnly bool
	rights   db.Rights
	msgs     []MsgMeta
	keywords []string // keywords announced in FLAGS
	modseq   uint64   // mailboxes.seq the view reflects
	uidNext  uint32
	recent   map[uint32]bool // UIDs \Recent for this session (spec 2.12)
	sub      *Subscription
	err      error
}

// snapshot is the mailbox as the database has it now.
type snapshot struct {
	seq      int64
	exists   bool
	infos    []db.MessageInfo
	keywords map[int64][]string
	kwList   []string
}

// loadSnapshot reads the visible messages, their keywords and the
// mailbox MODSEQ, with the cheap check first: when onlyIfChanged is set
// and mailboxes.seq equals known, nothing else is read.
func loadSnapshot(ctx context.Context, d *db.DB, mailboxID int64, known uint64, onlyIfChanged bool) (*snapshot, error) {
	seqs, err := d.IMAPMailboxSeqs(ctx, []int64{mailboxID})
	if err != nil {
		return nil, err
	}
	seq, ok := seqs[mailboxID]
	if !ok {
		return &snapshot{}, nil
	}
	sn := &snapshot{seq: seq, exists: true}
	if onlyIfChanged && uint64(seq) == known {
		return sn, nil
	}
	if sn.infos, err = d.MailboxMessages(ctx, mailboxID); err != nil {
		return nil, err
	}
	if sn.keywords, err = d.Keywords(ctx, mailboxID); err != nil {
		return nil, err
	}
	sn.kwList = keywordList(sn.keywords)
	return sn, nil
}

// keywordList is the distinct keywords of a mailbox's visible messages
// for FLAGS and PERMANENTFLAGS (spec 2.12): sorted, deduplicated
// case-insensitively (the first spelling in sort order wins). It is taken
// from the per-message keywords the snapshot already read, saving a query
// per snapshot.
func keywordList(kws map[int64][]string) []string {
	var all []string
	for _, ks := range kws {
		all = append(all, ks...)
	}
	sort.Strings(all)
	seen := make(map[string]bool, len(all))
	out := all[:0]
	for _, k := range all {
		if l := strings.ToLower(k); !seen[l] {
			seen[l] = true
			out = append(out, k)
		}
	}
	return slices.Clip(out)
}

// metaOf builds a MsgMeta from a database row; recent is the session's
// \Recent decision.
func metaOf(mi *db.MessageInfo, kws []string, recent bool) (MsgMeta, error) {
	if mi.UID <= 0 || mi.UID > math.MaxUint32 {
		return MsgMeta{}, fmt.Errorf("message id %d does not fit an IMAP UID", mi.UID)
	}
	m := MsgMeta{UID: uint32(mi.UID), PhysID: mi.PhysID, ModSeq: uint64(max(mi.ModSeq, 1)), InternalDate: mi.InternalDate, RFCSize: mi.RFCSize}
	m.Flags = flagsOf(mi.Flags, recent, kws)
	return m, nil
}

// flagsOf returns the flag list of a message, sized exactly (nil for none):
// every selected session keeps one per message, for as long as it idles.
func flagsOf(f db.Flags, recent bool, kws []string) []string {
	sys := [...]bool{f.Seen, f.Answered, f.Deleted, f.Flagged, f.Draft}
	n := len(kws)
	for _, on := range sys {
		if on {
			n++
		}
	}
	if recent {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i, on := range sys {
		if on {
			out = append(out, systemFlagNames()[i])
		}
	}
	if recent {
		out = append(out, `\Recent`)
	}
	return append(out, kws...)
}

// find returns the index of uid in msgs.
func (v *mailboxView) find(uid uint32) (int, bool) {
	i := sort.Search(len(v.msgs), func(i int) bool { return v.msgs[i].UID >= uid })
	return i, i < len(v.msgs) && v.msgs[i].UID == uid
}

// maxUID is the largest UID of the view, 0 when empty ("*" of a UID set).
func (v *mailboxView) maxUID() uint32 {
	if len(v.msgs) == 0 {
		return 0
	}
	return v.msgs[len(v.msgs)-1].UID
}

// bySeqSet returns the indexes of msgs in a sequence set (RFC 3501 §6.4.8
// rules: a UID set selects the existing UIDs in its ranges, "*" is the
// largest UID; a sequence set beyond the mailbox is an error).
func (v *mailboxView) resolve(set SeqSet, uid bool) ([]int, error) {
	var out []int
	if uid {
		for _, r := range set.Resolve(v.maxUID()) {
			i, _ := v.find(r.Start)
			for ; i < len(v.msgs) && v.msgs[i].UID <= r.Stop; i++ {
				out = append(out, i)
			}
		}
		return out, nil
	}
	n := uint32(len(v.msgs))
	for _, r := range set.Resolve(n) {
		if r.Start == 0 || r.Stop > n {
			return nil, fmt.Errorf("invalid message sequence number")
		}
		for x := r.Start; x <= r.Stop; x++ {
			out = append(out, int(x-1))
		}
	}
	return out, nil
}

// flagNames returns the FLAGS list: system flags then keywords in use.
func (v *mailboxView) flagNames() []string {
	return append(append([]string(nil), systemFlagNames()...), v.keywords...)
}

// permanentFlags returns PERMANENTFLAGS (spec 2.12): nothing for a
// read-only view.
func (v *mailboxView) permanentFlags() []string {
	if v.readOnly {
		return nil
	}
	return append(v.flagNames(), `\*`)
}

// addKeywords adds new keywords to the announced list and reports whether
// any was new.
func (v *mailboxView) addKeywords(kws []string) bool {
	added := false
	for _, k := range kws {
		found := false
		for _, x := range v.keywords {
			if strings.EqualFold(x, k) {
				found = true
				break
			}
		}
		if !found {
			v.keywords = append(v.keywords, k)
			added = true
		}
	}
	return added
}

// recentCount counts the view's \Recent messages.
func (v *mailboxView) recentCount() int {
	n := 0
	for i := range v.msgs {
		if v.recent[v.msgs[i].UID] {
			n++
		}
	}
	return n
}

// hasFlag reports whether flags contains f (case-insensitively).
func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

// sameFlags compares two flag lists ignoring order and \Recent.
func sameFlags(a, b []string) bool {
	count := func(l []string) int {
		n := 0
		for _, f := range l {
			if !strings.EqualFold(f, `\Recent`) {
				n++
			}
		}
		return n
	}
	if count(a) != count(b) {
		return false
	}
	for _, f := range a {
		if !strings.EqualFold(f, `\Recent`) && !hasFlag(b, f) {
			return false
		}
	}
	return true
}
