package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dbmail-go/dbmail/cmd/internal/app"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/sieve"
	"github.com/dbmail-go/dbmail/timsieve"
)

// tool runs one dbmail-sievecmd invocation.
type tool struct {
	a      *app.App
	o      opts
	user   *db.User
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// say prints a progress message unless -q.
func (t *tool) say(format string, args ...any) {
	if t.o.quiet == 0 {
		fmt.Fprintf(t.stdout, format+"\n", args...)
	}
}

// fail prints an error unless -q -q and returns the error exit code.
func (t *tool) fail(format string, args ...any) int {
	if t.o.quiet < 2 {
		fmt.Fprintf(t.stderr, format+"\n", args...)
	}
	return exitError
}

// engine is the option set scripts are validated with: what delivery
// allows ([DELIVERY] SIEVE_VACATION, SIEVE_NOTIFY).
func (t *tool) engine() sieve.Options {
	c := t.a.Config.Delivery
	return delivery.SieveOptions{Enabled: c.Sieve, Vacation: c.SieveVacation, Notify: c.SieveNotify}.EngineOptions()
}

func (t *tool) run(ctx context.Context) int {
	u, err := t.a.DB.UserByName(ctx, t.o.user)
	if errors.Is(err, db.ErrNotFound) {
		return t.fail("User [%s] does not exist!", t.o.user)
	}
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.user = u
	code := exitOK
	switch t.o.mode {
	case modeList:
		code = t.list(ctx)
	case modeShow:
		code = t.show(ctx)
	case modeImport:
		code = t.importScript(ctx)
	case modeEdit:
		code = t.edit(ctx)
	case modeRemove:
		code = t.remove(ctx)
	}
	if code != exitOK {
		return code
	}
	if t.o.deactivate {
		if code = t.deactivateScript(ctx); code != exitOK {
			return code
		}
	}
	if t.o.activate {
		name := t.o.activateName
		if name == "" {
			name = t.o.name // the script just imported or edited
		}
		if name == "" {
			return t.fail("Which script should be activated? Give -aNAME or --activate=NAME.")
		}
		code = t.activateScript(ctx, name)
	}
	return code
}

// list: -l (spec 7.5 output format).
func (t *tool) list(ctx context.Context) int {
	list, err := t.a.DB.SieveScripts(ctx, t.user.ID)
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	if len(list) == 0 {
		fmt.Fprintln(t.stdout, "No scripts found!")
		return exitOK
	}
	fmt.Fprintf(t.stdout, "Found %d scripts:\n", len(list))
	for _, s := range list {
		mark := "-"
		if s.Active {
			mark = "+"
		}
		fmt.Fprintf(t.stdout, "  %s %s\n", mark, s.Name)
	}
	return exitOK
}

// scriptOrActive returns the named script, or the active one.
func (t *tool) scriptOrActive(ctx context.Context, name string) (string, string, error) {
	if name == "" {
		return t.a.DB.ActiveSieveScript(ctx, t.user.ID)
	}
	src, _, err := t.a.DB.SieveScriptText(ctx, t.user.ID, name)
	return name, src, err
}

// show: -c prints the source to stdout.
func (t *tool) show(ctx context.Context) int {
	name, src, err := t.scriptOrActive(ctx, t.o.name)
	if errors.Is(err, db.ErrNotFound) {
		if t.o.name == "" {
			return t.fail("No active script found!")
		}
		return t.fail("Script [%s] does not exist!", t.o.name)
	}
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.o.name = name
	io.WriteString(t.stdout, src)
	return exitOK
}

// store validates src and writes it under name. An existing script needs
// overwrite and keeps its active state; a new one is inactive.
func (t *tool) store(ctx context.Context, name, src string, overwrite bool) int {
	if !timsieve.ValidName(name) {
		return t.fail("Invalid script name [%s]", name)
	}
	if err := timsieve.CheckScript(name, src, t.engine()); err != nil {
		return t.fail("Script [%s] has errors: %v", name, err)
	}
	_, _, err := t.a.DB.SieveScriptText(ctx, t.user.ID, name)
	exists := err == nil
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	if exists && !overwrite {
		return t.fail("A script by that name already exists. Use --yes option to overwrite it.")
	}
	created, err := t.a.DB.PutSieveScript(ctx, t.user.ID, name, src)
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	if created {
		t.say("Script [%s] successfully imported and marked inactive!", name)
	} else {
		t.say("Script [%s] successfully imported!", name)
	}
	return exitOK
}

// importScript: -i NAME [FILE], the script from FILE or stdin.
func (t *tool) importScript(ctx context.Context) int {
	var src []byte
	var err error
	if t.o.source == "" || t.o.source == "-" {
		src, err = io.ReadAll(io.LimitReader(t.stdin, sieve.DefaultMaxScriptSize+1))
	} else {
		src, err = os.ReadFile(t.o.source)
	}
	if err != nil {
		return t.fail("Could not read the script: %v", err)
	}
	return t.store(ctx, t.o.name, string(src), t.o.yes)
}

// remove: -r NAME.
func (t *tool) remove(ctx context.Context) int {
	err := t.a.DB.DeleteSieveScript(ctx, t.user.ID, t.o.name)
	if errors.Is(err, db.ErrNotFound) {
		return t.fail("Script [%s] does not exist!", t.o.name)
	}
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.say("Script [%s] deleted.", t.o.name)
	return exitOK
}

// activateScript: -a makes name the only active script.
func (t *tool) activateScript(ctx context.Context, name string) int {
	err := t.a.DB.ActivateSieveScript(ctx, t.user.ID, name)
	if errors.Is(err, db.ErrNotFound) {
		return t.fail("Script [%s] does not exist!", name)
	}
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.say("Script [%s] is now active. All others are inactive.", name)
	return exitOK
}

// deactivateScript: -d [NAME], NAME or whichever script is active.
func (t *tool) deactivateScript(ctx context.Context) int {
	name := t.o.deactName
	if name == "" {
		active, _, err := t.a.DB.ActiveSieveScript(ctx, t.user.ID)
		if errors.Is(err, db.ErrNotFound) {
			t.say("No scripts are active at this time.")
			return exitOK
		}
		if err != nil {
			return t.fail("dbmail-sievecmd: %v", err)
		}
		name = active
	} else if _, _, err := t.a.DB.SieveScriptText(ctx, t.user.ID, name); errors.Is(err, db.ErrNotFound) {
		return t.fail("Script [%s] does not exist!", name)
	} else if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	if _, err := t.a.DB.DeactivateSieveScripts(ctx, t.user.ID, name); err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.say("Script [%s] is now deactivated. No scripts are currently active.", name)
	return exitOK
}
