package timsieve

import (
	"errors"
	"reflect"
	"testing"
)

// feedSplit feeds input to a fresh parser in pieces of n bytes (n <= 0:
// all at once) and returns the commands emitted.
func feedSplit(t testing.TB, input string, n int, maxLit int64) ([]Command, error) {
	t.Helper()
	p := &Parser{MaxLine: 100, MaxLiteral: maxLit}
	var out []Command
	emit := func(c Command) bool { out = append(out, c); return true }
	b := []byte(input)
	if n <= 0 {
		n = len(b)
	}
	for len(b) > 0 {
		k := min(n, len(b))
		if err := p.Feed(b[:k], emit); err != nil {
			return out, err
		}
		b = b[k:]
	}
	return out, nil
}

func TestParser(t *testing.T) {
	q := func(s string) Arg { return Arg{Kind: Quoted, Value: s} }
	a := func(s string) Arg { return Arg{Kind: Atom, Value: s} }
	l := func(s string) Arg { return Arg{Kind: Literal, Value: s} }
	n := func(s string) Arg { return Arg{Kind: Number, Value: s} }
	tests := []struct {
		name  string
		input string
		want  [][]Arg
		errs  []error // per command, nil for none
	}{
		{"atom", "CAPABILITY\r\n", [][]Arg{{a("CAPABILITY")}}, nil},
		{"bare LF", "noop\n", [][]Arg{{a("noop")}}, nil},
		{"quoted", `AUTHENTICATE "PLAIN" "AGFsaWNlAHNlY3JldA=="` + "\r\n", [][]Arg{{a("AUTHENTICATE"), q("PLAIN"), q("AGFsaWNlAHNlY3JldA==")}}, nil},
		{"escapes", `GETSCRIPT "a\"b\\c"` + "\r\n", [][]Arg{{a("GETSCRIPT"), q(`a"b\c`)}}, nil},
		{"non-sync literal", "PUTSCRIPT \"s\" {9+}\r\nkeep;\r\n\r\n\r\n", [][]Arg{{a("PUTSCRIPT"), q("s"), l("keep;\r\n\r\n")}}, nil},
		{"sync literal", "PUTSCRIPT {1}\r\nx {2+}\r\nyz\r\n", [][]Arg{{a("PUTSCRIPT"), l("x"), l("yz")}}, nil},
		{"empty literal", "CHECKSCRIPT {0+}\r\n\r\n", [][]Arg{{a("CHECKSCRIPT"), l("")}}, nil},
		{"number", "HAVESPACE \"x\" 1234\r\n", [][]Arg{{a("HAVESPACE"), q("x"), n("1234")}}, nil},
		{"two commands", "NOOP\r\nLOGOUT\r\n", [][]Arg{{a("NOOP")}, {a("LOGOUT")}}, nil},
		{"empty line", "\r\n", [][]Arg{nil}, nil},
		{"unterminated quote", "GETSCRIPT \"abc\r\n", [][]Arg{{a("GETSCRIPT")}}, []error{errSyntax}},
		{"bad escape", `GETSCRIPT "a\nb"` + "\r\n", [][]Arg{{a("GETSCRIPT")}}, []error{errSyntax}},
		{"bad literal", "PUTSCRIPT {x+}\r\n", [][]Arg{{a("PUTSCRIPT")}}, []error{errSyntax}},
		{"marker not last", "PUTSCRIPT {1+} x\r\n", [][]Arg{{a("PUTSCRIPT")}}, []error{errSyntax}},
		{"literal too large", "PUTSCRIPT \"s\" {20+}\r\n01234567890123456789\r\nNOOP\r\n", [][]Arg{{a("PUTSCRIPT"), q("s")}, {a("NOOP")}}, []error{ErrLiteralTooLarge, nil}},
	}
	for _, tc := range tests {
		for _, split := range []int{0, 1, 2, 3, 7} {
			got, err := feedSplit(t, tc.input, split, 10)
			if err != nil {
				t.Fatalf("%s/split %d: %v", tc.name, split, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%s/split %d: %d commands, want %d: %+v", tc.name, split, len(got), len(tc.want), got)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].Args, tc.want[i]) {
					t.Errorf("%s/split %d: command %d = %+v, want %+v", tc.name, split, i, got[i].Args, tc.want[i])
				}
				var want error
				if tc.errs != nil {
					want = tc.errs[i]
				}
				switch {
				case want == nil && got[i].Err != nil:
					t.Errorf("%s/split %d: command %d: unexpected error %v", tc.name, split, i, got[i].Err)
				case want == errSyntax && got[i].Err == nil:
					t.Errorf("%s/split %d: command %d: no syntax error", tc.name, split, i)
				case want != nil && want != errSyntax && !errors.Is(got[i].Err, want):
					t.Errorf("%s/split %d: command %d: error %v, want %v", tc.name, split, i, got[i].Err, want)
				}
			}
		}
	}
}

// errSyntax stands for "any syntax error" in the table above.
var errSyntax = errors.New("syntax")

func TestParserLineTooLong(t *testing.T) {
	long := "NOOP \"" + string(make([]byte, 200)) + "\"\r\n"
	for _, split := range []int{0, 50} {
		if _, err := feedSplit(t, long, split, 10); !errors.Is(err, ErrLineTooLong) {
			t.Errorf("split %d: err = %v, want ErrLineTooLong", split, err)
		}
	}
}

func TestParserStop(t *testing.T) {
	p := &Parser{MaxLine: 100, MaxLiteral: 10}
	var got []string
	err := p.Feed([]byte("STARTTLS\r\nCAPABILITY\r\n"), func(c Command) bool {
		got = append(got, c.Args[0].Value)
		return false
	})
	if err != nil || !reflect.DeepEqual(got, []string{"STARTTLS"}) {
		t.Fatalf("got %v, %v; want only STARTTLS", got, err)
	}
	p.Reset()
	if p.Pending() {
		t.Fatal("Pending after Reset")
	}
}

func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"CAPABILITY\r\n",
		"PUTSCRIPT \"s\" {9+}\r\nkeep;\r\n\r\n\r\n",
		`AUTHENTICATE "PLAIN" "AGFsaWNlAHNlY3JldA=="` + "\r\n",
		"HAVESPACE \"x\" 1234\r\n",
		"GETSCRIPT \"a\\\"b\"\r\n{3}\r\nabc\r\n",
	} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		whole, errWhole := feedSplit(t, string(data), 0, 64)
		parts, errParts := feedSplit(t, string(data), int(split%16)+1, 64)
		if (errWhole == nil) != (errParts == nil) {
			t.Fatalf("error differs by split: %v vs %v", errWhole, errParts)
		}
		if errWhole != nil {
			return
		}
		if len(whole) != len(parts) {
			t.Fatalf("%d commands whole, %d split", len(whole), len(parts))
		}
		for i := range whole {
			if !reflect.DeepEqual(whole[i].Args, parts[i].Args) || (whole[i].Err == nil) != (parts[i].Err == nil) {
				t.Fatalf("command %d differs: %+v vs %+v", i, whole[i], parts[i])
			}
		}
	})
}
