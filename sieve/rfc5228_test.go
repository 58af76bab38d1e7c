package sieve

import "testing"

// The two sample messages of RFC 5228 §2.
const (
	messageA = `Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)
From: coyote@desert.example.org
To: roadrunner@acme.example.com
Subject: I have a present for you`
	messageB = `From: youcouldberich!@reply-by-postal-mail.invalid
Sender: b1ff@de.res.example.com
To: rube@landru.example.com
Date: Mon, 31 Mar 1997 18:26:10 -0800
Subject: $$$ YOU, TOO, CAN BE A MILLIONAIRE! $$$`
	messageOther = `From: friend@example.net
To: me@example.com
Date: Mon, 31 Mar 1997 18:26:10 -0800
Subject: lunch`
)

func TestRFC5228Examples(t *testing.T) {
	t.Parallel()
	ifChain := `require "fileinto";
             if header :contains "from" "coyote" {
                discard;
             } elsif header :contains ["subject"] ["$$$"] {
                discard;
             } else {
                fileinto "INBOX";
             }`
	redirects := `if header :contains ["From"] ["coyote"] {
                redirect "acm@example.com";
             } elsif header :contains "Subject" "$$$" {
                redirect "postmaster@example.com";
             } else {
                redirect "field@example.com";
             }`
	sizeKeep := `if size :under 1M { keep; } else { discard; }`
	sizeNot := `if not size :under 1M { discard; }`
	tests := []struct {
		name   string
		script string
		msg    string
		size   int64
		from   string
		want   outcome
	}{
		// §3.1: both message A and B are dropped.
		{"3.1 if A", ifChain, messageA, 0, "", outcome{false, []Action{Discard{}}}},
		{"3.1 if B", ifChain, messageB, 0, "", outcome{false, []Action{Discard{}}}},
		{"3.1 if other", ifChain, messageOther, 0, "", outcome{false, []Action{FileInto{Mailbox: "INBOX"}}}},
		{"3.1 redirect A", redirects, messageA, 0, "", outcome{false, []Action{Redirect{Address: "acm@example.com"}}}},
		{"3.1 redirect B", redirects, messageB, 0, "", outcome{false, []Action{Redirect{Address: "postmaster@example.com"}}}},
		{"3.1 redirect other", redirects, messageOther, 0, "", outcome{false, []Action{Redirect{Address: "field@example.com"}}}},
		// §2.10.2: no action, implicit keep.
		{"2.10.2 implicit keep", `if size :over 500K { discard; }`, messageA, 0, "", outcome{true, nil}},
		// §2.4.2.4: "$${hex:24 24}" is "$$$".
		{"2.4.2.4 encoded", `require "encoded-character";
             if header :contains "Subject" "$${hex:24 24}" {
                discard;
             }`, messageB, 0, "", outcome{false, []Action{Discard{}}}},
		// §2.5.1
		{"2.5.1 anyof", `if anyof (not exists ["From", "Date"],
                   header :contains "from" "fool@example.com") {
                discard;
             }`, "From: fool@example.com\nDate: x", 0, "", outcome{false, []Action{Discard{}}}},
		{"2.5.1 anyof no date", `if anyof (not exists ["From", "Date"],
                   header :contains "from" "fool@example.com") {
                discard;
             }`, "From: a@b.c", 0, "", outcome{false, []Action{Discard{}}}},
		{"2.5.1 anyof none", `if anyof (not exists ["From", "Date"],
                   header :contains "from" "fool@example.com") {
                discard;
             }`, messageA, 0, "", outcome{true, nil}},
		// §2.7.3: i;octet is case-sensitive.
		{"2.7.3 octet match", `if header :contains :comparator "i;octet" "Subject"
                   "MAKE MONEY FAST" {
                discard;
             }`, "Subject: You can MAKE MONEY FAST", 0, "", outcome{false, []Action{Discard{}}}},
		{"2.7.3 octet no match", `if header :contains :comparator "i;octet" "Subject"
                   "MAKE MONEY FAST" {
                discard;
             }`, "Subject: You can Make Money Fast", 0, "", outcome{true, nil}},
		// §4.1
		{"4.1 fileinto", `require "fileinto";
             if header :contains ["from"] "coyote" {
                fileinto "INBOX.harassment";
             }`, messageA, 0, "", outcome{false, []Action{FileInto{Mailbox: "INBOX.harassment"}}}},
		// §4.2
		{"4.2 redirect", `redirect "bart@example.com";`, messageA, 0, "", outcome{false, []Action{Redirect{Address: "bart@example.com"}}}},
		// §2.4.2.3: a sieve-address may carry a phrase.
		{"2.4.2.3 named redirect", `redirect "Bart Simpson <bart@example.com>";`, messageA, 0, "", outcome{false, []Action{Redirect{Address: "bart@example.com"}}}},
		// §5.1: addresses come from the field, not from its decoded display name.
		{"5.1 encoded display name", `if address :is :localpart "from" "john" { discard; }`, "From: =?utf-8?q?Doe,_John?= <john@example.com>", 0, "", outcome{false, []Action{Discard{}}}},
		{"5.1 encoded display name all", `if address :is :all "from" "Doe" { discard; }`, "From: =?utf-8?q?Doe,_John?= <john@example.com>", 0, "", outcome{true, nil}},
		// §4.3: the two scripts are identical.
		{"4.3 keep small", sizeKeep, messageA, 1000, "", outcome{false, []Action{Keep{}}}},
		{"4.3 keep big", sizeKeep, messageA, 2 << 20, "", outcome{false, []Action{Discard{}}}},
		{"4.3 not small", sizeNot, messageA, 1000, "", outcome{true, nil}},
		{"4.3 not big", sizeNot, messageA, 2 << 20, "", outcome{false, []Action{Discard{}}}},
		// §4.4
		{"4.4 discard", `if header :contains ["from"] ["idiot@example.com"] {
                discard;
             }`, "From: The Idiot <idiot@example.com>", 0, "", outcome{false, []Action{Discard{}}}},
		// §5.1
		{"5.1 address", `if address :is :all "from" "tim@example.com" {
                discard;
             }`, "From: Tim <TIM@example.com>", 0, "", outcome{false, []Action{Discard{}}}},
		// §5.4
		{"5.4 envelope", `require "envelope";
             if envelope :all :is "from" "tim@example.com" {
                discard;
             }`, messageA, 0, "tim@example.com", outcome{false, []Action{Discard{}}}},
		{"5.4 envelope other", `require "envelope";
             if envelope :all :is "from" "tim@example.com" {
                discard;
             }`, messageA, 0, "tom@example.com", outcome{true, nil}},
		// §5.5
		{"5.5 exists", `if not exists ["From","Date"] {
                discard;
             }`, "From: a@b.example", 0, "", outcome{false, []Action{Discard{}}}},
		// §5.7: X-Caffeine: C8H10N4O2
		{"5.7 is empty", `if header :is ["X-Caffeine"] [""] { discard; }`, "X-Caffeine: C8H10N4O2", 0, "", outcome{true, nil}},
		{"5.7 contains empty", `if header :contains ["X-Caffeine"] [""] { discard; }`, "X-Caffeine: C8H10N4O2", 0, "", outcome{false, []Action{Discard{}}}},
		{"5.7 absent", `if header :contains ["X-Caffeine"] [""] { discard; }`, messageA, 0, "", outcome{true, nil}},
		{"5.7 not matches ?*", `if not header :matches "Cc" "?*" { discard; }`, messageA, 0, "", outcome{false, []Action{Discard{}}}},
		{"5.7 not matches ?* cc", `if not header :matches "Cc" "?*" { discard; }`, "Cc: x@y.example", 0, "", outcome{true, nil}},
		// §5.2, §5.3 truth tables
		{"5.2 allof ff", `if allof (false, false) { discard; }`, messageA, 0, "", outcome{true, nil}},
		{"5.2 allof ft", `if allof (false, true) { discard; }`, messageA, 0, "", outcome{true, nil}},
		{"5.2 allof tt", `if allof (true, true) { discard; }`, messageA, 0, "", outcome{false, []Action{Discard{}}}},
		{"5.3 anyof ff", `if anyof (false, false) { discard; }`, messageA, 0, "", outcome{true, nil}},
		{"5.3 anyof ft", `if anyof (false, true) { discard; }`, messageA, 0, "", outcome{false, []Action{Discard{}}}},
		{"5.3 anyof tt", `if anyof (true, true) { discard; }`, messageA, 0, "", outcome{false, []Action{Discard{}}}},
		// §5.9: exactly 4000 octets is neither over nor under 4000.
		{"5.9 over", `if size :over 4000 { discard; }`, messageA, 4000, "", outcome{true, nil}},
		{"5.9 under", `if size :under 4000 { discard; }`, messageA, 4000, "", outcome{true, nil}},
		{"5.9 500K", `if size :over 500K { discard; }`, messageA, 500*1024 + 1, "", outcome{false, []Action{Discard{}}}},
		// §3.3: stop ends processing; the implicit keep is taken.
		{"3.3 stop", `stop; discard;`, messageA, 0, "", outcome{true, nil}},
		// §4.4: fileinto+discard is equivalent to fileinto.
		{"4.4 fileinto discard", `require "fileinto"; fileinto "x"; discard;`, messageA, 0, "", outcome{false, []Action{FileInto{Mailbox: "x"}, Discard{}}}},
		// §2.10.3: a message is filed into one mailbox once.
		{"2.10.3 twice", `require "fileinto"; fileinto "x"; fileinto "x"; keep; keep;`, messageA, 0, "", outcome{false, []Action{FileInto{Mailbox: "x"}, Keep{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(tc.msg)
			if tc.size > 0 {
				env.size = tc.size
			}
			if tc.from != "" {
				env.from = tc.from
			}
			checkResult(t, runScript(t, tc.script, env), tc.want)
		})
	}
}

// TestRFC5228ExtendedExample runs the example script of RFC 5228 §9.
func TestRFC5228ExtendedExample(t *testing.T) {
	t.Parallel()
	script := `#
     # Example Sieve Filter
     # Declare any optional features or extension used by the script
     #
     require ["fileinto"];

     #
     # Handle messages from known mailing lists
     # Move messages from IETF filter discussion list to filter mailbox
     #
     if header :is "Sender" "owner-ietf-mta-filters@imc.org"
             {
             fileinto "filter";  # move to "filter" mailbox
             }
     #
     # Keep all messages to or from people in my company
     #
     elsif address :DOMAIN :is ["From", "To"] "example.com"
             {
             keep;               # keep in "In" mailbox
             }

     #
     # Try and catch unsolicited email.  If a message is not to me,
     # or it contains a subject known to be spam, file it away.
     #
     elsif anyof (NOT address :all :contains
                    ["To", "Cc", "Bcc"] "me@example.com",
                  header :matches "subject"
                    ["*make*money*fast*", "*university*dipl*mas*"])
             {
             fileinto "spam";   # move to "spam" mailbox
             }
     else
             {
             # Move all other (non-company) mail to "personal"
             # mailbox.
             fileinto "personal";
             }
`
	tests := []struct {
		msg  string
		want []Action
	}{
		{"Sender: owner-ietf-mta-filters@imc.org\nTo: me@example.com", []Action{FileInto{Mailbox: "filter"}}},
		{"From: boss@example.com\nTo: me@example.net", []Action{Keep{}}},
		{"From: x@example.org\nTo: you@example.org", []Action{FileInto{Mailbox: "spam"}}},
		{"From: x@example.org\nTo: list@example.org\nCc: me@example.com\nSubject: Make Money FAST now", []Action{FileInto{Mailbox: "spam"}}},
		{"From: x@example.org\nTo: list@example.org\nCc: Me <me@example.com>\nSubject: hello", []Action{FileInto{Mailbox: "personal"}}},
	}
	s, err := Parse("example", []byte(script), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		r, err := s.Run(t.Context(), newEnv(tc.msg))
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, outcome{false, tc.want})
	}
}
