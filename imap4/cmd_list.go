package imap4

import (
	"context"
	"sort"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// RFC 2342 NAMESPACE (spec 3.1).
func (s *Session) cmdNamespace(cmd *Command) {
	s.enc.Raw(`* NAMESPACE (("" "/")) (("#Users" "/")) (("#Public" "/"))`).CRLF()
	s.done(cmd, "")
}

// listEntry is one name a LIST or LSUB may report.
type listEntry struct {
	name       string
	mb         *db.VisibleMailbox // nil for an implied parent
	subscribed bool
	children   bool
}

// RFC 3501 §6.3.8 LIST and §6.3.9 LSUB, with LIST-EXTENDED (RFC 5258:
// SUBSCRIBED selection, RETURN (SUBSCRIBED CHILDREN)), LIST-STATUS
// (RFC 5819), CHILDREN attributes (RFC 3348) and special-use attributes
// (RFC 6154), spec 6.2.
func (s *Session) cmdList(cmd *Command) {
	a := cmd.Args.(*ListArgs)
	if !a.Extended && len(a.Patterns) == 1 && a.Patterns[0] == "" {
		// RFC 3501 §6.3.8: the hierarchy delimiter and root name.
		kw := "LIST"
		if a.LSUB {
			kw = "LSUB"
		}
		s.enc.Raw("* ").Raw(kw).Raw(` (\Noselect) "/" ""`).CRLF()
		s.done(cmd, "")
		return
	}
	if msg := checkListOptions(a); msg != "" {
		s.bad(cmd, msg)
		return
	}
	selSub := a.LSUB || has(a.SelectOpts, "SUBSCRIBED")
	retSub := selSub && !a.LSUB || has(a.ReturnOpts, "SUBSCRIBED")
	var boxes []db.VisibleMailbox
	var subs map[int64]bool
	err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		if boxes, err = d.VisibleMailboxes(ctx, s.user.ID); err != nil {
			return err
		}
		subs, err = d.Subscribed(ctx, s.user.ID)
		return err
	})
	if err != nil {
		s.fail(cmd, err)
		return
	}
	var patterns []string
	percent := false
	for _, p := range a.Patterns {
		patterns = append(patterns, a.Reference+p)
		percent = percent || strings.Contains(p, "%")
	}
	if a.LSUB {
		// RFC 3501 §6.3.9: only subscribed names; a parent that is not
		// subscribed appears as \Noselect when "%" stops at it.
		kept := boxes[:0]
		for _, b := range boxes {
			if subs[b.ID] {
				kept = append(kept, b)
			}
		}
		boxes = kept
	}
	entries := s.listEntries(boxes, subs, !a.LSUB || percent)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := entries[n]
		if !matchAny(patterns, n) {
			continue
		}
		childInfo := false
		if selSub && !e.subscribed && !(a.LSUB && e.mb == nil) {
			// RFC 5258 §3.5: RECURSIVEMATCH reports a parent of
			// subscribed mailboxes with CHILDINFO.
			if !has(a.SelectOpts, "RECURSIVEMATCH") || !subscribedBelow(entries, n, patterns) {
				continue
			}
			childInfo = true
		}
		// A deleted mailbox kept for its subscriptions (db.DeleteMailbox)
		// does not exist: only a subscription listing shows it, as
		// \NonExistent (RFC 5258 §3.4, which implies \Noselect).
		nonexistent := e.mb != nil && e.mb.NoSelect && !e.children
		if nonexistent && !selSub {
			continue
		}
		var attrs []string
		switch {
		case nonexistent && !a.LSUB:
			attrs = append(attrs, `\NonExistent`)
		case e.mb == nil || e.mb.NoSelect:
			attrs = append(attrs, `\Noselect`)
		}
		if e.mb != nil && e.mb.NoInferiors {
			attrs = append(attrs, `\Noinferiors`)
		}
		if e.children {
			attrs = append(attrs, `\HasChildren`)
		} else if (e.mb == nil || !e.mb.NoInferiors) && !nonexistent {
			attrs = append(attrs, `\HasNoChildren`)
		}
		if retSub && e.subscribed {
			attrs = append(attrs, `\Subscribed`)
		}
		use := ""
		if e.mb != nil && e.mb.OwnerID == s.user.ID && !a.LSUB {
			use = specialUseOf(e.mb.Name)
		}
		if has(a.SelectOpts, "SPECIAL-USE") && use == "" {
			continue
		}
		if use != "" {
			attrs = append(attrs, use) // RFC 6154 §2
		}
		kw := "LIST"
		if a.LSUB {
			kw = "LSUB"
		}
		s.enc.Raw("* ").Raw(kw).SP().FlagList(attrs).Raw(` "/" `).Mailbox(n)
		if childInfo {
			s.enc.Raw(` ("CHILDINFO" ("SUBSCRIBED"))`)
		}
		s.enc.CRLF()
		if len(a.ReturnStatus) > 0 && e.mb != nil && !e.mb.NoSelect {
			s.listStatus(e, a.ReturnStatus)
		}
	}
	s.done(cmd, "")
}

// listStatus writes the STATUS response of RFC 5819 §2 after a LIST line.
func (s *Session) listStatus(e *listEntry, items []string) {
	var st db.IMAPStatus
	var readable bool
	err := s.query(func(ctx context.Context, d *db.DB) error {
		rights, err := d.RightsOf(ctx, s.user.ID, &e.mb.Mailbox)
		if err != nil {
			return err
		}
		if readable = rights&db.RightRead != 0; !readable {
			return nil
		}
		st, err = d.IMAPMailboxStatus(ctx, e.mb.ID)
		return err
	})
	if err != nil || !readable {
		return
	}
	s.writeStatus(e.name, items, &e.mb.Mailbox, st)
}

// listEntries maps every visible mailbox and every implied parent to its
// display name.
func (s *Session) listEntries(boxes []db.VisibleMailbox, subs map[int64]bool, parents bool) map[string]*listEntry {
	entries := make(map[string]*listEntry, len(boxes))
	for i := range boxes {
		b := &boxes[i]
		n := s.displayName(b.OwnerID, b.OwnerName, b.Name)
		entries[n] = &listEntry{name: n, mb: b, subscribed: subs[b.ID]}
	}
	for n := range entries {
		for i := strings.LastIndexByte(n, '/'); i > 0; i = strings.LastIndexByte(n[:i], '/') {
			p := n[:i]
			if e, ok := entries[p]; ok {
				e.children = true
				continue
			}
			if parents {
				entries[p] = &listEntry{name: p, children: true}
			}
		}
	}
	return entries
}

// matchAny reports whether name matches one of the patterns (RFC 3501
// §6.3.8: "*" matches anything, "%" anything but the delimiter). The
// INBOX component matches case-insensitively.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if matchPattern(p, name) {
			return true
		}
	}
	return false
}

func matchPattern(p, name string) bool {
	if len(p) >= 5 && strings.EqualFold(p[:5], "INBOX") && (len(p) == 5 || p[5] == '/' || p[5] == '*' || p[5] == '%') {
		p = "INBOX" + p[5:]
	}
	return wildMatch(p, name)
}

// wildMatch matches with backtracking; patterns are short.
func wildMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*', '%':
			for i := 0; i <= len(s); i++ {
				if i > 0 && p[0] == '%' && s[i-1] == '/' {
					return false
				}
				if wildMatch(p[1:], s[i:]) {
					return true
				}
			}
			return false
		default:
			if len(s) == 0 || s[0] != p[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return len(s) == 0
}

func has(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// checkListOptions validates LIST-EXTENDED options (RFC 5258 §3): unknown
// options are errors, and RECURSIVEMATCH needs another selection option.
func checkListOptions(a *ListArgs) string {
	other := false
	for _, o := range a.SelectOpts {
		switch o {
		case "SUBSCRIBED", "SPECIAL-USE":
			other = true
		case "REMOTE", "RECURSIVEMATCH":
		default:
			return "unknown LIST selection option " + o
		}
	}
	if has(a.SelectOpts, "RECURSIVEMATCH") && !other {
		return "RECURSIVEMATCH needs another selection option"
	}
	for _, o := range a.ReturnOpts {
		switch o {
		case "SUBSCRIBED", "CHILDREN", "STATUS", "SPECIAL-USE":
		default:
			return "unknown LIST return option " + o
		}
	}
	return ""
}

// subscribedBelow reports whether a subscribed mailbox below name is not
// itself listed by the patterns (RFC 5258 §3.5: CHILDINFO tells of
// matching children the response does not show).
func subscribedBelow(entries map[string]*listEntry, name string, patterns []string) bool {
	prefix := name + "/"
	for n, e := range entries {
		if e.subscribed && strings.HasPrefix(n, prefix) && !matchAny(patterns, n) {
			return true
		}
	}
	return false
}
