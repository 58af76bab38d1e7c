package imap4

import (
	"slices"
	"testing"

	"github.com/dbmail-go/dbmail/db"
)

// Every selected session keeps one flag list per message while it idles:
// the list holds exactly its flags (no spare capacity, nil for none).
func TestFlagsOfExactSize(t *testing.T) {
	cases := []struct {
		f      db.Flags
		recent bool
		kws    []string
		want   []string
	}{
		{db.Flags{}, false, nil, nil},
		{db.Flags{Seen: true}, false, nil, []string{`\Seen`}},
		{db.Flags{Seen: true, Draft: true}, true, []string{"$Junk"}, []string{`\Seen`, `\Draft`, `\Recent`, "$Junk"}},
		{db.Flags{}, false, []string{"a", "b"}, []string{"a", "b"}},
	}
	for _, c := range cases {
		got := flagsOf(c.f, c.recent, c.kws)
		if !slices.Equal(got, c.want) || (c.want == nil) != (got == nil) {
			t.Errorf("flagsOf(%+v, %v, %v) = %#v, want %#v", c.f, c.recent, c.kws, got, c.want)
		}
		if cap(got) != len(got) {
			t.Errorf("flagsOf(%+v, %v, %v): cap %d for %d flags", c.f, c.recent, c.kws, cap(got), len(got))
		}
	}
}
