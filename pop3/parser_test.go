package pop3

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// feed pushes input split into pieces of size n and returns the lines.
func feed(r *LineReader, input []byte, n int) ([]string, error) {
	var out []string
	for len(input) > 0 {
		k := min(n, len(input))
		b := input[:k]
		input = input[k:]
		for len(b) > 0 {
			line, used, err := r.Next(b)
			b = b[used:]
			if err != nil {
				return out, err
			}
			if line != nil {
				out = append(out, string(line))
			}
		}
	}
	return out, nil
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name  string
		max   int
		input string
		want  []string
		err   error
	}{
		{"crlf", 100, "USER a\r\nPASS b c\r\n", []string{"USER a", "PASS b c"}, nil},
		{"bare lf", 100, "STAT\nLIST\n", []string{"STAT", "LIST"}, nil},
		{"empty line", 100, "\r\n", []string{""}, nil},
		{"partial kept", 100, "NOOP\r\nQU", []string{"NOOP"}, nil},
		{"at limit", 4, "ABCD\r\n", []string{"ABCD"}, nil},
		{"over limit", 4, "ABCDE\r\n", nil, ErrLineTooLong},
		{"over limit unterminated", 4, "ABCDEFGHIJ", nil, ErrLineTooLong},
	}
	for _, tc := range tests {
		for _, split := range []int{1, 2, 3, 1000} {
			got, err := feed(NewLineReader(tc.max), []byte(tc.input), split)
			if !errors.Is(err, tc.err) {
				t.Errorf("%s/split %d: err %v, want %v", tc.name, split, err, tc.err)
				continue
			}
			if tc.err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s/split %d: %q, want %q", tc.name, split, got, tc.want)
			}
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		want Command
		ok   bool
	}{
		{"stat", Command{Name: "STAT"}, true},
		{"LIST 1", Command{Name: "LIST", Args: []string{"1"}, Rest: "1"}, true},
		{"PASS two  words", Command{Name: "PASS", Args: []string{"two", "words"}, Rest: "two  words"}, true},
		{"TOP 1 10", Command{Name: "TOP", Args: []string{"1", "10"}, Rest: "1 10"}, true},
		{"", Command{}, false},
		{" STAT", Command{}, false},
		{"ST\x00AT", Command{}, false},
		{strings.Repeat("X", 17), Command{}, false},
	}
	for _, tc := range tests {
		got, err := ParseCommand([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.line, err)
			continue
		}
		if tc.ok {
			if len(got.Args) == 0 {
				got.Args = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%q: %+v, want %+v", tc.line, got, tc.want)
			}
		}
	}
}

// FuzzLineReader: any split of the input gives the same lines as feeding
// it whole, and every line is within the limit and free of LF.
func FuzzLineReader(f *testing.F) {
	for _, s := range []string{"USER a\r\nPASS b\r\n", "STAT\nLIST 1\r\nRETR 2\r\n", "\r\n\r\n", "TOP 1 5\r", strings.Repeat("A", 70) + "\r\n"} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, input []byte, split uint8) {
		const max = 64
		whole, werr := feed(NewLineReader(max), input, len(input)+1)
		parts, perr := feed(NewLineReader(max), input, int(split)%17+1)
		if (werr == nil) != (perr == nil) {
			t.Fatalf("errors differ: %v vs %v", werr, perr)
		}
		if werr == nil && !reflect.DeepEqual(whole, parts) {
			t.Fatalf("lines differ: %q vs %q", whole, parts)
		}
		for _, l := range parts {
			if len(l) > max || strings.Contains(l, "\n") {
				t.Fatalf("bad line %q", l)
			}
			if cmd, err := ParseCommand([]byte(l)); err == nil {
				if cmd.Name == "" || cmd.Name != strings.ToUpper(cmd.Name) {
					t.Fatalf("bad command %+v", cmd)
				}
			}
		}
	})
}

func TestDotWriter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n"},
		{"no end", "no end\r\n.\r\n"},
		{"x\r\n.", "x\r\n..\r\n.\r\n"},
		{"a.b\r\n", "a.b\r\n.\r\n"},
	}
	for _, tc := range tests {
		for _, split := range []int{1, 2, 1000} {
			var out bytes.Buffer
			w := newDotWriter(&out)
			in := []byte(tc.in)
			for len(in) > 0 {
				k := min(split, len(in))
				if _, err := w.Write(in[:k]); err != nil {
					t.Fatal(err)
				}
				in = in[k:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("%q split %d: %q, want %q", tc.in, split, out.String(), tc.want)
			}
		}
	}
}

func TestTopWriter(t *testing.T) {
	msg := "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
	tests := []struct {
		lines int
		want  string
	}{
		{0, "A: 1\r\nB: 2\r\n\r\n"},
		{1, "A: 1\r\nB: 2\r\n\r\nl1\r\n"},
		{3, msg},
		{10, msg},
	}
	for _, tc := range tests {
		for _, split := range []int{1, 4, 1000} {
			var out bytes.Buffer
			w := newTopWriter(&out, tc.lines)
			in := []byte(msg)
			for len(in) > 0 {
				k := min(split, len(in))
				_, err := w.Write(in[:k])
				if errors.Is(err, errTopDone) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				in = in[k:]
			}
			if out.String() != tc.want {
				t.Errorf("TOP %d split %d: %q, want %q", tc.lines, split, out.String(), tc.want)
			}
		}
	}
}
