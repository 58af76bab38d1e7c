package sieve

import (
	"context"
	"strings"
	"testing"
)

const benchScript = `require ["fileinto", "variables", "imap4flags", "relational", "comparator-i;ascii-numeric", "envelope", "subaddress", "regex"];
if header :is "Sender" "owner-ietf-mta-filters@imc.org" { fileinto "filter"; }
elsif address :domain :is ["From", "To"] "example.com" { keep; }
elsif anyof (not address :all :contains ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject" ["*make*money*fast*", "*university*dipl*mas*"]) { fileinto "spam"; }
elsif header :matches "List-ID" "*<*@*" { fileinto "lists.${2}"; }
elsif envelope :detail "to" "shop" { addflag "\\Seen"; fileinto "shopping"; }
elsif header :count "ge" :comparator "i;ascii-numeric" "received" "5" { fileinto "far"; }
elsif header :regex "subject" "^\\[([a-z-]+)\\]" { fileinto "tag.${1}"; }
else { fileinto "personal"; }
`

func BenchmarkParse(b *testing.B) {
	src := []byte(benchScript)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("bench", src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLarge(b *testing.B) {
	src := []byte("require [\"fileinto\"];\n" + strings.Repeat(`if header :contains ["from", "to"] ["alice@example.com", "bob@example.org"] { fileinto "x"; }
`, 2000))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("bench", src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRun(b *testing.B) {
	s, err := Parse("bench", []byte(benchScript), Options{})
	if err != nil {
		b.Fatal(err)
	}
	env := newEnv("From: Friend <friend@example.net>\nTo: list@example.org\nCc: me@example.com\nSubject: [dbmail-dev] release\nReceived: a\nReceived: b")
	ctx := context.Background()
	for b.Loop() {
		r, err := s.Run(ctx, env)
		if err != nil || len(r.Actions) != 1 {
			b.Fatal(err, r)
		}
	}
}

// BenchmarkGlobPathological shows :matches stays polynomial on a pattern
// that makes backtracking matchers exponential.
func BenchmarkGlobPathological(b *testing.B) {
	value := strings.Repeat("a", 4096)
	toks, n := compileGlob(strings.Repeat("*a", 16) + "b")
	caps := make([][2]int, n)
	for b.Loop() {
		if globMatch(value, toks, true, caps) {
			b.Fatal("matched")
		}
	}
}
