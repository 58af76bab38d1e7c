package imap4

import (
	"slices"
	"strconv"
	"strings"
)

// threadReferences is the REFERENCES algorithm of RFC 5256 §4 (after
// Zawinski): link messages by Message-ID/References/In-Reply-To, prune
// dummies, sort, merge root threads with the same base subject, sort
// siblings by sent date.
func threadReferences(infos []threadMsg) []*threadNode {
	byID := make(map[string]*threadNode, len(infos))
	var all []*threadNode // every container, in creation order
	container := func(id string) *threadNode {
		if n, ok := byID[id]; ok {
			return n
		}
		n := &threadNode{}
		byID[id] = n
		all = append(all, n)
		return n
	}
	for i := range infos {
		m := &infos[i]
		// step 1A: the message's container; a missing or duplicate
		// Message-ID gets a unique one
		var c *threadNode
		if m.id != "" {
			if n, ok := byID[m.id]; !ok || n.msg == nil {
				c = container(m.id)
			}
		}
		if c == nil {
			c = container("\x00" + strconv.FormatUint(uint64(m.seq), 10))
		}
		c.msg = m
		// step 1B: link the references in order, leaving existing links
		var prev *threadNode
		for _, ref := range m.refs {
			r := container(ref)
			if prev != nil && r.parent == nil && r != prev && !isAncestor(r, prev) {
				setParent(r, prev)
			}
			prev = r
		}
		// step 1C: the last reference is the parent; an earlier guess is
		// dropped, a loop is not created
		if prev != nil && prev != c && !isAncestor(c, prev) {
			setParent(c, prev)
		} else if prev != nil && c.parent != nil && c.parent != prev {
			setParent(c, nil)
		}
	}
	// step 2: the root set
	var roots []*threadNode
	for _, n := range all {
		if n.parent == nil {
			roots = append(roots, n)
		}
	}
	// step 4: prune dummies
	roots = pruneDummies(roots, true)
	for _, r := range roots {
		r.parent = nil
	}
	// step 5: sort the root set by date (a dummy by its first child)
	for _, r := range roots {
		sortSiblings(r)
	}
	slices.SortStableFunc(roots, compareThreadNodes)
	// step 6: gather root threads with the same base subject
	roots = mergeBySubject(roots)
	// step 7: sort every set of siblings by date
	for _, r := range roots {
		sortSiblings(r)
	}
	slices.SortStableFunc(roots, compareThreadNodes)
	return roots
}

// isAncestor reports whether a is n or one of n's ancestors.
func isAncestor(a, n *threadNode) bool {
	for ; n != nil; n = n.parent {
		if n == a {
			return true
		}
	}
	return false
}

// setParent moves n under p (nil: no parent).
func setParent(n, p *threadNode) {
	if old := n.parent; old != nil {
		if i := slices.Index(old.children, n); i >= 0 {
			old.children = slices.Delete(old.children, i, i+1)
		}
	}
	n.parent = p
	if p != nil {
		p.children = append(p.children, n)
	}
}

// pruneDummies is step 4: a dummy without children goes; a dummy with
// children is replaced by them, except at the root level when it has
// more than one.
func pruneDummies(list []*threadNode, root bool) []*threadNode {
	out := list[:0:0]
	for _, n := range list {
		n.children = pruneDummies(n.children, false)
		for _, c := range n.children {
			c.parent = n
		}
		if n.msg != nil {
			out = append(out, n)
			continue
		}
		switch {
		case len(n.children) == 0:
		case !root || len(n.children) == 1:
			for _, c := range n.children {
				c.parent = n.parent
			}
			out = append(out, n.children...)
		default:
			out = append(out, n)
		}
	}
	return out
}

// sortSiblings sorts the children of n and of all its descendants by sent
// date, depth first.
func sortSiblings(n *threadNode) {
	for _, c := range n.children {
		sortSiblings(c)
	}
	slices.SortStableFunc(n.children, compareThreadNodes)
}

// mergeBySubject is step 6 of RFC 5256 §4 REFERENCES.
func mergeBySubject(roots []*threadNode) []*threadNode {
	subjectOf := func(n *threadNode) string {
		if m := n.first(); m != nil {
			return strings.ToUpper(m.subject)
		}
		return ""
	}
	// 6A: the subject table prefers a dummy, then a non-reply
	table := map[string]*threadNode{}
	for _, r := range roots {
		s := subjectOf(r)
		if s == "" {
			continue
		}
		old, ok := table[s]
		switch {
		case !ok:
			table[s] = r
		case r.msg == nil && old.msg != nil:
			table[s] = r
		case old.msg != nil && r.msg != nil && old.msg.reply && !r.msg.reply:
			table[s] = r
		}
	}
	// 6B: merge every other root with the table's container
	removed := map[*threadNode]bool{}
	replace := map[*threadNode]*threadNode{}
	for _, r := range roots {
		s := subjectOf(r)
		if s == "" || removed[r] {
			continue
		}
		t := table[s]
		if t == nil || t == r {
			continue
		}
		if nt, ok := replace[t]; ok {
			t = nt
		}
		switch {
		case t.msg == nil && r.msg == nil:
			for _, c := range r.children {
				c.parent = t
			}
			t.children = append(t.children, r.children...)
			r.children = nil
			removed[r] = true
		case t.msg == nil:
			setParent(r, t)
			removed[r] = true
		case r.msg == nil:
			setParent(t, r)
			removed[t] = true
			replace[t] = r
			table[s] = r
		case !t.msg.reply && r.msg.reply:
			setParent(r, t)
			removed[r] = true
		case t.msg.reply && !r.msg.reply:
			setParent(t, r)
			removed[t] = true
			replace[t] = r
			table[s] = r
		default:
			d := &threadNode{}
			replace[t] = d
			table[s] = d
			setParent(t, d)
			setParent(r, d)
			removed[r] = true
		}
	}
	out := roots[:0:0]
	for _, r := range roots {
		if removed[r] {
			continue
		}
		if d, ok := replace[r]; ok && !removed[d] {
			r = d
			removed[d] = true // placed once
		}
		out = append(out, r)
	}
	return out
}
