package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dbmail-go/dbmail/password"
)

// defaultShadow is the file -P reads without an argument (spec 7.1).
const defaultShadow = "/etc/shadow"

// maxPromptLen is how much of a typed password DBMail keeps (spec 7.1: at
// most 49 bytes).
const maxPromptLen = 49

// errNoPassword says that no password option was given.
var errNoPassword = errors.New("no password given")

// clearPassword returns the clear-text password from -w, -W FILE or the -W
// prompt; errNoPassword when none of them was used.
func (c *cmd) clearPassword() (string, error) {
	o := c.o
	switch {
	case o.passwordSet:
		return o.password, nil
	case o.pwFile && o.pwFileName != "":
		return readFirstLine(o.pwFileName)
	case o.pwFile:
		return c.prompt()
	}
	return "", errNoPassword
}

// readFirstLine returns the first line of a file without its line ending:
// what -W FILE means (DBMail 3.5.6 never opened FILE, spec 7.1).
func readFirstLine(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password file %s: %w", name, err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// prompt asks for the password on the terminal with echo off (spec 7.1);
// from a pipe the first line is read as is.
func (c *cmd) prompt() (string, error) {
	fmt.Fprint(c.stderr, "Please enter a password (will not echo): ")
	restore := noEcho(c.stdin)
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	restore()
	fmt.Fprintln(c.stderr)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxPromptLen {
		line = line[:maxPromptLen]
	}
	return line, nil
}

// shadowHash returns the hash of user's entry in a shadow-format file
// (`name:hash:…`, spec 7.1 -P).
func shadowHash(file, user string) (string, error) {
	if file == "" {
		file = defaultShadow
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("read shadow file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != user {
			continue
		}
		hash, _, _ := strings.Cut(rest, ":")
		return hash, nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read shadow file %s: %w", file, err)
	}
	return "", fmt.Errorf("user [%s] not found in %s", user, file)
}

// encodedPassword works out the (passwd, encryption_type) to store for user,
// or ok = false when no password option was given. currentType is the
// user's stored encryption_type for -c, reused when -p is absent (spec 7.1).
func (c *cmd) encodedPassword(user, currentType string, change bool) (stored, encType string, ok bool, err error) {
	o := c.o
	if o.shadow {
		hash, err := shadowHash(o.shadowFile, user)
		if err != nil {
			return "", "", false, err
		}
		return hash, password.ShadowEncryptionType(hash), true, nil
	}
	clear, err := c.clearPassword()
	if errors.Is(err, errNoPassword) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	t, err := c.pwTypeFor(currentType, change)
	if err != nil {
		return "", "", false, err
	}
	stored, encType, err = password.Encode(t, clear)
	if err != nil {
		return "", "", false, err
	}
	return stored, encType, true, nil
}

// pwTypeFor is the -p type, or for -c without -p the type that writes the
// user's current encryption_type again.
func (c *cmd) pwTypeFor(currentType string, change bool) (string, error) {
	if c.o.pwTypeSet || !change {
		return c.o.pwType, nil
	}
	switch t := strings.ToLower(currentType); t {
	case "", "crypt", "md5", "md5sum", "md5base64", "sha1", "sha256", "sha512", "whirlpool", "tiger":
		return t, nil
	}
	return "", fmt.Errorf("%w [%s]", password.ErrUnsupportedType, currentType)
}

// passwordDescription names the -p type for the dry-run line.
func passwordDescription(t string) string {
	if t == "" {
		return "plaintext"
	}
	return t
}
