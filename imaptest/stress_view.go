package imaptest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// mailboxView is what one client believes about its selected mailbox:
// the UID at every sequence number (0 = not yet known) and the flags of
// every UID it has seen. Every server reply is checked against it.
type mailboxView struct {
	user        string
	uidValidity uint32
	uids        []imap.UID // index seq-1
	flags       map[imap.UID]flagSet
	maxUID      imap.UID // highest UID this client has seen
	expunged    map[imap.UID]bool
}

type flagSet map[string]bool

func newFlagSet(fs []imap.Flag) flagSet {
	s := flagSet{}
	for _, f := range fs {
		if strings.EqualFold(string(f), `\Recent`) {
			continue
		}
		s[strings.ToLower(string(f))] = true
	}
	return s
}

func (s flagSet) String() string {
	var l []string
	for f := range s {
		l = append(l, f)
	}
	sort.Strings(l)
	return "(" + strings.Join(l, " ") + ")"
}

func (s flagSet) equal(o flagSet) bool {
	if len(s) != len(o) {
		return false
	}
	for f := range s {
		if !o[f] {
			return false
		}
	}
	return true
}

func newView(user string, exists uint32, uidValidity uint32) *mailboxView {
	return &mailboxView{
		user: user, uidValidity: uidValidity,
		uids: make([]imap.UID, exists), flags: map[imap.UID]flagSet{},
		expunged: map[imap.UID]bool{},
	}
}

// exists applies "* n EXISTS" (RFC 3501 §7.3.1): the count never drops
// without EXPUNGE.
func (v *mailboxView) exists(n uint32) error {
	if int(n) < len(v.uids) {
		return fmt.Errorf("EXISTS %d after %d without EXPUNGE (message count dropped)", n, len(v.uids))
	}
	for len(v.uids) < int(n) {
		v.uids = append(v.uids, 0)
	}
	return nil
}

// expunge applies "* seq EXPUNGE" (RFC 3501 §7.4.1) and returns the UID
// removed (0 if unknown).
func (v *mailboxView) expunge(seq uint32) (imap.UID, error) {
	if seq == 0 || int(seq) > len(v.uids) {
		return 0, fmt.Errorf("EXPUNGE %d with only %d messages", seq, len(v.uids))
	}
	uid := v.uids[seq-1]
	v.uids = append(v.uids[:seq-1], v.uids[seq:]...)
	delete(v.flags, uid)
	if uid != 0 {
		v.expunged[uid] = true
	}
	return uid, nil
}

// setUID records the UID of seq, checking that it did not change and that
// UIDs ascend with sequence numbers (RFC 3501 §2.3.1.1).
func (v *mailboxView) setUID(seq uint32, uid imap.UID) error {
	if seq == 0 || int(seq) > len(v.uids) {
		return fmt.Errorf("FETCH for sequence %d but only %d messages exist", seq, len(v.uids))
	}
	if uid == 0 {
		return fmt.Errorf("FETCH for sequence %d has UID 0", seq)
	}
	i := int(seq) - 1
	if old := v.uids[i]; old != 0 && old != uid {
		return fmt.Errorf("sequence %d changed UID from %d to %d without EXPUNGE", seq, old, uid)
	}
	for j := i - 1; j >= 0; j-- {
		if v.uids[j] != 0 {
			if v.uids[j] >= uid {
				return fmt.Errorf("UIDs not ascending: seq %d has UID %d, seq %d has UID %d", j+1, v.uids[j], seq, uid)
			}
			break
		}
	}
	for j := i + 1; j < len(v.uids); j++ {
		if v.uids[j] != 0 {
			if v.uids[j] <= uid {
				return fmt.Errorf("UIDs not ascending: seq %d has UID %d, seq %d has UID %d", seq, uid, j+1, v.uids[j])
			}
			break
		}
	}
	v.uids[i] = uid
	if uid > v.maxUID {
		v.maxUID = uid
	}
	return nil
}

// snapshot is a view as compared at a checkpoint.
type viewSnapshot struct {
	client      int
	user        string
	uidValidity uint32
	uids        []imap.UID
	flags       map[imap.UID]flagSet
}

func (v *mailboxView) snapshot(client int) viewSnapshot {
	s := viewSnapshot{client: client, user: v.user, uidValidity: v.uidValidity,
		uids: append([]imap.UID(nil), v.uids...), flags: map[imap.UID]flagSet{}}
	for k, f := range v.flags {
		s.flags[k] = f
	}
	return s
}

// compareSnapshots reports how two clients' views of the same mailbox
// differ after both synchronized with NOOP.
func compareSnapshots(a, b viewSnapshot) []string {
	var errs []string
	if a.uidValidity != b.uidValidity {
		return nil // the mailbox was recreated between the selects
	}
	if len(a.uids) != len(b.uids) {
		errs = append(errs, fmt.Sprintf("checkpoint %s: client %d sees %d messages, client %d sees %d",
			a.user, a.client, len(a.uids), b.client, len(b.uids)))
		return errs
	}
	for i := range a.uids {
		if a.uids[i] != 0 && b.uids[i] != 0 && a.uids[i] != b.uids[i] {
			errs = append(errs, fmt.Sprintf("checkpoint %s: seq %d is UID %d for client %d, UID %d for client %d",
				a.user, i+1, a.uids[i], a.client, b.uids[i], b.client))
			return errs
		}
	}
	for uid, fa := range a.flags {
		if fb, ok := b.flags[uid]; ok && !fa.equal(fb) {
			errs = append(errs, fmt.Sprintf("checkpoint %s: UID %d has flags %s for client %d, %s for client %d",
				a.user, uid, fa, a.client, fb, b.client))
		}
	}
	return errs
}
