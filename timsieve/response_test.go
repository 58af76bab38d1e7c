package timsieve

import (
	"strings"
	"testing"
)

func TestAppendString(t *testing.T) {
	long := strings.Repeat("x", 1025)
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"two\r\nlines", "{10}\r\ntwo\r\nlines"},
		{"nul\x00", "{4}\r\nnul\x00"},
		{"ünïcödé", `"ünïcödé"`},
	}
	for _, tc := range tests {
		if got := string(appendString(nil, tc.in)); got != tc.want {
			t.Errorf("appendString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := string(appendString(nil, long)); got[:8] != "{1025}\r\n" {
		t.Errorf("a 1025-byte string is not a literal: %q", got[:8])
	}
}

func TestResponse(t *testing.T) {
	tests := []struct{ word, code, text, want string }{
		{"OK", "", "", "OK\r\n"},
		{"NO", "NONEXISTENT", "Script not found.", "NO (NONEXISTENT) \"Script not found.\"\r\n"},
		{"BYE", "", "Too many errors, closing connection.", "BYE \"Too many errors, closing connection.\"\r\n"},
		{"NO", "", "Script error: line 1:1: \"x\"", "NO \"Script error: line 1:1: \\\"x\\\"\"\r\n"},
	}
	for _, tc := range tests {
		if got := string(response(tc.word, tc.code, tc.text)); got != tc.want {
			t.Errorf("response(%q, %q, %q) = %q, want %q", tc.word, tc.code, tc.text, got, tc.want)
		}
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"main": true, "Urlaub ä": true, "with space": true,
		"": false, "a\x00": false, "a\tb": false, "del\x7f": false, "c1\u0085": false, "ls\u2028": false,
		"@!temp-script!@": false, "\xff": false,
		string(make([]rune, 100)): false, // NULs
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, want)
		}
	}
	hundred := ""
	for range 100 {
		hundred += "é"
	}
	if !ValidName(hundred) || ValidName(hundred+"x") {
		t.Error("the 100-character limit counts characters")
	}
}
