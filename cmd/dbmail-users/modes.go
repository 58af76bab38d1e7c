package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/password"
)

// cmd is one run of dbmail-users against an open database.
type cmd struct {
	o      *opts
	db     *db.DB
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func (c *cmd) dispatch(ctx context.Context) int {
	switch c.o.mode {
	case modeAdd:
		return c.add(ctx)
	case modeChange:
		return c.change(ctx)
	case modeDelete:
		return c.remove(ctx)
	case modeEmpty:
		return c.empty(ctx)
	case modeList:
		return c.list(ctx)
	case modeListAll:
		return c.listAll(ctx)
	case modeForward:
		return c.forward(ctx)
	}
	fmt.Fprint(c.stdout, usage)
	return exitOK
}

// failed logs err and prints DBMail's generic failure line (spec 7.1).
func (c *cmd) failed(what string, err error) int {
	c.log.Error(what, "err", err)
	c.o.errorf(c.stderr, "%s: %v\n", what, err)
	c.o.errorf(c.stderr, "Command failed, see logfile for details.\n")
	return exitError
}

// passwordFailed reports an encoding or password-source error.
func (c *cmd) passwordFailed(err error) int {
	if errors.Is(err, password.ErrUnsupportedType) {
		// "Error: password type not supported [x]." (spec 7.1)
		c.o.errorf(c.stderr, "Error: %v.\n", err)
		c.log.Error("password", "err", err)
		return exitError
	}
	return c.failed("password", err)
}

// lookupUser loads the mode's user, printing DBMail's message when it is
// missing.
func (c *cmd) lookupUser(ctx context.Context, name string) (*db.User, int) {
	u, err := c.db.UserByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		c.o.errorf(c.stderr, "Error: user [%s] does not exist.\n", name)
		return nil, exitError
	}
	if err != nil {
		return nil, c.failed("look up user", err)
	}
	return u, exitOK
}

// securityPasswordRefused applies spec 7.1: -p with --security-password but
// without a new password is refused.
func (c *cmd) securityPasswordRefused() bool {
	if c.o.secPwSet && c.o.pwTypeSet && !c.o.passwordSet && !c.o.pwFile {
		c.o.errorf(c.stderr, "Error: --pw-type with --security-password needs --password too.\n")
		return true
	}
	return false
}

// add is -a (spec 7.1).
func (c *cmd) add(ctx context.Context) int {
	o := c.o
	if o.dryRun {
		t := o.pwType
		if o.shadow {
			t = "shadow"
		}
		o.infof(c.stdout, "Pretending to add user %s with password type %s, %d bytes mailbox limit and clientid %d\n",
			o.target, passwordDescription(t), o.maxMail, o.clientID)
		return exitUsage
	}
	if c.securityPasswordRefused() {
		return exitError
	}
	if _, err := c.db.UserByName(ctx, o.target); err == nil {
		o.errorf(c.stderr, "Failed: user name already exists\n")
		return exitError
	} else if !errors.Is(err, db.ErrNotFound) {
		return c.failed("look up user", err)
	}
	stored, encType, _, err := c.encodedPassword(o.target, "", false)
	if err != nil {
		return c.passwordFailed(err)
	}
	u := db.User{Name: o.target, Passwd: stored, EncryptionType: encType, ClientID: o.clientID,
		MaxMailSize: o.maxMail, SAction: o.secAction, Active: o.active == nil || *o.active}
	if o.secPwSet {
		sp, _, err := password.Encode(o.pwType, o.secPassword)
		if err != nil {
			return c.passwordFailed(err)
		}
		u.SPasswd = sp
	}
	id, err := c.db.CreateUser(ctx, u)
	if errors.Is(err, db.ErrExists) {
		o.errorf(c.stderr, "Failed: user name already exists\n")
		return exitError
	}
	if err != nil {
		return c.failed("add user", err)
	}
	c.log.Info("user added", "user", o.target, "id", id)
	for _, a := range o.addAliases {
		if err := c.db.AddAlias(ctx, a, strconv.FormatInt(id, 10), o.clientID); err != nil {
			return c.failed("add alias", err)
		}
	}
	nu, err := c.db.UserByID(ctx, id)
	if err != nil {
		return c.failed("read user", err)
	}
	if err := c.printUser(ctx, nu); err != nil {
		return c.failed("read aliases", err)
	}
	return exitOK
}

// change is -c: the steps of spec 7.1 in their order; the exit status is
// the bitwise OR of the step results.
func (c *cmd) change(ctx context.Context) int {
	o := c.o
	u, code := c.lookupUser(ctx, o.target)
	if u == nil {
		return code
	}
	if o.dryRun {
		o.infof(c.stdout, "Pretending to change user %s\n", u.Name)
		return exitUsage
	}
	if c.securityPasswordRefused() {
		return exitError
	}
	result := 0
	step := func(what string, up db.UserUpdate) {
		if err := c.db.UpdateUser(ctx, u.ID, up); err != nil {
			result |= c.failed(what, err)
		}
	}
	if o.newNameSet {
		if other, err := c.db.UserByName(ctx, o.newName); err == nil && other.ID != u.ID {
			o.errorf(c.stderr, "Failed: user name already exists\n")
			result |= exitError
		} else {
			step("rename user", db.UserUpdate{Name: &o.newName})
		}
	}
	if stored, encType, ok, err := c.encodedPassword(u.Name, u.EncryptionType, true); err != nil {
		result |= c.passwordFailed(err)
	} else if ok {
		step("change password", db.UserUpdate{Passwd: &stored, EncryptionType: &encType})
	}
	if o.clientSet {
		step("change client id", db.UserUpdate{ClientID: &o.clientID})
	}
	if o.maxMailSet {
		step("change quota", db.UserUpdate{MaxMailSize: &o.maxMail})
	}
	if o.secPwSet {
		if t, err := c.pwTypeFor(u.EncryptionType, true); err != nil {
			result |= c.passwordFailed(err)
		} else if sp, _, err := password.Encode(t, o.secPassword); err != nil {
			result |= c.passwordFailed(err)
		} else {
			step("change security password", db.UserUpdate{SPasswd: &sp})
		}
	}
	if o.secActSet {
		step("change security action", db.UserUpdate{SAction: &o.secAction})
	}
	if o.active != nil {
		step("change active", db.UserUpdate{Active: o.active})
	}
	result |= c.changeAliases(ctx, u)
	return result
}

// changeAliases applies -s and -S to user u (spec 7.1).
func (c *cmd) changeAliases(ctx context.Context, u *db.User) int {
	id := strconv.FormatInt(u.ID, 10)
	client := u.ClientID
	if c.o.clientSet {
		client = c.o.clientID
	}
	for _, a := range c.o.addAliases {
		if err := c.db.AddAlias(ctx, a, id, client); err != nil {
			return c.failed("add alias", err)
		}
	}
	if len(c.o.delAliases) == 0 {
		return exitOK
	}
	have, err := c.db.AliasesOfUser(ctx, u.ID)
	if err != nil {
		return c.failed("list aliases", err)
	}
	for _, pat := range c.o.delAliases {
		if !isGlob(pat) {
			if _, err := c.db.DeleteAlias(ctx, pat, id); err != nil {
				return c.failed("delete alias", err)
			}
			continue
		}
		c.o.infof(c.stdout, "[%s] matches:\n", pat)
		for _, a := range have {
			if !globMatch(pat, a) {
				continue
			}
			c.o.infof(c.stdout, "  [%s]\n", a)
			if _, err := c.db.DeleteAlias(ctx, a, id); err != nil {
				return c.failed("delete alias", err)
			}
		}
	}
	return exitOK
}

// remove is -d (spec 7.1).
func (c *cmd) remove(ctx context.Context) int {
	u, code := c.lookupUser(ctx, c.o.target)
	if u == nil {
		return code
	}
	if c.o.dryRun {
		c.o.infof(c.stdout, "Pretending to delete user %s\n", u.Name)
		return exitUsage
	}
	if err := c.db.DeleteUserOnly(ctx, u.ID); err != nil {
		return c.failed("delete user", err)
	}
	c.log.Info("user deleted", "user", u.Name, "id", u.ID)
	return exitOK
}

// empty is -e (spec 7.1): list without -y, delete the messages of every
// owned mailbox with it, stopping at the first mailbox not writable.
func (c *cmd) empty(ctx context.Context) int {
	u, code := c.lookupUser(ctx, c.o.target)
	if u == nil {
		return code
	}
	boxes, err := c.db.Mailboxes(ctx, u.ID)
	if err != nil {
		return c.failed("list mailboxes", err)
	}
	if !c.o.yes {
		c.o.infof(c.stdout, "You've requested to delete all messages of user [%s] in these mailboxes:\n", u.Name)
		for _, m := range boxes {
			c.o.infof(c.stdout, "  %s\n", m.Name)
		}
		c.o.infof(c.stdout, "please run again with -y to actually perform this action.\n")
		return exitUsage
	}
	for i := range boxes {
		m := &boxes[i]
		if m.NoSelect || m.Permission != 2 {
			c.o.errorf(c.stderr, "Error: mailbox [%s] of user [%s] is not writable.\n", m.Name, u.Name)
			return exitError
		}
		n, err := c.db.EmptyMailbox(ctx, m)
		if err != nil {
			return c.failed("empty mailbox", err)
		}
		c.o.infof(c.stdout, "Emptied mailbox [%s]: %d messages deleted\n", m.Name, n)
	}
	return exitOK
}
