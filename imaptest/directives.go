package imaptest

import (
	"fmt"
	"strconv"
	"strings"
)

// List directives (docs/scripted_test.md "Directives"): "$!ordered",
// "$!unordered", "$!unordered=N", "$!noextra", "$!extra", "$!ignore=E",
// "$!ban=E" at the start of an expected list. A list without directives
// gets defaults by its position:
//
//	n FETCH ($!unordered=2)
//	n FETCH (FLAGS ($!unordered $!noextra $!ignore=\recent))
//	LIST ($!unordered), LSUB ($!unordered)
//	STATUS mailbox ($!unordered=2)

// replyName is the untagged reply's name: the first atom, or the second
// when the first is a number or a "$" variable ("* 1 FETCH").
func replyName(args []Arg) string {
	if len(args) == 0 || args[0].Kind != ArgAtom {
		return ""
	}
	s := args[0].Str
	if s != "" && (s[0] == '$' || (s[0] >= '0' && s[0] <= '9')) {
		if len(args) > 1 && args[1].Kind == ArgAtom {
			return args[1].Str
		}
		return ""
	}
	return s
}

// dirCtx describes one list while defaults are applied.
type dirCtx struct {
	parent      *dirCtx
	replyName   string // lower case
	prevAtom    string // lower-case atom before this list in its parent
	chainIdx    int    // position in the parent (modulo its chain size)
	chainCount  int
	hasDirectiv bool
}

func isDirective(a *Arg) bool {
	return a.Kind == ArgAtom && strings.HasPrefix(a.Str, "$!")
}

// parseDirectives validates the directives at the start of list and
// returns the chain size they set (1 when none).
func parseDirectives(list []Arg) (chain int, found bool, err error) {
	chain = 1
	for i := range list {
		if !isDirective(&list[i]) {
			break
		}
		d := list[i].Str[2:]
		switch {
		case d == "unordered":
		case strings.HasPrefix(d, "unordered="):
			n, convErr := strconv.Atoi(d[len("unordered="):])
			if convErr != nil || n < 1 {
				return 1, true, fmt.Errorf("broken $!unordered directive %q", list[i].Str)
			}
			chain = n
		case d == "ordered", d == "noextra", d == "extra",
			strings.HasPrefix(d, "ignore="), strings.HasPrefix(d, "ban="):
		default:
			return 1, true, fmt.Errorf("unknown directive: %s", d)
		}
		found = true
	}
	return chain, found, nil
}

func directiveAtoms(ds ...string) []Arg {
	out := make([]Arg, len(ds))
	for i, d := range ds {
		out[i] = Arg{Kind: ArgAtom, Str: d}
	}
	return out
}

// defaultDirectives returns the directives a list without its own gets.
func (c *dirCtx) defaultDirectives() []Arg {
	p := c.parent
	if p == nil {
		return nil
	}
	switch c.replyName {
	case "list", "lsub":
		if p.parent == nil && c.chainIdx == 1 {
			return directiveAtoms("$!unordered")
		}
	case "status":
		if p.parent == nil && c.chainIdx == 2 {
			return directiveAtoms("$!unordered=2")
		}
	case "fetch":
		if p.parent == nil && c.chainIdx == 2 {
			return directiveAtoms("$!unordered=2")
		}
		if p.parent != nil && p.parent.parent == nil && p.chainIdx == 2 && c.prevAtom == "flags" {
			return directiveAtoms("$!unordered", "$!noextra", `$!ignore=\recent`,
				"$!ignore=$HasAttachment", "$!ignore=$HasNoAttachment")
		}
	}
	return nil
}

// applyDefaultDirectives validates an expected untagged reply's
// directives and inserts the defaults into lists that have none.
func applyDefaultDirectives(args []Arg) error {
	top := &dirCtx{replyName: strings.ToLower(replyName(args)), chainCount: 1}
	_, err := applyDirectives(top, &args)
	return err
}

func applyDirectives(ctx *dirCtx, list *[]Arg) (int, error) {
	chain, found, err := parseDirectives(*list)
	if err != nil {
		return 0, err
	}
	ctx.chainCount, ctx.hasDirectiv = chain, found
	if !found {
		if defs := ctx.defaultDirectives(); defs != nil {
			*list = append(defs, *list...)
			chain, _, _ = parseDirectives(*list)
			ctx.chainCount = chain
		}
	}
	n := 0
	for i := range *list {
		if !isDirective(&(*list)[i]) {
			break
		}
		n++
	}
	if (len(*list)-n)%ctx.chainCount != 0 {
		return 0, fmt.Errorf("invalid list argument count, chain size=%d", ctx.chainCount)
	}
	prev := ""
	for i := range *list {
		a := &(*list)[i]
		if a.Kind == ArgAtom {
			prev = strings.ToLower(a.Str)
		}
		if a.Kind != ArgList {
			continue
		}
		idx := i
		if ctx.chainCount > 1 {
			idx = i % ctx.chainCount
		}
		sub := &dirCtx{parent: ctx, replyName: ctx.replyName, prevAtom: prev, chainIdx: idx, chainCount: 1}
		if _, err := applyDirectives(sub, &a.List); err != nil {
			return 0, err
		}
	}
	return ctx.chainCount, nil
}
