package imaptest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

func envWith(names ...string) func(string) (string, bool) {
	return func(n string) (string, bool) {
		for _, x := range names {
			if x == n {
				return "1", true
			}
		}
		return "", false
	}
}

func mustParse(t *testing.T, src string, env func(string) (string, bool)) *Test {
	t.Helper()
	tt, err := ParseTest("t", "t", []byte(src), env)
	if err != nil {
		t.Fatalf("ParseTest: %v", err)
	}
	return tt
}

func TestParseCommandForms(t *testing.T) {
	t.Parallel()
	src := `state: auth

# method 1
ok select $mailbox
* 0 exists

# method 2
select $mailbox
* 0 exists
ok [read-write]

# method 3, pipelined
tag1 status ${mailbox} (messages)
tag2 status ${mailbox}2 (messages)
* status ${mailbox} (messages 0)
tag2 no
tag1 ok

"" delete foo
bad foo
`
	tt := mustParse(t, src, noEnv)
	// 5 groups plus the added logout.
	if len(tt.Groups) != 6 {
		t.Fatalf("groups = %d, want 6", len(tt.Groups))
	}
	g := tt.Groups[0]
	if len(g.Commands) != 1 || g.Commands[0].Text != "select $mailbox" || FormatArgs(g.Commands[0].Reply) != "ok" {
		t.Errorf("method 1 = %+v", g.Commands[0])
	}
	if len(g.Untagged) != 1 || FormatArgs(g.Untagged[0].Args) != "0 exists" || g.Untagged[0].Existence != MustExist {
		t.Errorf("method 1 untagged = %+v", g.Untagged)
	}
	g = tt.Groups[1]
	if FormatArgs(g.Commands[0].Reply) != "ok [read-write]" {
		t.Errorf("method 2 reply = %q", FormatArgs(g.Commands[0].Reply))
	}
	g = tt.Groups[2]
	if len(g.Commands) != 2 || g.Commands[0].Tag != 1 || g.Commands[1].Tag != 2 {
		t.Fatalf("method 3 commands = %+v", g.Commands)
	}
	if FormatArgs(g.Commands[0].Reply) != "ok" || FormatArgs(g.Commands[1].Reply) != "no" {
		t.Errorf("method 3 replies = %q %q", FormatArgs(g.Commands[0].Reply), FormatArgs(g.Commands[1].Reply))
	}
	if got := FormatArgs(g.Untagged[0].Args); got != "status ${mailbox} ($!unordered=2 messages 0)" {
		t.Errorf("status default directives = %q", got)
	}
	if r := tt.Groups[3].Commands[0].Reply; len(r) != 1 || r[0].Str != "" {
		t.Errorf(`"" reply = %+v`, r)
	}
	if r := tt.Groups[4].Commands[0]; r.Text != "foo" || FormatArgs(r.Reply) != "bad" {
		t.Errorf("bad reply = %+v", r)
	}
	last := tt.Groups[5].Commands[0]
	if last.Text != "logout" || FormatArgs(last.Reply) != "ok" {
		t.Errorf("added logout = %+v", last)
	}
}

func TestParseConnections(t *testing.T) {
	t.Parallel()
	tt := mustParse(t, "connections: 2\n\n1 ok noop\n2 ok noop\n* 1 expunge\n1 append foo\nno [trycreate]\n2 ok logout\n", noEnv)
	if len(tt.Groups) != 4 {
		t.Fatalf("groups = %d", len(tt.Groups))
	}
	if tt.Groups[0].Conn != 0 || tt.Groups[1].Conn != 1 || tt.Groups[2].Conn != 0 {
		t.Errorf("connections = %d %d %d", tt.Groups[0].Conn, tt.Groups[1].Conn, tt.Groups[2].Conn)
	}
	if FormatArgs(tt.Groups[2].Commands[0].Reply) != "no [trycreate]" {
		t.Errorf("reply without connection number = %q", FormatArgs(tt.Groups[2].Commands[0].Reply))
	}
	// The script logs out itself: no logout is added.
	if tt.Groups[3].Commands[0].Text != "logout" || len(tt.Groups) != 4 {
		t.Errorf("logout group = %+v", tt.Groups[3].Commands[0])
	}
}

func TestParseMultiline(t *testing.T) {
	t.Parallel()
	src := "\nok append $mailbox {{{\nline1\nline2\n}}}\n* 1 fetch (body[] {{{\nab\n}}} uid 1)\nok fetch 1 binary.peek[]\n* 1 fetch (binary[] ~{{{\nx\r\n\n}}})\n"
	tt := mustParse(t, src, noEnv)
	if got := tt.Groups[0].Commands[0].Text; got != "append $mailbox {12}\r\nline1\r\nline2" {
		t.Errorf("literal command = %q", got)
	}
	ut := tt.Groups[0].Untagged[0].Args
	if ut[2].List[2].Kind != ArgLiteral || ut[2].List[2].Str != "ab" || ut[2].List[3].Str != "uid" {
		t.Errorf("literal in reply = %+v", ut)
	}
	bin := tt.Groups[1].Untagged[0].Args[2].List[2]
	if !bin.Binary || bin.Str != "x\r\n" {
		t.Errorf("literal8 = %+v", bin)
	}
}

func TestParseIfEnv(t *testing.T) {
	t.Parallel()
	src := "\n!ifenv A\nok a\n!else\nok nota\n!endif\n!ifnenv B\nok notb\n!ifenv C\nok c\n!endif\n!endif\n"
	cases := []struct {
		env  []string
		want []string
	}{
		{nil, []string{"nota", "notb"}},
		{[]string{"A"}, []string{"a", "notb"}},
		{[]string{"A", "B"}, []string{"a"}},
		{[]string{"C"}, []string{"nota", "notb", "c"}},
	}
	for _, c := range cases {
		tt := mustParse(t, src, envWith(c.env...))
		var got []string
		for _, g := range tt.Groups {
			if g.Commands[0].Text != "logout" {
				got = append(got, g.Commands[0].Text)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("env %v: commands %v, want %v", c.env, got, c.want)
		}
	}
}

func TestParseGroupDirectives(t *testing.T) {
	t.Parallel()
	tt := mustParse(t, "\nok noop\n!ordered\n!sleep 20\n!output got $x\n* 1 exists\n! 2 exists\n? 3 exists\n", noEnv)
	g := tt.Groups[0]
	if !g.Ordered || g.SleepMS != 20 || !reflect.DeepEqual(g.Output, []string{"got $x"}) {
		t.Errorf("group = ordered %v sleep %d output %q", g.Ordered, g.SleepMS, g.Output)
	}
	want := []Existence{MustExist, MustNotExist, MayExist}
	for i, u := range g.Untagged {
		if u.Existence != want[i] {
			t.Errorf("untagged %d existence %d, want %d", i, u.Existence, want[i])
		}
	}
	bye := mustParse(t, "\nok noop\n* bye\n", noEnv)
	if !bye.Groups[0].HasBye || len(bye.Groups) != 1 {
		t.Errorf("bye group: HasBye %v groups %d", bye.Groups[0].HasBye, len(bye.Groups))
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ src, msg string }{
		{"state: weird\n\nok noop\n", "unknown state"},
		{"bogus: 1\n\nok noop\n", "unknown setting"},
		{"connections: 0\n\nok noop\n", "bad connections"},
		{"\nnoop\n", "missing reply"},
		{"\ntag1 noop\ntag1 noop\n", "tag reused"},
		{"\ntag1 noop\ntag2 ok\n", "unknown tag"},
		{"connections: 2\n\nnoop\n", "missing connection number"},
		{"connections: 2\n\n1 tag1 noop\n2 tag2 noop\n", "same connection"},
		{"\n!ifenv X\nok noop\n", "not closed"},
		{"\n!endif\n", "without !ifenv"},
		{"\nok append {{{\nabc\n", "not ended"},
		{"\nok noop\n* 1 fetch ($!bogus)\n", "unknown directive"},
		{"\nok noop\n* 1 fetch ($!unordered=2 uid)\n", "chain size=2"},
		{"\n", "no commands"},
		{"\nok noop", "doesn't end with LF"},
	}
	for _, c := range cases {
		_, err := ParseTest("t", "t", []byte(c.src), noEnv)
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want one containing %q", c.src, err, c.msg)
		}
	}
}

func TestDefaultDirectives(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{`1 fetch (uid 1 flags (\seen))`, `1 fetch ($!unordered=2 uid 1 flags ($!unordered $!noextra $!ignore=\recent $!ignore=$HasAttachment $!ignore=$HasNoAttachment \seen))`},
		{`$1 fetch (flags ())`, `$1 fetch ($!unordered=2 flags ($!unordered $!noextra $!ignore=\recent $!ignore=$HasAttachment $!ignore=$HasNoAttachment))`},
		{`1 fetch (flags ($!extra \seen))`, `1 fetch ($!unordered=2 flags ($!extra \seen))`},
		{`1 fetch ($!ordered uid 1)`, `1 fetch ($!ordered uid 1)`},
		{`list (\noselect) "/" foo`, `list ($!unordered \noselect) "/" foo`},
		{`lsub () "/" foo`, `lsub ($!unordered) "/" foo`},
		{`status foo (messages 1 unseen 0)`, `status foo ($!unordered=2 messages 1 unseen 0)`},
		{`search 1 2`, `search 1 2`},
		{`esearch (tag $tag) all 1`, `esearch (tag $tag) all 1`},
	}
	for _, c := range cases {
		args, err := ParseArgs([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		if err := applyDefaultDirectives(args); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := FormatArgs(args); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func FuzzParseTest(f *testing.F) {
	f.Add([]byte("capabilities: SORT\nconnections: 2\n\n1 ok noop\n* 1 fetch (uid $u flags (\\seen))\n2 tag1 status $mailbox (messages)\n2 tag1 ok\n"))
	f.Add([]byte("\nok append $mailbox ~{{{\nab\r\n}}}\n!ifenv X\nok a\n!else\nok b\n!endif\n"))
	f.Add([]byte("state: auth\n\nselect x\n* 1 fetch ($!unordered=2 uid 1)\nok [read-write]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tt, err := ParseTest("fuzz", "fuzz", data, noEnv)
		if err != nil {
			return
		}
		for _, g := range tt.Groups {
			if len(g.Commands) == 0 && !g.IsBanner {
				t.Fatalf("group without commands that is not a banner check")
			}
			for _, c := range g.Commands {
				if c.Reply == nil {
					t.Fatalf("command %q without expected reply", c.Text)
				}
			}
		}
	})
}
