package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/timsieve"
)

// edit: -e [NAME] (spec 7.5). The script (NAME, a new one, or the active
// one) is copied to a temporary file and $EDITOR runs on it; an invalid
// result can be edited again or is saved aside as dbmail-invalid.N.sieve
// in the working directory.
func (t *tool) edit(ctx context.Context) int {
	editor := strings.TrimSpace(t.getenv("EDITOR"))
	if editor == "" {
		if t.o.quiet < 2 {
			fmt.Fprintln(t.stderr, "No EDITOR environment variable")
		}
		return exitEdit
	}
	name, src, err := t.scriptOrActive(ctx, t.o.name)
	switch {
	case errors.Is(err, db.ErrNotFound) && t.o.name == "":
		return t.fail("No active script found!")
	case errors.Is(err, db.ErrNotFound):
		name, src = t.o.name, "" // a new script
	case err != nil:
		return t.fail("dbmail-sievecmd: %v", err)
	}
	t.o.name = name
	f, err := os.CreateTemp("", "dbmail-sievecmd-*.sieve")
	if err != nil {
		return t.fail("dbmail-sievecmd: %v", err)
	}
	path := f.Name()
	defer os.Remove(path)
	_, werr := f.WriteString(src)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return t.fail("dbmail-sievecmd: write %s: %v", path, werr)
	}
	answers := bufio.NewReader(t.stdin)
	for {
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", editor+" "+delivery.ShellQuote(path))
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, t.stdout, t.stderr
		if err := cmd.Run(); err != nil {
			if t.o.quiet < 2 {
				fmt.Fprintf(t.stderr, "Editor failed: %v\n", err)
			}
			return exitEdit
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return t.fail("dbmail-sievecmd: %v", err)
		}
		edited := string(b)
		if err := timsieve.CheckScript(name, edited, t.engine()); err == nil {
			if edited == src {
				t.say("Script [%s] unchanged.", name)
				return exitOK
			}
			return t.store(ctx, name, edited, true)
		} else if t.o.quiet < 2 {
			fmt.Fprintf(t.stderr, "Script [%s] has errors: %v\n", name, err)
		}
		fmt.Fprint(t.stdout, "Edit the script again? [y/N] ")
		line, _ := answers.ReadString('\n')
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y") {
			continue
		}
		saved, err := saveInvalid(edited)
		if err != nil {
			return t.fail("dbmail-sievecmd: %v", err)
		}
		t.say("The invalid script was saved as [%s].", saved)
		return exitEdit
	}
}

// saveInvalid writes src to the first free dbmail-invalid.N.sieve.
func saveInvalid(src string) (string, error) {
	for n := 1; n < 10000; n++ {
		name := fmt.Sprintf("dbmail-invalid.%d.sieve", n)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save invalid script: %w", err)
		}
		_, werr := f.WriteString(src)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Errorf("save invalid script: %w", werr)
		}
		return name, nil
	}
	return "", errors.New("save invalid script: no free dbmail-invalid.N.sieve name")
}
