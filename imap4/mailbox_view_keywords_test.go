package imap4

import (
	"slices"
	"testing"
)

// TestKeywordList: FLAGS lists each keyword of the visible messages once,
// sorted, whatever case the messages spell it in.
func TestKeywordList(t *testing.T) {
	got := keywordList(map[int64][]string{
		10: {"$Label1", "work"},
		11: {"Work", "$label1", "urgent"},
		12: nil,
		13: {"$Forwarded"},
	})
	want := []string{"$Forwarded", "$Label1", "Work", "urgent"}
	if !slices.Equal(got, want) {
		t.Fatalf("keywordList = %q, want %q", got, want)
	}
	if got := keywordList(nil); len(got) != 0 {
		t.Fatalf("keywordList(nil) = %q", got)
	}
}
