package sieve

import (
	"reflect"
	"testing"
)

// RFC 5230 §4 and RFC 6131 examples.
func TestVacation(t *testing.T) {
	t.Parallel()
	cyrus := `require "vacation";
   if header :contains "subject" "cyrus" {
       vacation "I'm out -- send mail to cyrus-bugs";
   } else {
       vacation "I'm out -- call me at +1 304 555 0123";
   }`
	msg := "From: friend@example.net\nTo: me@example.com\nSubject: cyrus is broken\nMessage-ID: <abc@example.net>"
	r := runScript(t, cyrus, newEnv(msg))
	want := Vacation{Reason: "I'm out -- send mail to cyrus-bugs", Subject: "Auto: cyrus is broken", To: "sender@example.org",
		Seconds: 7 * 86400, InReplyTo: "<abc@example.net>"}
	want.Handle = defaultHandle(want, false, false)
	checkResult(t, r, outcome{true, []Action{want}})

	r = runScript(t, `require "vacation";
   vacation :days 23 :addresses ["tjs@example.edu",
                                 "ts4z@landru.example.edu"]
   "I'm away until October 19.
   If it's an emergency, call 911, I guess." ;`, newEnv("From: a@example.net\nTo: ts4z@landru.example.edu"))
	want = Vacation{Reason: "I'm away until October 19.\n   If it's an emergency, call 911, I guess.", Subject: "Automated reply",
		To: "sender@example.org", Seconds: 23 * 86400, Addresses: []string{"tjs@example.edu", "ts4z@landru.example.edu"}}
	want.Handle = defaultHandle(want, false, false)
	checkResult(t, r, outcome{true, []Action{want}})

	// :handle, :from, :subject, :mime; the handle is kept as given.
	r = runScript(t, `require "vacation";
   if header :contains "subject" "lunch" {
       vacation :handle "ran-away" :from "me@example.com" :subject "Gone" :mime text:
Content-Type: text/plain

I'm out and can't meet for lunch
.
;
   } else {
       vacation :handle "ran-away" "I'm out";
   }`, newEnv(messageOther))
	checkResult(t, r, outcome{true, []Action{Vacation{Reason: "Content-Type: text/plain\n\nI'm out and can't meet for lunch\n",
		Subject: "Gone", From: "me@example.com", To: "sender@example.org", Handle: "ran-away", Seconds: 7 * 86400, Mime: true}}})

	// RFC 6131: :seconds; 0 means every time; clamped to the maximum.
	for _, tc := range []struct {
		args string
		secs int64
	}{{":seconds 1800", 1800}, {":seconds 0", 0}, {":seconds 99999999", 30 * 86400}, {":days 0", 86400}, {":days 365", 30 * 86400}} {
		r := runScript(t, `require "vacation-seconds"; vacation `+tc.args+` "x";`, newEnv(messageOther))
		if len(r.Actions) != 1 || r.Actions[0].(Vacation).Seconds != tc.secs {
			t.Errorf("%s: %#v, want %d seconds", tc.args, r.Actions, tc.secs)
		}
	}

	// Vacation does not cancel the implicit keep, and a discard before it
	// is not undone (DBMail's re-enabling of the keep is not reproduced).
	r = runScript(t, `require "vacation"; discard; vacation "away";`, newEnv(messageOther))
	if r.ImplicitKeep || len(r.Actions) != 2 {
		t.Errorf("discard + vacation: keep %v actions %#v", r.ImplicitKeep, r.Actions)
	}
	// The decision is attached.
	r = runScript(t, `require "vacation"; vacation "away";`, newEnv("To: me@example.com\nPrecedence: bulk"))
	if v := r.Actions[0].(Vacation); v.Skip != "precedence bulk" {
		t.Errorf("skip = %q", v.Skip)
	}
}

func TestShouldReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		msg   string
		from  string
		mine  []string
		ok    bool
		cause string
	}{
		{"plain", "To: Me <me@example.com>", "", nil, true, ""},
		{"cc", "To: x@example.org\nCc: a@b.example, me@example.com", "", nil, true, ""},
		{"resent", "Resent-To: me@example.com", "", nil, true, ""},
		{"not addressed", "To: list@example.org", "", nil, false, "user's address is not among the recipients"},
		{"via :addresses", "To: alias@example.com", "", []string{"alias@example.com"}, true, ""},
		{"subaddress", "To: me+box@example.com", "", nil, true, ""},
		{"null sender", "To: me@example.com", "<>", nil, false, "null envelope sender"},
		{"auto-submitted", "To: me@example.com\nAuto-Submitted: auto-replied", "", nil, false, "auto-submitted message"},
		{"auto-submitted no", "To: me@example.com\nAuto-Submitted: no", "", nil, true, ""},
		{"precedence list", "To: me@example.com\nPrecedence: List", "", nil, false, "precedence list"},
		{"list-id", "To: me@example.com\nList-Id: <x.example.org>", "", nil, false, "mailing list message (list-id)"},
		{"dbmail loop", "To: me@example.com\nX-DBMail-Vacation: yes", "", nil, false, "message is an automatic reply (x-dbmail-vacation)"},
		{"mailer-daemon", "To: me@example.com", "MAILER-DAEMON@example.org", nil, false, "sender is a list or daemon address"},
		{"owner-", "To: me@example.com", "owner-list@example.org", nil, false, "sender is a list or daemon address"},
		{"-request", "To: me@example.com", "list-request@example.org", nil, false, "sender is a list or daemon address"},
		{"own address", "To: me@example.com", "Me@Example.com", nil, false, "message is from the user's own address"},
		{"own alias", "To: me@example.com", "alias@example.com", []string{"Alias <alias@example.com>"}, false, "message is from the user's own address"},
		{"list bounce address", "To: me@example.com", "<dovecot-bounces+timo=example.com@lists.example.com>", nil, false, "sender is a list or daemon address"},
		{"normal with explicit headers", "To: me@example.com\nAuto-Submitted: no\nPrecedence: normal", "timo@example.com", nil, true, ""},
	}
	for _, tc := range tests {
		env := newEnv(tc.msg)
		if tc.from != "" {
			env.from = tc.from
		}
		ok, cause := ShouldReply(env, tc.mine)
		if ok != tc.ok || cause != tc.cause {
			t.Errorf("%s: ShouldReply = %v %q, want %v %q", tc.name, ok, cause, tc.ok, tc.cause)
		}
	}
}

func TestVacationHandleChangesWithReason(t *testing.T) {
	t.Parallel()
	a := defaultHandle(Vacation{Reason: "one"}, false, false)
	b := defaultHandle(Vacation{Reason: "two"}, false, false)
	if a == b || len(a) != 32 || reflect.DeepEqual(a, defaultHandle(Vacation{Reason: "one", Mime: true}, false, false)) {
		t.Errorf("handles %q %q", a, b)
	}
}

// RFC 5230 §4.1/4.2: without :subject the derived "Auto: <subject>" must
// not make every incoming subject a new reply period.
func TestVacationHandleIgnoresDerivedSubject(t *testing.T) {
	t.Parallel()
	a := defaultHandle(Vacation{Reason: "away", Subject: "Auto: first"}, false, false)
	b := defaultHandle(Vacation{Reason: "away", Subject: "Auto: second"}, false, false)
	if a != b {
		t.Fatalf("derived subjects changed the handle: %q vs %q", a, b)
	}
	c := defaultHandle(Vacation{Reason: "away", Subject: "Gone"}, false, true)
	if c == a {
		t.Fatal("an explicit :subject must change the handle")
	}
}
