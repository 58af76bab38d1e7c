package imaptest

import (
	"testing"
)

func parse(t *testing.T, s string) []Arg {
	t.Helper()
	a, err := ParseArgs([]byte(s))
	if err != nil {
		t.Fatalf("ParseArgs(%q): %v", s, err)
	}
	return a
}

func expected(t *testing.T, s string) []Arg {
	t.Helper()
	a := parse(t, s)
	if err := applyDefaultDirectives(a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMatchReply(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		exp, got string
		prefix   bool
		want     bool
	}{
		{"exact", "1 exists", "1 EXISTS", false, true},
		{"case-insensitive", "status foo (messages 1)", `STATUS "FOO" (MESSAGES 1)`, false, true},
		{"wrong number", "2 exists", "1 EXISTS", false, false},
		{"extra argument", "1 exists", "1 EXISTS now", false, false},
		{"missing argument", "1 exists now", "1 EXISTS", false, false},
		{"prefix", "ok [read-write]", "OK [READ-WRITE] Select completed.", true, true},
		{"prefix last arg", "ok [read", "OK [READ-WRITE] x", true, true},
		{"prefix mismatch", "ok [read-only]", "OK [READ-WRITE] x", true, false},
		{"any status", `""`, "NO whatever", true, true},
		{"bare $ atom", "1 fetch (uid $)", "1 FETCH (UID 42)", false, true},
		{"bare $ list", "1 fetch (flags $)", `1 FETCH (FLAGS (\Seen))`, false, true},
		{"bare $ not NIL", "1 fetch (x $)", "1 FETCH (X NIL)", false, false},
		{"$] skips to ]", "ok [capability $] done", "OK [CAPABILITY IMAP4rev1 IDLE] done", true, true},
		{"NIL", "1 fetch (envelope (nil))", "1 FETCH (ENVELOPE (NIL))", false, true},
		{"NIL vs string", `1 fetch (envelope (nil))`, `1 FETCH (ENVELOPE ("NIL"))`, false, false},
		{"literal vs string", `1 fetch (body[] "ab")`, "1 FETCH (BODY[] {2}\r\nab)", false, true},
		{"fetch unordered pairs", "1 fetch (uid 5 flags (\\seen))", `1 FETCH (FLAGS (\Seen) UID 5)`, false, true},
		{"fetch extra pair allowed", "1 fetch (uid 5)", `1 FETCH (FLAGS (\Seen) UID 5 MODSEQ (3))`, false, true},
		{"flags noextra", "1 fetch (flags (\\seen))", `1 FETCH (FLAGS (\Seen \Flagged))`, false, false},
		{"flags ignore recent", "1 fetch (flags (\\seen))", `1 FETCH (FLAGS (\Recent \Seen))`, false, true},
		{"flags unordered", "1 fetch (flags (\\seen \\draft))", `1 FETCH (FLAGS (\Draft \Seen))`, false, true},
		{"$!extra alone stays ordered", "1 fetch (flags ($!extra \\seen))", `1 FETCH (FLAGS (\Seen \Flagged))`, false, false},
		{"flags $!unordered $!extra", "1 fetch (flags ($!unordered $!extra \\seen))", `1 FETCH (FLAGS (\Flagged \Seen))`, false, true},
		{"$!extra keeps order", "1 fetch (flags ($!extra \\seen \\draft))", `1 FETCH (FLAGS (\Draft \Seen))`, false, false},
		{"$!unordered $!ban", "x ($!unordered $!ban=c a)", "X (a b)", false, true},
		{"$!unordered $!ban hit", "x ($!unordered $!ban=c a)", "X (a c)", false, false},
		{"$!unordered $!noextra $!ignore", "x ($!unordered $!noextra $!ignore=b a)", "X (b a)", false, true},
		{"$!unordered $!noextra", "x ($!unordered $!noextra a)", "X (b a)", false, false},
		{"$!ordered", "x ($!ordered a b)", "X (b a)", false, false},
		{"list unordered flags", `list (\noselect \haschildren) "/" foo`, `LIST (\HasChildren \Noselect) "/" foo`, false, true},
		{"status odd count", "status foo (messages 1)", "STATUS foo (MESSAGES 1 UNSEEN)", false, false},
		{"case var exact", `list () "/" ${case:INBOX}`, `LIST () "/" INBOX`, false, true},
		{"case var differs", `list () "/" ${case:INBOX}`, `LIST () "/" Inbox`, false, false},
		{"$$ literal dollar", "x $$hello", "X $Hello", false, true},
	}
	for _, c := range cases {
		m := NewMatcher(nil)
		ok, _ := m.MatchReply(expected(t, c.exp), parse(t, c.got), c.prefix)
		if ok != c.want {
			t.Errorf("%s: match(%s, %s) = %v, want %v", c.name, c.exp, c.got, ok, c.want)
		}
	}
}

func TestMatchVariables(t *testing.T) {
	t.Parallel()
	m := NewMatcher(map[string]string{"mailbox": "imaptest"})
	if ok, _ := m.MatchReply(expected(t, "1 fetch (uid $uid1)"), parse(t, "1 FETCH (UID 17)"), false); !ok {
		t.Fatal("binding $uid1 failed")
	}
	if v, _ := m.Var("uid1"); v != "17" {
		t.Fatalf("uid1 = %q", v)
	}
	if ok, _ := m.MatchReply(expected(t, "2 fetch (uid $uid1)"), parse(t, "2 FETCH (UID 18)"), false); ok {
		t.Error("bound $uid1 matched another value")
	}
	// Partial binding: ${mailbox}2 and a variable followed by text.
	if ok, _ := m.MatchReply(expected(t, "status ${mailbox}2 (uidnext $next)"), parse(t, "STATUS imaptest2 (UIDNEXT 9)"), false); !ok {
		t.Error("${mailbox}2 did not match")
	}
	if ok, _ := m.MatchReply(expected(t, "ok [copyuid $uidv $src $dst]"), parse(t, "OK [COPYUID 77 1:2 5:6] Done"), true); !ok {
		t.Fatal("copyuid did not match")
	}
	if v, _ := m.Var("dst"); v != "5:6" {
		t.Errorf("$dst = %q, want 5:6 (value ends before ']')", v)
	}
	// A failed attempt's bindings are reverted.
	m.BeginAttempt()
	if ok, _ := m.MatchReply(expected(t, "x $fresh y"), parse(t, "X 1 Z"), false); ok {
		t.Fatal("mismatch reported as match")
	}
	m.RevertAttempt()
	if _, ok := m.Var("fresh"); ok {
		t.Error("binding of a failed attempt was kept")
	}
	// Expand for commands.
	got, err := m.Expand("uid store $uid1 flags ($$hello) $!ignored")
	if err != nil || got != "uid store 17 flags ($hello) " {
		t.Errorf("Expand = %q, %v", got, err)
	}
	if _, err := m.Expand("fetch $nosuch"); err == nil {
		t.Error("Expand of an unset variable did not fail")
	}
}

func TestMatchRelativeSeq(t *testing.T) {
	t.Parallel()
	m := NewMatcher(nil)
	m.ResetSeqMap(5)
	m.Expunge(2) // messages 3,4,5 move to 2,3,4
	cases := []struct{ exp, got string }{
		{"$1 fetch (uid 1)", "1 FETCH (UID 1)"},
		{"$3 expunge", "2 EXPUNGE"},
		{"$5 fetch (uid 5)", "4 FETCH (UID 5)"},
	}
	for _, c := range cases {
		if ok, _ := m.MatchReply(expected(t, c.exp), parse(t, c.got), false); !ok {
			t.Errorf("%s vs %s did not match", c.exp, c.got)
		}
	}
	if ok, _ := m.MatchReply(expected(t, "$2 fetch (uid 2)"), parse(t, "2 FETCH (UID 2)"), false); ok {
		t.Error("$2 of an expunged message matched")
	}
	if got, _ := m.Expand("fetch $4,$2,$9"); got != "fetch 3,<expunged>,<out of range>" {
		t.Errorf("Expand relative = %q", got)
	}
}

func TestMatchModseq(t *testing.T) {
	t.Parallel()
	cases := []struct {
		vals []string // for $modseq2 then $modseq5
		want bool
	}{
		{[]string{"2", "5"}, true},
		{[]string{"2", "6"}, true},
		{[]string{"10", "13"}, true},
		{[]string{"10", "100"}, true},
		{[]string{"1", "5"}, false},
		{[]string{"2", "4"}, false},
		{[]string{"10", "12"}, false},
	}
	for _, c := range cases {
		m := NewMatcher(nil)
		ok1, _ := m.MatchReply(expected(t, "1 fetch (modseq ($modseq2))"), parse(t, "1 FETCH (MODSEQ ("+c.vals[0]+"))"), false)
		ok2, _ := m.MatchReply(expected(t, "2 fetch (modseq ($modseq5))"), parse(t, "2 FETCH (MODSEQ ("+c.vals[1]+"))"), false)
		if got := ok1 && ok2; got != c.want {
			t.Errorf("modseq %v: matched %v %v, want both %v", c.vals, ok1, ok2, c.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("1 fetch (uid $u flags (\\seen))", "1 FETCH (FLAGS (\\Seen) UID 4)")
	f.Add("status ${mailbox}2 ($!unordered=2 messages $n)", "STATUS x2 (MESSAGES 3)")
	f.Add("x ${case:Ab} $$ $1 $", "X Ab $ 1 (a)")
	f.Fuzz(func(t *testing.T, exp, got string) {
		e, err := ParseArgs([]byte(exp))
		if err != nil || applyDefaultDirectives(e) != nil {
			return
		}
		g, err := ParseArgs([]byte(got))
		if err != nil {
			return
		}
		m := NewMatcher(map[string]string{"mailbox": "x"})
		m.ResetSeqMap(3)
		m.MatchReply(e, g, false)
		m.MatchReply(e, g, true)
	})
}

func BenchmarkMatchFetch(b *testing.B) {
	e, _ := ParseArgs([]byte(`1 fetch (uid $uid flags (\seen \flagged) rfc822.size 1234)`))
	_ = applyDefaultDirectives(e)
	g, _ := ParseArgs([]byte(`1 FETCH (RFC822.SIZE 1234 FLAGS (\Flagged \Recent \Seen) UID 77)`))
	b.ReportAllocs()
	for b.Loop() {
		m := NewMatcher(nil)
		if ok, _ := m.MatchReply(e, g, false); !ok {
			b.Fatal("no match")
		}
	}
}
