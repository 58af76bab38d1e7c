package sieve

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want string
	}{
		{"require \"fileinto\";\nif true {\n      filein \"x\";\n}", `line 3:7: unknown command "filein"`},
		{`fileinto "x";`, `line 1:1: command "fileinto" requires extension "fileinto" (missing require)`},
		{`require "frobnicate";`, `line 1:9: unsupported extension "frobnicate"`},
		{"keep;\nrequire \"fileinto\";", `line 2:1: require must come before any other command`},
		{`if header :is :contains "a" "b" { keep; }`, `line 1:15: ":contains" conflicts with ":is"`},
		{`if header :foo "a" "b" { keep; }`, `line 1:11: unknown tagged argument ":foo" for test "header"`},
		{`if header "a" { keep; }`, `line 1:4: test "header" expects 2 positional argument(s), found 1`},
		{`if size 100 { keep; }`, `line 1:4: test "size" needs ":over" or ":under"`},
		{`if size :over "x" { keep; }`, `line 1:15: argument 1 of test "size" must be a number, found string`},
		{`redirect ["a@b.example", "c@d.example"];`, `line 1:10: argument 1 of command "redirect" must be a string, found string list`},
		{`redirect "not an address";`, `line 1:10: invalid redirect address "not an address"`},
		{`if header :comparator "i;foo" "a" "b" { keep; }`, `line 1:23: unknown comparator "i;foo"`},
		{`if header :comparator "i;ascii-numeric" "a" "1" { keep; }`, `line 1:23: comparator "i;ascii-numeric" requires extension "comparator-i;ascii-numeric" (missing require)`},
		{"require \"comparator-i;ascii-numeric\";\nif header :contains :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }", `line 2:11: comparator "i;ascii-numeric" cannot be used with ":contains"`},
		{`require "regex"; if header :regex "a" "(" { keep; }`, "line 1:39: invalid regular expression \"(\": error parsing regexp: missing closing ): `(`"},
		{`if header :regex "a" "b" { keep; }`, `line 1:11: tagged argument ":regex" requires extension "regex" (missing require)`},
		{`require "relational"; if header :count "xx" "a" "1" { keep; }`, `line 1:40: invalid relational operator "xx"`},
		{`if true { keep; `, `line 1:9: unterminated block`},
		{`keep`, `line 1:5: expected ";" or block after "keep", found end of script`},
		{`if true keep;`, `line 1:1: "if" needs a block`},
		{`"x";`, `line 1:1: expected command, found string`},
		{`discard "x";`, `line 1:9: command "discard" expects 0 positional argument(s), found 1`},
		{`elsif true { keep; }`, `line 1:1: "elsif" without a preceding "if"`},
		{`if true { keep; } else true { keep; }`, `line 1:24: "else" takes no test`},
		{`if allof true { keep; }`, `line 1:4: test "allof" needs a parenthesised test list`},
		{`if (true) { keep; }`, `line 1:1: "if" needs exactly one test`},
		{`keep; /* unterminated`, `line 1:7: unterminated bracket comment`},
		{"redirect \"a@b.example\nkeep;", `line 1:10: unterminated quoted string`},
		{"reject text:\nfoo\n", `line 1:8: unterminated multi-line string`},
		{"require \"reject\";\nreject text:\nfoo\n", `line 2:8: unterminated multi-line string`},
		{`require "encoded-character"; keep :flags "${unicode:DF01}";`, `line 1:35: tagged argument ":flags" requires extension "imap4flags" (missing require)`},
		{`require "encoded-character"; if header :is "a" "${unicode:DF01}" { keep; }`, `line 1:48: invalid unicode character U+DF01 in encoded-character`},
		{`require "variables"; set "a b" "c";`, `line 1:26: invalid variable name "a b"`},
		{`require "variables"; set :lower :upper "a" "c";`, `line 1:33: modifiers ":lower" and ":upper" cannot be used together`},
		{`require "variables"; if string "${foo.bar}" "x" { keep; }`, `line 1:32: unknown variable namespace "foo"`},
		{`require "fileinto"; fileinto "x" :copy;`, `line 1:34: tagged argument ":copy" after positional arguments of command "fileinto"`},
		{`require "date"; if date "date" "eon" "x" { keep; }`, `line 1:32: unknown date part "eon"`},
		{`require "date"; if currentdate :zone "CET" "year" "2026" { keep; }`, `line 1:38: invalid time zone "CET"`},
		{`require ["date", "index"]; if header :last "a" "b" { keep; }`, `line 1:38: ":last" needs ":index"`},
		{`if address "subject" "x" { keep; }`, `line 1:12: header "subject" does not contain addresses`},
		{`require "envelope"; if envelope "via" "x" { keep; }`, `line 1:33: unknown envelope part "via"`},
		{`keep; 12x;`, `line 1:9: invalid character 'x' in number`},
		{`if header :is "a" 99999999999999999999 { keep; }`, `line 1:19: number too large`},
		{`if true { stop; } }`, `line 1:19: unexpected "}"`},
		{`require "vacation"; vacation :days 3 :seconds 4 "x";`, `line 1:38: tagged argument ":seconds" requires extension "vacation-seconds" (missing require)`},
		{`require "include"; include "../x";`, `line 1:28: invalid script name "../x"`},
		{`if exists "a", true { keep; }`, `line 1:14: expected ";" or block after "if", found ","`},
		{"keep;\n\t\t$", `line 2:3: unexpected character '$'`},
		{"require \"fileinto\"; fileinto \"a\x01b\";", `line 1:30: invalid mailbox name "a\x01b"`},
		{`require "vacation"; vacation :from "nobody" "x";`, `line 1:36: invalid :from address "nobody"`},
		{`require ["fileinto", "frobnicate"];`, `line 1:22: unsupported extension "frobnicate"`},
		{`redirect "group: a@b.example;";`, `line 1:10: invalid redirect address "group: a@b.example;"`},
		{`require "encoded-character"; if header :is "a" ["x", "${unicode:110000}"] { keep; }`, `line 1:54: invalid unicode character U+110000 in encoded-character`},
	}
	for _, tc := range tests {
		_, err := Parse("t", []byte(tc.src), Options{})
		if err == nil {
			t.Errorf("%q: no error, want %s", tc.src, tc.want)
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %T is not *Error", tc.src, err)
		}
		if err.Error() != tc.want {
			t.Errorf("%q:\n got  %s\n want %s", tc.src, err, tc.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	if _, err := Parse("big", []byte(strings.Repeat("keep;", 300)), Options{MaxScriptSize: 1000}); err == nil || err.Error() != "line 1:1: script is 1500 bytes, more than the limit of 1000" {
		t.Errorf("size limit: %v", err)
	}
	deep := strings.Repeat("if true {", 5) + "keep;" + strings.Repeat("}", 5)
	if _, err := Parse("deep", []byte(deep), Options{MaxNesting: 4}); err == nil || err.Error() != "line 1:45: blocks nested deeper than 4" {
		t.Errorf("nesting limit: %v", err)
	}
	if _, err := Parse("deep", []byte(deep), Options{MaxNesting: 5}); err != nil {
		t.Errorf("nesting 5: %v", err)
	}
	tests := "if " + strings.Repeat("not ", 40) + "true { keep; }"
	if _, err := Parse("deep", []byte(tests), Options{}); err == nil || err.Error() != "line 1:132: tests nested deeper than 32" {
		t.Errorf("test nesting limit: %v", err)
	}
	if _, err := Parse("novac", []byte(`require "vacation";`), Options{Disabled: []string{"vacation"}}); err == nil || err.Error() != `line 1:9: unsupported extension "vacation"` {
		t.Errorf("disabled vacation: %v", err)
	}
}

func TestExtensions(t *testing.T) {
	t.Parallel()
	got := strings.Join(Extensions(Options{}), " ")
	want := "body comparator-i;ascii-numeric copy date duplicate encoded-character envelope ereject fileinto imap4flags include index mailbox regex reject relational subaddress vacation vacation-seconds variables"
	if got != want {
		t.Errorf("Extensions = %q\nwant %q", got, want)
	}
	got = strings.Join(Extensions(Options{Disabled: []string{"vacation"}}), " ")
	want = "body comparator-i;ascii-numeric copy date duplicate encoded-character envelope ereject fileinto imap4flags include index mailbox regex reject relational subaddress variables"
	if got != want {
		t.Errorf("Extensions without vacation = %q", got)
	}
}
