package imap4

import (
	"context"
	"errors"
	"testing"

	"github.com/dbmail-go/dbmail/message"
)

type sortCase struct {
	cmd  string // SORT command without tag
	want string
}

func runSortCases(t *testing.T, mbox string, cases []sortCase) {
	t.Helper()
	src, msgs := loadMbox(t, mbox)
	for _, c := range cases {
		t.Run(mbox+"/"+c.cmd, func(t *testing.T) {
			a, ok := parseTestCommand(t, c.cmd).Args.(*SortArgs)
			if !ok {
				t.Fatalf("%q is not a SORT", c.cmd)
			}
			matched, err := EvalSearch(context.Background(), a.Key, msgs, src, SearchOptions{Charset: a.Charset})
			if err != nil {
				t.Fatal(err)
			}
			var sub []MsgMeta
			for _, m := range msgs {
				for _, s := range matched {
					if m.Seq == s {
						sub = append(sub, m)
					}
				}
			}
			got, err := SortMessages(context.Background(), a.Criteria, sub, src)
			if err != nil {
				t.Fatal(err)
			}
			if s := joinSeqs(got); s != c.want {
				t.Errorf("got %q, want %q", s, c.want)
			}
		})
	}
}

// Transcribed from imaptest tests/sort-*.
func TestSortImaptest(t *testing.T) {
	runSortCases(t, "sort-addresses", []sortCase{
		{"SORT (from) us-ascii all", "3 1 2"},
		{"SORT (to) us-ascii all", "3 1 2"},
		{"SORT (cc) us-ascii all", "3 1 2"},
		{"SORT (reverse from) us-ascii all", "1 2 3"},
		{"SORT (reverse to) us-ascii all", "1 2 3"},
		{"SORT (reverse cc) us-ascii all", "1 2 3"},
		{"SORT (from reverse arrival) us-ascii all", "3 2 1"},
		{"SORT (to reverse arrival) us-ascii all", "3 2 1"},
		{"SORT (cc reverse arrival) us-ascii all", "3 2 1"},
	})
	runSortCases(t, "sort-arrival", []sortCase{
		{"SORT (arrival) us-ascii all", "1 3 2 4 5"},
		{"SORT (reverse arrival) us-ascii all", "2 4 5 3 1"},
		{"SORT (arrival reverse size) us-ascii all", "1 3 5 4 2"},
		{"SORT (arrival) us-ascii 2:4", "3 2 4"},
	})
	runSortCases(t, "sort-date", []sortCase{
		{"SORT (date) us-ascii all", "1 3 7 5 2 4 6"},
		{"SORT (reverse date) us-ascii all", "2 4 6 5 3 7 1"},
		{"SORT (date reverse size) us-ascii all", "1 7 3 5 6 4 2"},
	})
	runSortCases(t, "sort-display-from", []sortCase{
		{"SORT (displayfrom) us-ascii all", "2 3 4 1 5"},
		{"SORT (reverse displayfrom) us-ascii all", "5 1 4 3 2"},
	})
	runSortCases(t, "sort-size", []sortCase{
		{"SORT (size) us-ascii all", "1 8 2 6 3 5 4 7"},
		{"SORT (reverse size) us-ascii all", "4 7 3 5 2 6 1 8"},
		{"SORT (size reverse arrival) us-ascii all", "8 1 6 2 5 3 7 4"},
	})
	runSortCases(t, "sort-subject", []sortCase{
		{"SORT (subject) us-ascii all", "9 10 1 14 3 5 11 6 15 2 7 12 13 8 4"},
		{"SORT (reverse subject) us-ascii all", "4 8 2 7 12 13 15 6 3 5 11 14 1 9 10"},
		{"SORT (subject reverse size) us-ascii all", "10 9 1 14 11 5 3 6 15 13 12 7 2 8 4"},
	})
}

func TestSortErrors(t *testing.T) {
	msgs := []MsgMeta{{Seq: 1, UID: 1}, {Seq: 2, UID: 2}}
	if _, err := SortMessages(context.Background(), []SortCriterion{{Key: "SUBJECT"}}, msgs, failingSource{}); !errors.Is(err, errTestSource) {
		t.Errorf("err = %v, want the source error", err)
	}
	if _, err := SortMessages(context.Background(), []SortCriterion{{Key: "NOPE"}}, msgs, failingSource{}); err == nil {
		t.Error("unknown key accepted")
	}
	// ARRIVAL and SIZE never read the messages
	got, err := SortMessages(context.Background(), []SortCriterion{{Key: "SIZE", Reverse: true}}, msgs, failingSource{})
	if err != nil || joinSeqs(got) != "1 2" {
		t.Errorf("SIZE: %v, %v", got, err)
	}
}

// The base subjects the sort-subject data relies on (RFC 5256 §2.1).
func TestBaseSubjectCases(t *testing.T) {
	for in, want := range map[string]string{
		"[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)": "b",
		"re: [fwd: [fwd: re: [fwd: babylon]]]":    "babylon",
		"Re: [FWD: c]":                            "c",
		"[xyz]":                                   "[xyz]",
		"Ad: Re: Ad: Re: Ad: x":                   "ad: re: ad: re: ad: x",
	} {
		if got := message.BaseSubject(in); got != want {
			t.Errorf("BaseSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
