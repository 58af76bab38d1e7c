package sieve

import (
	"strings"
	"testing"
)

// RFC 5228 §2.4.2.4 examples.
func TestEncodedCharacter(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, err string }{
		{"$${hex:40}", "$@", ""},
		{"${hex: 40 }", "@", ""},
		{"${HEX: 40}", "@", ""},
		{"${hex:40", "${hex:40", ""},
		{"${hex:400}", "${hex:400}", ""},
		{"${hex:4${hex:30}}", "${hex:40}", ""},
		{"${unicode:40}", "@", ""},
		{"${ unicode:40}", "${ unicode:40}", ""},
		{"${UNICODE:40}", "@", ""},
		{"${UnICoDE:0000040}", "@", ""},
		{"${Unicode:40}", "@", ""},
		{"${Unicode:Cool}", "${Unicode:Cool}", ""},
		{"${unicode:200000}", "", "line 1:1: invalid unicode character U+200000 in encoded-character"},
		{"${Unicode:DF01}", "", "line 1:1: invalid unicode character U+DF01 in encoded-character"},
		{"${hex:24 24}", "$$", ""},
		{"${unicode:1F600 20 41}", "\U0001F600 A", ""},
		{"${hex:}", "${hex:}", ""},
	}
	for _, tc := range tests {
		got, err := decodeEncodedChars(Pos{1, 1}, tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestLexer(t *testing.T) {
	t.Parallel()
	src := "require [\"a\",\"b\\\"c\\\\\"]; # comment\n/* multi\nline */ if size :OVER 10K { stop; }\ntext:  # c\r\n..x\r\nline\r\n.\r\n1M 2g"
	want := []string{
		"identifier require 1:1", "\"[\" 1:9", "string a 1:10", "\",\" 1:13", "string b\"c\\ 1:14", "\"]\" 1:22", "\";\" 1:23",
		"identifier if 3:9", "identifier size 3:12", "tagged argument over 3:17", "number 10240 3:23", "\"{\" 3:27",
		"identifier stop 3:29", "\";\" 3:33", "\"}\" 3:35", "string .x\r\nline\r\n 4:1", "number 1048576 8:1", "number 2147483648 8:4",
	}
	l := newLexer([]byte(src))
	var got []string
	for {
		tok, err := l.next()
		if err != nil {
			t.Fatal(err)
		}
		if tok.kind == tokEOF {
			break
		}
		s := tok.kind.String()
		switch tok.kind {
		case tokIdent, tokTag, tokString:
			s += " " + tok.text
		case tokNumber:
			s += " " + itoa(tok.num)
		}
		got = append(got, s+" "+itoa(int64(tok.pos.Line))+":"+itoa(int64(tok.pos.Column)))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tokens:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, pat string
		fold       bool
		ok         bool
		caps       []string
	}{
		{"frobnitzm", "frob*", false, true, []string{"nitzm"}},
		{"frobnitzm", "*nit*", false, true, []string{"frob", "zm"}},
		{"frobnitzm", "f?ob*m", false, true, []string{"r", "nitz"}},
		{"a.b.c", "*.*", false, true, []string{"a", "b.c"}},
		{"coyote@ACME.Example.COM", "coyote@**.com", true, true, []string{"", "ACME.Example"}},
		{"coyote@ACME.Example.COM", "coyote@**.com", false, false, nil},
		{"a*b", "a\\*b", false, true, []string{}},
		{"axb", "a\\*b", false, false, nil},
		{"", "*", false, true, []string{""}},
		{"", "?", false, false, nil},
		{"äb", "?b", false, false, nil},
		{"äb", "??b", false, true, []string{"\xc3", "\xa4"}},
		{"abc", "abc", true, true, []string{}},
		{"abcd", "abc", true, false, nil},
		{"xaaab", "*a*b", false, true, []string{"x", "aa"}},
	}
	for _, tc := range tests {
		toks, n := compileGlob(tc.pat)
		caps := make([][2]int, n)
		ok := globMatch(tc.value, toks, tc.fold, caps)
		if ok != tc.ok {
			t.Errorf("%q ~ %q = %v, want %v", tc.value, tc.pat, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		got := []string{}
		for _, c := range caps {
			got = append(got, tc.value[c[0]:c[1]])
		}
		if strings.Join(got, "|") != strings.Join(tc.caps, "|") || len(got) != len(tc.caps) {
			t.Errorf("%q ~ %q captures %q, want %q", tc.value, tc.pat, got, tc.caps)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"tim@example.com", "tim@example.com"},
		{"Tim <tim@example.com>", "tim@example.com"},
		{`"Doe, John" <john@example.com>, jane@example.com (Jane)`, "john@example.com|jane@example.com"},
		{`undisclosed-recipients:;`, ""},
		{`friends: a@x.example, "B" <b@y.example>; c@z.example`, "a@x.example|b@y.example|c@z.example"},
		{`"quoted local"@example.com`, "quoted local@example.com"},
		{`<@route.example:user@example.com>`, "user@example.com"},
		{`bogus`, "bogus"},
		{`a@b (comment, with comma), c@d`, "a@b|c@d"},
		{``, ""},
	}
	for _, tc := range tests {
		var got []string
		for _, a := range parseAddressList(tc.in) {
			got = append(got, a.all())
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("%q = %q, want %q", tc.in, strings.Join(got, "|"), tc.want)
		}
	}
}
