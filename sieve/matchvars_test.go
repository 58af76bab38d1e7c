package sieve

import "testing"

// TestMatchVariables checks the RFC 5229 §3.2 match variables of
// :matches on tricky patterns: leftmost wildcards take as little as
// possible, the last star absorbs what remains, and a failed match leaves
// the previous values alone.
func TestMatchVariables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, pattern string
		want           string // "${0}|${1}|${2}|${3}|${4}|${5}" after the match
	}{
		{"frop:frup:frop", "*:*:*", "frop:frup:frop|frop|frup|frop||"},
		{"frop.......frop.........frop....", "?*frop*", "frop.......frop.........frop....|f|rop.......|.........frop....||"},
		{"test", "*", "test|test||||"},
		{"puk pok puk pok", "pu*ok", "puk pok puk pok|k pok puk p||||"},
		{"the cat jumps off the table", "the * jumps off the *", "the cat jumps off the table|cat|table|||"},
		{"toptoptop", "*top", "toptoptop|toptop||||"},
		{"beter van niet?", `*\\?`, "beter van niet?|beter van niet||||"},
		{"zero:one:zero|three;one;zero/five", "*one?zero?five", "zero:one:zero|three;one;zero/five|zero:one:zero|three;|;|/||"},
		{"frop", "??op", "frop|f|r|||"},
		{"frop", "fr??", "frop|o|p|||"},
		{"klopfropstroptop", "*fr??*top", "klopfropstroptop|klop|o|p|strop|"},
		{"klopfropstroptop", "?*fr??*top", "klopfropstroptop|k|lop|o|p|strop"},
		{"klopfropstroptop", "*?op", "klopfropstroptop|klopfropstrop|t|||"},
		{"klopfropstroptop", "*?op*", "klopfropstroptop|k|l|fropstroptop||"},
		{"foo1234@foobar.example.com", "*??@foobar.example.com", "foo1234@foobar.example.com|foo12|3|4||"},
		{"d@example.com", "*?@example.com", "d@example.com||d|||"},
		{"Log for failed build of dovecot", "Log for ?* build of *", "Log for failed build of dovecot|f|ailed|dovecot||"},
	}
	for _, tc := range tests {
		src := `require ["variables", "fileinto"];
   set "v" "` + tc.value + `";
   if string :matches "${v}" "` + tc.pattern + `" {
       fileinto "${0}|${1}|${2}|${3}|${4}|${5}";
   }`
		r := runScript(t, src, newEnv(messageA))
		if len(r.Actions) != 1 {
			t.Errorf("%q ~ %q: no match", tc.value, tc.pattern)
			continue
		}
		if got := r.Actions[0].(FileInto).Mailbox; got != tc.want {
			t.Errorf("%q ~ %q:\n got  %s\n want %s", tc.value, tc.pattern, got, tc.want)
		}
	}
	// Leading zeroes in a match variable reference, and failed matches
	// preserve the values.
	r := runScript(t, `require ["variables", "fileinto"];
   if string :matches "frop:frup:frop" "*:*:*" { }
   if string :matches "the dog barks" "the * meows" { }
   fileinto "${0000002}";`, newEnv(messageA))
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "frup"}}})
	// The alphabet: 26 match variables.
	r = runScript(t, `require ["variables", "fileinto"];
   if string :matches "The quick brown fox jumps over the lazy dog." "T?? ????? ????? ?o? ?u??? o?er ?he ???? ?o?." {
       fileinto "${22}${8}${6}${25}${2}${13}${26}${1}${5}${15}${7}${21}${16}${12}${10}${17}${3}${9}${18}${20}${4}${19}${11}${14}${24}${23}";
   }`, newEnv(messageA))
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "abcdefghijklmnopqrstuvwxyz"}}})
}
