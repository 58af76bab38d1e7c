// Package testutil finds the shared test data: the mail corpus in
// ../shared/corpus and the imaptest scripts in ../shared/imaptest, relative
// to the repository root.
package testutil

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// RepoRoot walks up from the working directory to the directory holding
// go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// SharedDir returns ../shared/<name> beside the repository, failing the test
// with a clear message when it is missing.
func SharedDir(tb testing.TB, name string) string {
	tb.Helper()
	dir := filepath.Join(RepoRoot(tb), "..", "shared", name)
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("shared test data %s is missing (expected beside the repository): %v", dir, err)
	}
	return dir
}

// CorpusFiles lists the corpus messages (ham then spam), sorted.
func CorpusFiles(tb testing.TB) []string {
	tb.Helper()
	dir := SharedDir(tb, "corpus")
	var out []string
	for _, sub := range []string{"ham", "spam"} {
		m, err := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		if err != nil {
			tb.Fatal(err)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	if len(out) == 0 {
		tb.Fatalf("no messages in %s", dir)
	}
	return out
}

// StripFromLine removes a leading mbox "From " line: what the store keeps
// of a corpus file.
func StripFromLine(b []byte) []byte {
	if len(b) >= 5 && string(b[:5]) == "From " {
		for i, c := range b {
			if c == '\n' {
				return b[i+1:]
			}
		}
		return nil
	}
	return b
}
