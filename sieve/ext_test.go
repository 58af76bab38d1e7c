package sieve

import (
	"reflect"
	"testing"
)

type extCase struct {
	name   string
	script string
	msg    string
	setup  func(e *fakeEnv)
	want   outcome
}

func runCases(t *testing.T, cases []extCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(tc.msg)
			if tc.setup != nil {
				tc.setup(env)
			}
			checkResult(t, runScript(t, tc.script, env), tc.want)
		})
	}
}

// RFC 5429 §2.1, §2.2 examples.
func TestReject(t *testing.T) {
	t.Parallel()
	runCases(t, []extCase{
		{"reject", `require ["reject"];
   if header :contains "from" "coyote@desert.example.org" {
      reject text:
I am not taking mail from you, and I don't
want your birdseed, either!
.
      ;
   }`, messageA, nil, outcome{false, []Action{Reject{Reason: "I am not taking mail from you, and I don't\nwant your birdseed, either!\n"}}}},
		{"ereject", `require ["ereject"];
   if address :is "from" "coyote@desert.example.org" {
      ereject "I am not taking mail from you, and I don't want your birdseed, either!";
   }`, messageA, nil, outcome{false, []Action{Reject{Reason: "I am not taking mail from you, and I don't want your birdseed, either!", Extended: true}}}},
		{"reject with dot-stuffing", "require \"reject\";\nreject text: # comment\r\n..hidden\r\nline\r\n.\r\n;", messageA, nil,
			outcome{false, []Action{Reject{Reason: ".hidden\r\nline\r\n"}}}},
	})
}

// RFC 5232 examples: internal variable, :flags, hasflag.
func TestImap4flags(t *testing.T) {
	t.Parallel()
	big := func(e *fakeEnv) { e.size = 2 << 20 }
	script := `require ["imap4flags", "fileinto", "variables"];
   if size :over 1M
           {
           addflag "MyFlags" "Big";
           if header :is "From" "boss@company.example.com"
                      {
   # The message will be marked as "\Flagged Big" when filed into
   # mailbox "Big messages"
                      addflag "MyFlags" "\\Flagged";
                      }
           fileinto :flags "${MyFlags}" "Big messages";
           }

   if header :is "From" "grandma@example.net"
           {
           addflag "MyFlags" ["\\Answered", "$MDNSent"];
   # If the message is bigger than 1Mb it will be marked as
   # "Big \Answered $MDNSent" when filed into mailbox "grandma".
   # If the message is shorter than 1Mb it will be marked as
   # "\Answered $MDNSent"
           fileinto :flags "${MyFlags}" "GrandMa";
           }

   # Handle all messages that contain the word "secret" in the body
   if header :contains "subject" "secret"
           {
   # Remove the "\Flagged" flag
           removeflag "MyFlags" "\\Flagged";
           fileinto :flags "${MyFlags}" "Secrets";
           }`
	runCases(t, []extCase{
		{"boss", `require ["imap4flags", "fileinto"];
   if header :contains "from" "boss@frobnitzm.example.edu" {
       setflag "\\Flagged";
       fileinto "INBOX.From Boss";
   }`, "From: boss@frobnitzm.example.edu", nil, outcome{false, []Action{FileInto{Mailbox: "INBOX.From Boss", Flags: []string{`\Flagged`}}}}},
		{"big boss", script, "From: boss@company.example.com", big,
			outcome{false, []Action{FileInto{Mailbox: "Big messages", Flags: []string{"Big", `\Flagged`}}}}},
		{"big grandma", script, "From: grandma@example.net", big,
			outcome{false, []Action{
				FileInto{Mailbox: "Big messages", Flags: []string{"Big"}},
				FileInto{Mailbox: "GrandMa", Flags: []string{"Big", `\Answered`, "$MDNSent"}}}}},
		{"small grandma", script, "From: grandma@example.net", nil,
			outcome{false, []Action{FileInto{Mailbox: "GrandMa", Flags: []string{`\Answered`, "$MDNSent"}}}}},
		{"secret", script, "From: boss@company.example.com\nSubject: top secret", big,
			outcome{false, []Action{
				FileInto{Mailbox: "Big messages", Flags: []string{"Big", `\Flagged`}},
				FileInto{Mailbox: "Secrets", Flags: []string{"Big"}}}}},
		{"implicit keep flags", `require "imap4flags"; addflag ["\\Seen", "a b"]; removeflag "A";`, messageA, nil, outcome{true, nil}},
		{"keep flags", `require "imap4flags"; setflag "\\Seen"; keep; keep :flags "x";`, messageA, nil,
			outcome{false, []Action{Keep{Flags: []string{`\Seen`}}}}},
		{"hasflag", `require ["imap4flags", "relational", "comparator-i;ascii-numeric"];
   setflag ["A B", "C"];
   if allof(hasflag "b", hasflag ["x", "c"], not hasflag "d",
            hasflag :count "eq" :comparator "i;ascii-numeric" "3",
            hasflag :contains "b c", hasflag :matches "?") { discard; }`, messageA, nil, outcome{false, []Action{Discard{}}}},
		{"hasflag variable", `require ["imap4flags", "variables"];
   set "MyVar" "Junk \\Seen";
   if hasflag :is "MyVar" "junk" { discard; }`, messageA, nil, outcome{false, []Action{Discard{}}}},
	})
}

func TestImplicitKeepFlags(t *testing.T) {
	t.Parallel()
	r := runScript(t, `require "imap4flags"; addflag ["\\Seen", "a b"]; removeflag "A";`, newEnv(messageA))
	if !r.ImplicitKeep || len(r.ImplicitKeepFlags) != 2 || r.ImplicitKeepFlags[0] != `\Seen` || r.ImplicitKeepFlags[1] != "b" {
		t.Errorf("implicit keep %v flags %q", r.ImplicitKeep, r.ImplicitKeepFlags)
	}
}

// RFC 5229 examples.
func TestVariables(t *testing.T) {
	t.Parallel()
	ok := outcome{false, []Action{Discard{}}}
	runCases(t, []extCase{
		{"3 multi-line", `require ["variables", "reject"];
   set "honorific"  "Mr";
   set "first_name" "Wile";
   set "last_name"  "Coyote";
   set "vacation" text:
Dear ${HONORIFIC} ${last_name},
I'm out, please leave a message after the meep.
.
;
   reject "${vacation}";`, messageA, nil, outcome{false, []Action{Reject{Reason: "Dear Mr Coyote,\nI'm out, please leave a message after the meep.\n"}}}},
		{"3 references", `require "variables";
   set "company" "ACME";
   if allof(string :is "&%${}!" "&%${}!",
            string :is "${doh!}" "${doh!}",
            string :is "${full}" "",
            string :is "${company}" "ACME",
            string :is "${BAD${Company}" "${BADACME",
            string :is "${President, ${Company} Inc.}" "${President, ACME Inc.}") { discard; }`, messageA, nil, ok},
		{"4.1 modifiers", `require "variables";
   set "a" "juMBlEd lETteRS";
   set :length "b" "${a}";
   set :lower "c" "${a}";
   set :upperfirst "d" "${a}";
   set :upperfirst :lower "e" "${a}";
   set :quotewildcard "f" "Rock*";
   if allof(string :is :comparator "i;octet" "${b}" "15",
            string :is :comparator "i;octet" "${c}" "jumbled letters",
            string :is :comparator "i;octet" "${d}" "JuMBlEd lETteRS",
            string :is :comparator "i;octet" "${e}" "Jumbled letters",
            string :is :comparator "i;octet" "${f}" "Rock\\*") { discard; }`, messageA, nil, ok},
		{"3.2 list-id", `require ["fileinto", "variables"];
   if header :matches "List-ID" "*<*@*" {
      fileinto "INBOX.lists.${2}"; stop;
   }`, "List-ID: Sieve WG <ietf-mta-filters@imc.org>", nil, outcome{false, []Action{FileInto{Mailbox: "INBOX.lists.ietf-mta-filters"}}}},
		{"3.2 subject", `require ["fileinto", "variables"];
   # Imagine the header
   # Subject: [acme-users] [fwd] version 1.0 is out
   if header :matches "Subject" "[*] *" {
      # ${1} will hold "acme-users",
      # ${2} will hold "[fwd] version 1.0 is out"
      fileinto "INBOX.lists.${1}"; stop;
   }`, "Subject: [acme-users] [fwd] version 1.0 is out", nil, outcome{false, []Action{FileInto{Mailbox: "INBOX.lists.acme-users"}}}},
		{"3.2 address", `require ["fileinto", "variables"];
   # Imagine the header
   # To: coyote@ACME.Example.COM
   if address :matches ["To", "Cc"] ["coyote@**.com",
           "wile@**.com"] {
      # ${0} is the matching address
      # ${1} is always the empty string
      # ${2} is part of the domain name ("ACME.Example")
      fileinto "INBOX.business.${2}"; stop;
   } else {
      # Control wouldn't reach this block if any match was
      # successful, so no match variables are set at this
      # point.
   }`, "To: coyote@ACME.Example.COM", nil, outcome{false, []Action{FileInto{Mailbox: "INBOX.business.ACME.Example"}}}},
		{"3.2 match vars", `require ["fileinto", "variables"];
   if address :matches "To" "coyote@**.com" {
      fileinto "[${0}][${1}][${2}][${3}]";
   }`, "To: coyote@ACME.Example.COM", nil, outcome{false, []Action{FileInto{Mailbox: "[coyote@ACME.Example.COM][][ACME.Example][]"}}}},
		{"3.2 failed match keeps vars", `require ["fileinto", "variables"];
   if header :matches "Subject" "*lunch*" { }
   if header :matches "Subject" "*dinner*" { }
   fileinto "${1}";`, "Subject: about lunch today", nil, outcome{false, []Action{FileInto{Mailbox: "about "}}}},
		{"5 string count", `require ["variables", "relational"];
   set "a" "x"; set "b" "";
   if string :count "eq" ["${a}", "${b}", "y"] "2" { discard; }`, messageA, nil, ok},
		{"truncation-safe length", `require "variables";
   set :length "n" "ÄÖÜ";
   if string :is "${n}" "3" { discard; }`, messageA, nil, ok},
	})
}

// RFC 5231 §6 examples.
func TestRelational(t *testing.T) {
	t.Parallel()
	msg := `received: ...
received: ...
Subject: example
To: foo@example.com, baz@example.com
CC: qux@example.com`
	tests := []struct {
		test string
		want bool
	}{
		{`address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]`, true},
		{`header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"]`, false},
		{`header :count "ge" :comparator "i;ascii-numeric" ["received", "subject"] ["3"]`, true},
		{`header :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]`, false},
		{`address :count "eq" :comparator "i;ascii-numeric" "to" "2"`, true},
		{`header :value "gt" :comparator "i;ascii-numeric" "x-priority" "3"`, false},
		{`header :value "lt" "subject" "f"`, true},
		{`header :value "ne" "subject" ["example", "x"]`, true},
		{`header :value "ge" :comparator "i;octet" "subject" "Z"`, true},
	}
	for _, tc := range tests {
		src := `require ["relational", "comparator-i;ascii-numeric"]; if ` + tc.test + ` { discard; }`
		r := runScript(t, src, newEnv(msg))
		if got := !r.ImplicitKeep; got != tc.want {
			t.Errorf("%s = %v, want %v", tc.test, got, tc.want)
		}
	}
}

// RFC 4790 §9.1 i;ascii-numeric.
func TestAsciiNumeric(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"10", "9", 1}, {"007", "7", 0}, {"abc", "999999999999999999999", 1}, {"x", "y", 0},
		{"3 apples", "3", 0}, {"0", "", -1}, {"123456789012345678901234567890", "123456789012345678901234567891", -1},
	}
	for _, tc := range tests {
		if got := cmpNumeric.compare(tc.a, tc.b); got != tc.want {
			t.Errorf("compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// RFC 5233 §6 example.
func TestSubaddress(t *testing.T) {
	t.Parallel()
	script := `require ["envelope", "subaddress", "fileinto"];

   # In this example the same user account receives mail for both
   # "ken@example.com" and "postmaster@example.com"

   # File all messages to postmaster into a single mailbox,
   # ignoring the :detail part.
   if envelope :user "to" "postmaster" {
       fileinto "inbox.postmaster";
       stop;
   }

   # File mailing list messages (subscribed as "ken+mta-filters").
   if envelope :detail "to" "mta-filters" {
       fileinto "inbox.ietf-mta-filters";
   }

   # Redirect all mail sent to "ken+foo".
   if envelope :detail "to" "foo" {
       redirect "ken@example.net";
   }`
	to := func(a string) func(*fakeEnv) { return func(e *fakeEnv) { e.to = a } }
	runCases(t, []extCase{
		{"postmaster", script, messageA, to("postmaster+ignored@example.com"), outcome{false, []Action{FileInto{Mailbox: "inbox.postmaster"}}}},
		{"list", script, messageA, to("ken+mta-filters@example.com"), outcome{false, []Action{FileInto{Mailbox: "inbox.ietf-mta-filters"}}}},
		{"foo", script, messageA, to("ken+foo@example.com"), outcome{false, []Action{Redirect{Address: "ken@example.net"}}}},
		{"plain", script, messageA, to("ken@example.com"), outcome{true, nil}},
		{"empty detail", `require "subaddress"; if address :detail "to" "" { discard; }`, "To: ken+@example.com", nil, outcome{false, []Action{Discard{}}}},
		{"no detail", `require "subaddress"; if address :detail "to" "" { discard; }`, "To: ken@example.com", nil, outcome{true, nil}},
		{"user splits at first +", `require "subaddress"; if address :user "to" "ken" { discard; }`, "To: ken+a+b@example.com", nil, outcome{false, []Action{Discard{}}}},
	})
}

// RFC 3894 §3 examples.
func TestCopy(t *testing.T) {
	t.Parallel()
	runCases(t, []extCase{
		{"fileinto copy", `require ["copy", "fileinto"];
   fileinto :copy "incoming";`, messageA, nil, outcome{true, []Action{FileInto{Mailbox: "incoming", Copy: true}}}},
		{"redirect copy", `require ["copy"];
   if header :contains "subject" "present" {
       redirect :copy "boss@example.com";
   }`, messageA, nil, outcome{true, []Action{Redirect{Address: "boss@example.com", Copy: true}}}},
		{"copy then move", `require ["copy", "fileinto"]; fileinto :copy "a"; fileinto "a";`, messageA, nil,
			outcome{false, []Action{FileInto{Mailbox: "a"}}}},
		{"redirect twice", `redirect "a@b.example"; redirect "A@b.example";`, messageA, nil,
			outcome{false, []Action{Redirect{Address: "a@b.example"}}}},
	})
}

// RFC 5173 §7 examples.
func TestBody(t *testing.T) {
	t.Parallel()
	script := `require ["body", "fileinto"];

   # Save any message with any text MIME part that contains the
   # words "missile" or "coordinates" in the "secrets" folder.

   if body :content "text" :contains ["missile", "coordinates"] {
           fileinto "secrets";
   }

   # Save any message with an audio attachment in the "music" folder.

   if body :content "audio" :contains "" {
           fileinto "music";
   }`
	runCases(t, []extCase{
		{"secrets", script, messageA, func(e *fakeEnv) { e.content["text"] = []string{"launch the MISSILE at dawn"} },
			outcome{false, []Action{FileInto{Mailbox: "secrets"}}}},
		{"music", script, messageA, func(e *fakeEnv) { e.content["audio"] = []string{"\x00\x01binary"} },
			outcome{false, []Action{FileInto{Mailbox: "music"}}}},
		{"neither", script, messageA, func(e *fakeEnv) { e.content["text"] = []string{"hello"} }, outcome{true, nil}},
		{"raw", `require "body"; if body :raw :contains "MAKE MONEY FAST" { discard; }`, messageA,
			func(e *fakeEnv) { e.bodies[BodyRaw] = []string{"=4DAKE MONEY FAST"} }, outcome{true, nil}},
		{"text", `require "body"; if body :text :contains "make money fast" { discard; }`, messageA,
			func(e *fakeEnv) { e.bodies[BodyText] = []string{"MAKE MONEY FAST"} }, outcome{false, []Action{Discard{}}}},
	})
}

// RFC 5490 §3.1 example and :create (§3.2).
func TestMailbox(t *testing.T) {
	t.Parallel()
	example := `require ["fileinto", "reject", "mailbox"];
   if mailboxexists "Partners" {
      fileinto "Partners";
   } else {
      reject "This message was not accepted by the Mailstore";
   }`
	runCases(t, []extCase{
		{"exists", example, messageA, func(e *fakeEnv) { e.mailboxes["Partners"] = true },
			outcome{false, []Action{FileInto{Mailbox: "Partners"}}}},
		{"missing", example, messageA, nil,
			outcome{false, []Action{Reject{Reason: "This message was not accepted by the Mailstore"}}}},
		{"all must exist", `require ["fileinto", "mailbox"];
   if mailboxexists ["INBOX", "Partners"] { fileinto "Partners"; } else { fileinto :create "Partners"; }`, messageA,
			nil, outcome{false, []Action{FileInto{Mailbox: "Partners", Create: true}}}},
	})
}

// RFC 7352 §3 examples.
func TestDuplicate(t *testing.T) {
	t.Parallel()
	s, err := Parse("dup", []byte(`require ["duplicate", "fileinto", "variables", "imap4flags"];
   if duplicate {
     discard;
   }
   if header :matches "subject" "ALERT: *" {
     if duplicate :seconds 60 :uniqueid "${1}" {
       setflag "\\seen";
     }
     fileinto "Alerts";
   }`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv("Message-ID: <1@example>\nSubject: ALERT: disk full")
	deliver := func() *Result {
		r, err := s.Run(t.Context(), env)
		if err != nil {
			t.Fatal(err)
		}
		env.record(r)
		return r
	}
	r := deliver()
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "Alerts"}}})
	wantIDs := []DuplicateID{{ID: "<1@example>", Seconds: DefaultDuplicatePeriod}, {ID: "disk full", Seconds: 60}}
	if !reflect.DeepEqual(r.Duplicates, wantIDs) {
		t.Errorf("duplicates = %#v, want %#v", r.Duplicates, wantIDs)
	}
	env.headers[0][1] = "<2@example>"
	checkResult(t, deliver(), outcome{false, []Action{FileInto{Mailbox: "Alerts", Flags: []string{`\seen`}}}})
	env.headers[0][1] = "<1@example>"
	checkResult(t, deliver(), outcome{false, []Action{Discard{}, FileInto{Mailbox: "Alerts", Flags: []string{`\seen`}}}})
	// No Message-ID: not a duplicate, nothing to record.
	r = runScript(t, `require "duplicate"; if duplicate { discard; }`, newEnv("Subject: x"))
	checkResult(t, r, outcome{true, nil})
	if r.Duplicates != nil {
		t.Errorf("duplicates without Message-ID: %v", r.Duplicates)
	}
	// :header and :handle; an id is only seen after it was recorded.
	env = newEnv("X-Event-ID: 42")
	src := `require "duplicate"; if duplicate :header "X-Event-ID" :handle "notifier" :last { discard; }`
	checkResult(t, runScript(t, src, env), outcome{true, nil})
	r = runScript(t, src, env)
	checkResult(t, r, outcome{true, nil})
	env.record(r)
	checkResult(t, runScript(t, src, env), outcome{false, []Action{Discard{}}})
	if !env.seen["notifier\x0042"] || !r.Duplicates[0].Last {
		t.Errorf("tracking key not stored with handle: %v %v", env.seen, r.Duplicates)
	}
}

// draft-ietf-sieve-regex examples.
func TestRegex(t *testing.T) {
	t.Parallel()
	runCases(t, []extCase{
		{"address regex", `require ["regex", "fileinto", "variables"];
   if address :regex :domain "from" "^(.*)\\.example\\.(org|com)$" {
       fileinto "INBOX.${1}";
   }`, "From: coyote@desert.example.org", nil, outcome{false, []Action{FileInto{Mailbox: "INBOX.desert"}}}},
		{"case folding", `require "regex"; if header :regex "subject" "^I HAVE" { discard; }`, messageA, nil, outcome{false, []Action{Discard{}}}},
		{"octet", `require "regex"; if header :regex :comparator "i;octet" "subject" "^I HAVE" { discard; }`, messageA, nil, outcome{true, nil}},
		{"quoteregex", `require ["regex", "variables"];
   set :quoteregex "q" "a.b*";
   if string :regex "xa.b*y" "^x${q}y$" { discard; }`, messageA, nil, outcome{false, []Action{Discard{}}}},
		{"runtime regex", `require ["regex", "variables"];
   set "p" "pres+ent";
   if header :regex "subject" "${p}" { discard; }`, messageA, nil, outcome{false, []Action{Discard{}}}},
	})
}

// RFC 5260 §4.3, §5.1 and §6 examples.
func TestDate(t *testing.T) {
	t.Parallel()
	runCases(t, []extCase{
		{"office hours", `require ["date", "relational", "fileinto"];
   if allof(header :is "from" "boss@example.com",
            date :value "ge" :originalzone "date" "hour" "09",
            date :value "lt" :originalzone "date" "hour" "17")
   { fileinto "urgent"; }`, "From: boss@example.com\nDate: Tue, 1 Apr 1997 09:06:31 -0800 (PST)", nil,
			outcome{false, []Action{FileInto{Mailbox: "urgent"}}}},
		{"office hours in local zone", `require ["date", "relational", "fileinto"];
   if allof(header :is "from" "boss@example.com",
            date :value "ge" "date" "hour" "09",
            date :value "lt" "date" "hour" "17")
   { fileinto "urgent"; }`, "From: boss@example.com\nDate: Tue, 1 Apr 1997 09:06:31 -0800 (PST)", nil, outcome{true, nil}},
		{"weekend", `require ["date", "relational", "fileinto"];
   if anyof(date :is "received" "weekday" "0",
            date :is "received" "weekday" "6")
   { fileinto "weekend"; }`, "Received: from a by b; Sat, 29 Mar 1997 10:00:00 +0000", nil,
			outcome{false, []Action{FileInto{Mailbox: "weekend"}}}},
		{"currentdate vacation", `require ["date", "relational", "vacation"];
   if allof(currentdate :value "ge" "date" "2026-11-20",
            currentdate :value "le" "date" "2026-11-27")
   { vacation :days 7  "I'm away during the fourth week in November."; }`, messageOther, nil,
			outcome{true, []Action{Vacation{Reason: "I'm away during the fourth week in November.", Subject: "Auto: lunch",
				To: "sender@example.org", Seconds: 7 * 86400,
				Handle: defaultHandle(Vacation{Reason: "I'm away during the fourth week in November.", Subject: "Auto: lunch"}, false, false)}}}},
		{"index", `require ["date", "relational", "index"];
   if date :value "gt" :index 2 :zone "-0500" "received"
           "iso8601" "2007-02-26T09:00:00-05:00"
   { redirect "aftercutoff@example.org"; }`,
			"Received: from a by b; Tue, 27 Feb 2007 10:00:00 +0000\nReceived: from c by d; Mon, 26 Feb 2007 14:30:00 +0000", nil,
			outcome{false, []Action{Redirect{Address: "aftercutoff@example.org"}}}},
		{"index last", `require ["date", "index"];
   if date :is :index 1 :last :zone "+0000" "received" "date" "2007-02-26" { discard; }`,
			"Received: from a by b; Tue, 27 Feb 2007 10:00:00 +0000\nReceived: from c by d; Mon, 26 Feb 2007 14:30:00 +0000", nil,
			outcome{false, []Action{Discard{}}}},
		{"parts one wrong", `require ["date"];
   if allof(currentdate :is "year" "2026", currentdate :is "month" "11", currentdate :is "day" "23",
            currentdate :zone "-0330" :is "iso8601" "2026-11-23T05:59:00-03:30") { discard; }`, messageA,
			nil, outcome{true, nil}},
		{"parts all true", `require ["date"];
   if allof(currentdate :is "year" "2026", currentdate :is "month" "11", currentdate :is "day" "23",
            currentdate :is "hour" "10", currentdate :is "minute" "30", currentdate :is "second" "00",
            currentdate :is "time" "10:30:00", currentdate :is "zone" "+0100", currentdate :is "weekday" "1",
            currentdate :is "julian" "61367", currentdate :is "iso8601" "2026-11-23T10:30:00+01:00",
            currentdate :is "std11" "Mon, 23 Nov 2026 10:30:00 +0100",
            currentdate :zone "-0330" :is "iso8601" "2026-11-23T06:00:00-03:30") { discard; }`, messageA,
			nil, outcome{false, []Action{Discard{}}}},
		{"header index", `require "index";
   if header :index 2 :contains "received" "by d" { discard; }`,
			"Received: from a by b; x\nReceived: from c by d; y", nil, outcome{false, []Action{Discard{}}}},
		{"address last", `require "index";
   if address :index 1 :last :is "to" "b@example.com" { discard; }`,
			"To: a@example.com\nTo: b@example.com", nil, outcome{false, []Action{Discard{}}}},
		{"bad date", `require "date"; if date :is "date" "year" "1997" { discard; }`, "Date: yesterday", nil, outcome{true, nil}},
	})
}

// RFC 5232 §4.1 hasflag examples.
func TestHasflagRFCExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		test string
		want bool
	}{
		{`hasflag ["b","A"]`, true},
		{`hasflag :is "b A"`, true},
		{`hasflag :contains "MyVar" "Junk"`, true},
		{`hasflag :contains "MyVar" "forward"`, true},
		{`hasflag :contains "MyVar" ["label", "forward"]`, true},
		{`hasflag :contains "MyVar" ["junk", "forward"]`, true},
		{`hasflag :contains "MyVar" "junk forward"`, true},
		{`hasflag :contains "MyVar" "label"`, false},
		{`hasflag :contains "MyVar" ["label1", "label2"]`, false},
		{`hasflag :count "ge" :comparator "i;ascii-numeric" "MyFlags" "2"`, true},
		{`hasflag :count "eq" :comparator "i;ascii-numeric" "MyVar" "8"`, true},
		{`hasflag ["a", "b", "c"] ["Bflag"]`, true},
		{`hasflag "Empty" ""`, false},
	}
	for _, tc := range tests {
		src := `require ["imap4flags", "relational", "variables", "comparator-i;ascii-numeric"];
   setflag "A B";
   set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
   set "MyFlags" "A B";
   setflag "a" "Aflag"; setflag "b" "Bflag"; setflag "c" "Cflag"; setflag "Empty" "";
   if ` + tc.test + ` { discard; }`
		r := runScript(t, src, newEnv(messageA))
		if got := !r.ImplicitKeep; got != tc.want {
			t.Errorf("%s = %v, want %v", tc.test, got, tc.want)
		}
	}
}

// RFC 5260 §4 details: default comparator and match type, :count,
// unparsable dates, :zone and :originalzone.
func TestDateDetails(t *testing.T) {
	t.Parallel()
	msg := `From: stephan@example.org
Date: Mon, 20 Jul 2009 21:44:43 +0300
Delivery-Date: Mon, 22 Jul 2009 23:30:14 +0300
Invalid-Date: Moo, 34 Juul 3060 25:30:42 +6600`
	tests := []struct {
		test string
		want bool
	}{
		{`date :originalzone "date" "std11" "mon, 20 jul 2009 21:44:43 +0300"`, true},
		{`date "date" "std11" "Mon"`, false},
		{`date "date" "std11" "*"`, false},
		{`date :count "eq" "date" "date" "1"`, true},
		{`date :count "eq" "resent-date" "date" "0"`, true},
		{`date :matches "invalid-date" "std11" "*"`, false},
		{`date :originalzone :is "delivery-date" "date" "2009-07-22"`, true},
		{`date :originalzone :value "ge" "delivery-date" "date" "2009-07-21"`, true},
		{`date :originalzone :value "le" "delivery-date" "date" "2009-07-21"`, false},
		{`date :zone "+0200" "date" "zone" "+0200"`, true},
		{`date :zone "+0200" "date" "time" "20:44:43"`, true},
		{`date :originalzone "date" "zone" "+0300"`, true},
		{`date :originalzone "date" "time" "21:44:43"`, true},
		// Without a zone the date moves to the local zone (+0100 in the fake env).
		{`date "delivery-date" "iso8601" "2009-07-22T21:30:14+01:00"`, true},
	}
	for _, tc := range tests {
		src := `require ["date", "relational"]; if ` + tc.test + ` { discard; }`
		r := runScript(t, src, newEnv(msg))
		if got := !r.ImplicitKeep; got != tc.want {
			t.Errorf("%s = %v, want %v", tc.test, got, tc.want)
		}
	}
}

// draft-ietf-sieve-regex: POSIX leftmost-longest submatches.
func TestRegexLongest(t *testing.T) {
	t.Parallel()
	r := runScript(t, `require ["regex", "variables", "fileinto"];
   if string :regex "abc" "^(a|ab)" { fileinto "${1}"; }`, newEnv(messageA))
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "ab"}}})
}
