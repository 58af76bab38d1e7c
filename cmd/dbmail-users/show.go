package main

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/dbmail-go/dbmail/db"
)

// userLine formats a user as show_user does (spec 7.1):
// name:x:user_idnr:client_idnr:maxMB:usedMB:aliases, sizes in MiB with two
// decimals, aliases comma-joined.
func userLine(u *db.User, aliases []string) string {
	return fmt.Sprintf("%s:x:%d:%d:%.02f:%.02f:%s", u.Name, u.ID, u.ClientID,
		float64(u.MaxMailSize)/1048576, float64(u.CurMailSize)/1048576, strings.Join(aliases, ","))
}

// printUser prints the user line of u.
func (c *cmd) printUser(ctx context.Context, u *db.User) error {
	aliases, err := c.db.AliasesOfUser(ctx, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, userLine(u, aliases))
	return nil
}

// isGlob says whether a -S/-T item is a pattern.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// globMatch matches like fnmatch(3) without flags, case-insensitively as
// alias lookups are (spec 4.5); a malformed pattern matches only itself.
func globMatch(pattern, s string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(s))
	if err != nil {
		return strings.EqualFold(pattern, s)
	}
	return ok
}

// splitTargets separates numeric deliver_to values (user ids) from the
// others (external forwards or further aliases).
func splitTargets(targets []string) (ids []int64, other []string) {
	for _, t := range targets {
		if isDecimal(t) {
			if id, err := strconv.ParseInt(t, 10, 64); err == nil {
				ids = append(ids, id)
				continue
			}
		}
		other = append(other, t)
	}
	return ids, other
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
