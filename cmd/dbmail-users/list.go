package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// maxAliasDepth bounds alias recursion in -l as in delivery (spec 4.5).
const maxAliasDepth = 20

// list is -l NAME (spec 7.1): a user prints its forward line (if any) and
// its user line; a glob prints every matching user; otherwise NAME is an
// alias and its forwards and delivering users are printed. Unlike DBMail, an
// alias with only external forwards is listed too.
func (c *cmd) list(ctx context.Context) int {
	name := c.o.target
	if isGlob(name) {
		return c.listGlob(ctx, name)
	}
	u, err := c.db.UserByName(ctx, name)
	switch {
	case err == nil:
		if code := c.printForwardLine(ctx, u.Name); code != exitOK {
			return code
		}
		if err := c.printUser(ctx, u); err != nil {
			return c.failed("list user", err)
		}
		return exitOK
	case !errors.Is(err, db.ErrNotFound):
		return c.failed("look up user", err)
	}
	var ids []int64
	var forwards []string
	if err := c.expand(ctx, name, &ids, &forwards, map[string]bool{}, 0); err != nil {
		return c.failed("resolve alias", err)
	}
	if len(ids) == 0 && len(forwards) == 0 {
		c.o.errorf(c.stderr, "Error: no user or alias [%s] found.\n", name)
		return exitUsage
	}
	if len(forwards) > 0 {
		fmt.Fprintf(c.stdout, "forward [%s] to [%s]\n", name, strings.Join(forwards, ","))
	}
	for _, id := range ids {
		u, err := c.db.UserByID(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			continue // a dangling alias row: dbmail-util -s removes it
		}
		if err != nil {
			return c.failed("look up user", err)
		}
		if !strings.EqualFold(u.Name, name) {
			fmt.Fprintf(c.stdout, "deliver [%s] to [%s]\n", name, u.Name)
		}
	}
	return exitOK
}

// listGlob prints the user line of every user whose name matches pattern.
func (c *cmd) listGlob(ctx context.Context, pattern string) int {
	users, err := c.db.Users(ctx)
	if err != nil {
		return c.failed("list users", err)
	}
	found := false
	for i := range users {
		if !globMatch(pattern, users[i].Name) {
			continue
		}
		found = true
		if err := c.printUser(ctx, &users[i]); err != nil {
			return c.failed("list user", err)
		}
	}
	if !found {
		c.o.errorf(c.stderr, "Error: no user matches [%s].\n", pattern)
		return exitUsage
	}
	return exitOK
}

// printForwardLine prints "forward [name] to [t1,t2]" when the name has
// external forward rows.
func (c *cmd) printForwardLine(ctx context.Context, name string) int {
	targets, err := c.db.AliasTargets(ctx, name)
	if err != nil {
		return c.failed("list forwards", err)
	}
	_, fw := splitTargets(targets)
	if len(fw) > 0 {
		fmt.Fprintf(c.stdout, "forward [%s] to [%s]\n", name, strings.Join(fw, ","))
	}
	return exitOK
}

// expand follows alias rows from name: numeric targets are user ids, a
// target that is itself an alias is followed (rows pointing at their own
// name are ignored), anything else is an external forward (spec 4.5).
func (c *cmd) expand(ctx context.Context, name string, ids *[]int64, forwards *[]string, seen map[string]bool, depth int) error {
	key := strings.ToLower(name)
	if seen[key] || depth > maxAliasDepth {
		return nil
	}
	seen[key] = true
	targets, err := c.db.AliasTargets(ctx, name)
	if err != nil {
		return err
	}
	uids, other := splitTargets(targets)
	for _, id := range uids {
		if !containsID(*ids, id) {
			*ids = append(*ids, id)
		}
	}
	for _, t := range other {
		if strings.EqualFold(t, name) {
			continue
		}
		sub, err := c.db.AliasTargets(ctx, t)
		if err != nil {
			return err
		}
		if len(sub) > 0 {
			if err := c.expand(ctx, t, ids, forwards, seen, depth+1); err != nil {
				return err
			}
			continue
		}
		*forwards = append(*forwards, t)
	}
	return nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// listAll is -L (spec 7.1): every user line, then every alias name with
// external targets (DBMail's empty "-- forwards --" section is fixed).
func (c *cmd) listAll(ctx context.Context) int {
	users, err := c.db.Users(ctx)
	if err != nil {
		return c.failed("list users", err)
	}
	c.o.infof(c.stdout, "-- users --\n")
	for i := range users {
		if err := c.printUser(ctx, &users[i]); err != nil {
			return c.failed("list users", err)
		}
	}
	fw, order, err := c.db.Forwards(ctx)
	if err != nil {
		return c.failed("list forwards", err)
	}
	c.o.infof(c.stdout, "\n-- forwards --\n")
	for _, a := range order {
		fmt.Fprintf(c.stdout, "%s: %s\n", a, strings.Join(fw[a], ","))
	}
	return exitOK
}

// forward is -x ALIAS with -t/-T (spec 7.1).
func (c *cmd) forward(ctx context.Context) int {
	o := c.o
	alias := o.target
	if len(o.addForwards) == 0 && len(o.delForwards) == 0 {
		o.infof(c.stdout, "Please add at least one of --forwards-add or --forwards-delete\n")
		return exitOK
	}
	if o.dryRun {
		for _, t := range o.addForwards {
			o.infof(c.stdout, "Pretending to add forward [%s] to [%s]\n", alias, t)
		}
		for _, t := range o.delForwards {
			o.infof(c.stdout, "Pretending to delete forward [%s] to [%s]\n", alias, t)
		}
		return exitUsage
	}
	for _, t := range o.addForwards {
		if err := c.db.AddAlias(ctx, alias, t, o.clientID); err != nil {
			return c.failed("add forward", err)
		}
		c.log.Info("forward added", "alias", alias, "to", t)
	}
	if len(o.delForwards) == 0 {
		return exitOK
	}
	targets, err := c.db.AliasTargets(ctx, alias)
	if err != nil {
		return c.failed("list forwards", err)
	}
	_, external := splitTargets(targets)
	for _, pat := range o.delForwards {
		if !isGlob(pat) {
			if _, err := c.db.DeleteAlias(ctx, alias, pat); err != nil {
				return c.failed("delete forward", err)
			}
			continue
		}
		o.infof(c.stdout, "[%s] matches:\n", pat)
		for _, t := range external {
			if !globMatch(pat, t) {
				continue
			}
			o.infof(c.stdout, "  [%s]\n", t)
			if _, err := c.db.DeleteAlias(ctx, alias, t); err != nil {
				return c.failed("delete forward", err)
			}
		}
	}
	return exitOK
}
