package sieve

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	`require ["fileinto", "variables", "imap4flags"]; if header :matches "subject" "[*] *" { fileinto :flags "\\Seen" "lists.${1}"; } else { keep; }`,
	"require \"reject\";\nreject text:\nline\n..dot\n.\n;",
	`if anyof (not exists ["From","Date"], size :over 1M) { discard; }`,
	`require ["relational", "comparator-i;ascii-numeric"]; if header :count "ge" :comparator "i;ascii-numeric" "received" "3" { stop; }`,
	`require ["date", "index", "relational"]; if date :value "gt" :index 1 :last :zone "+0100" "received" "hour" "12" { keep; }`,
	`require ["vacation-seconds"]; vacation :seconds 60 :subject "x" :addresses ["a@b.example"] :handle "h" "away";`,
	`require ["regex", "variables"]; set :quoteregex "q" "a.b"; if string :regex "${q}" "^a" { discard; }`,
	`require ["include", "variables"]; global "x"; include :optional :once "other"; return;`,
	`require ["encoded-character", "body"]; if body :content "text" :contains "${hex:41}" { discard; }`,
	`/* c */ # c
	if true { if false { stop; } elsif true { keep; } else { discard; } }`,
	`require "duplicate"; if duplicate :header "X-Id" :seconds 10 :last { discard; }`,
	`require ["mailbox", "fileinto", "copy"]; if mailboxexists "a" { fileinto :create :copy "a"; }`,
	`require ["enotify", "variables"]; set :encodeurl "b" "a&b"; if valid_notify_method "mailto:x@y.example" { notify :importance "1" "mailto:x@y.example?body=${b}"; }`,
}

// FuzzParse checks that the parser never panics, that every error is an
// *Error pointing inside the input, and that valid scripts run.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz", src, Options{MaxSteps: 2000, Notify: true})
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			lines := bytes.Split(src, []byte("\n"))
			if pe.Line < 1 || pe.Line > len(lines) {
				t.Fatalf("error line %d outside 1..%d: %v", pe.Line, len(lines), err)
			}
			if pe.Column < 1 || pe.Column > len(lines[pe.Line-1])+1 {
				t.Fatalf("error column %d outside line of %d bytes: %v", pe.Column, len(lines[pe.Line-1]), err)
			}
			return
		}
		env := newEnv("From: a@b.example\nTo: c@d.example\nSubject: [x] hello\nReceived: a; Mon, 26 Feb 2007 14:30:00 +0000\nMessage-ID: <1@x>")
		env.scripts["other"] = "keep;"
		if _, err := s.Run(context.Background(), env); err != nil {
			t.Fatalf("run: %v", err)
		}
	})
}

// FuzzGlob compares the linear-time :matches implementation with Go's
// regexp on the same pattern.
func FuzzGlob(f *testing.F) {
	f.Add("frobnitzm", "f*n?tz*")
	f.Add("a.b.c", "*.*")
	f.Add("aaaaaaaaab", "*a*a*a*b")
	f.Add("x*y", "x\\*y")
	f.Fuzz(func(t *testing.T, value, pat string) {
		if len(pat) > 64 || len(value) > 256 {
			return
		}
		var re strings.Builder
		re.WriteString("(?s)^")
		toks, n := compileGlob(pat)
		for _, tk := range toks {
			switch tk.kind {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(rune(tk.b))))
			}
		}
		re.WriteString("$")
		// One rune per byte, so that "." matches one octet as "?" does.
		var latin1 strings.Builder
		for i := 0; i < len(value); i++ {
			latin1.WriteRune(rune(value[i]))
		}
		want := regexp.MustCompile(re.String()).MatchString(latin1.String())
		caps := make([][2]int, n)
		if got := globMatch(value, toks, false, caps); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp says %v", value, pat, got, want)
		}
	})
}
