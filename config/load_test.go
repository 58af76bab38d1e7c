package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadCreatesMissingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "etc", "dbmail", "dbmail.conf")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Path != path || c.DBMail.DBURI != "sqlite:///var/lib/dbmail/dbmail.db" {
		t.Errorf("loaded %q with dburi %q", c.Path, c.DBMail.DBURI)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != Sample() {
		t.Fatalf("created file differs from the sample (err %v)", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	for _, d := range []string{filepath.Join(dir, "etc"), filepath.Join(dir, "etc", "dbmail")} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", d, st.Mode().Perm())
		}
	}
}

func TestLoadNeverOverwrites(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "dbmail.conf")
	const mine = "[DBMAIL]\ndburi = sqlite:///mine.db\nauthdriver = sql\n"
	if err := os.WriteFile(path, []byte(mine), 0o640); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.DBMail.DBURI != "sqlite:///mine.db" {
		t.Errorf("DBURI = %q", c.DBMail.DBURI)
	}
	err = Create(path)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create on an existing file: %v, want fs.ErrExist", err)
	}
	data, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(data) != mine || st.Mode().Perm() != 0o640 {
		t.Errorf("existing file changed: mode %v, %q", st.Mode().Perm(), data)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(bad, []byte("[DBMAIL]\nthis is not valid\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	want := bad + `:2: line "this is not valid" is not a key-value pair, group or comment`
	if err == nil || err.Error() != want {
		t.Errorf("Load(bad) = %v, want %s", err, want)
	}
	// A directory in the way: creation fails and says so.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(blocker, "dbmail.conf")); err == nil {
		t.Error("Load below a regular file succeeded")
	}
}
