package message

import (
	"errors"
	"reflect"
	"testing"
)

// failWriter accepts n bytes, then fails.
type failWriter struct{ n int }

var errFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestRebuilderWriteError(t *testing.T) {
	t.Parallel()
	for _, form := range []Form{FormStored, FormCRLF} {
		r := NewRebuilder(&failWriter{n: 10}, form)
		var err error
		for _, p := range nestedExampleRows {
			if err = r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data}); err != nil {
				break
			}
		}
		if err == nil {
			err = r.Close()
		}
		if !errors.Is(err, errFull) {
			t.Errorf("form %d: error %v, want %v", form, err, errFull)
		}
		if again := r.Row(Row{Data: []byte("x")}); !errors.Is(again, errFull) {
			t.Errorf("form %d: Row after failure = %v", form, again)
		}
	}
}

func TestParseSection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Section
		bad  bool
	}{
		{"", Section{}, false},
		{"1", Section{Path: []int{1}}, false},
		{"1.2.3", Section{Path: []int{1, 2, 3}}, false},
		{"header", Section{Specifier: "HEADER"}, false},
		{"2.MIME", Section{Path: []int{2}, Specifier: "MIME"}, false},
		{"HEADER.FIELDS (From \"Subject\")", Section{Specifier: "HEADER.FIELDS", Fields: []string{"From", "Subject"}}, false},
		{"1.header.fields.not (x-a)", Section{Path: []int{1}, Specifier: "HEADER.FIELDS.NOT", Fields: []string{"x-a"}}, false},
		{"MIME", Section{}, true},
		{"0", Section{}, true},
		{"1.", Section{}, true},
		{"HEADER.FIELDS ()", Section{}, true},
		{"HEADER.FIELDS", Section{}, true},
		{"TEXT (x)", Section{}, true},
		{"BODY", Section{}, true},
	} {
		got, err := ParseSection(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("ParseSection(%q) error %v, want error %v", tc.in, err, tc.bad)
			continue
		}
		if !tc.bad && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSection(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}
