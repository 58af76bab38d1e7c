package sieve

import (
	"context"
	"strings"
	"testing"
)

func runNotify(t *testing.T, src string, env Env) *Result {
	t.Helper()
	s, err := Parse("notify", []byte(src), Options{Notify: true})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	r, err := s.Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// RFC 5435 §3.8, §4, §5, §6 examples.
func TestEnotify(t *testing.T) {
	t.Parallel()
	script := `require ["enotify", "fileinto", "variables"];

   if header :contains "from" "boss@example.org" {
       notify :importance "1"
           :message "This is probably very important"
           "mailto:alert@example.com";
       # Don't send any further notifications
       stop;
   }

   if header :contains "to" "sievemailinglist@example.org" {
       # :matches is used to get the value of the Subject header
       if header :matches "Subject" "*" {
           set "subject" "${1}";
       }

       # :matches is used to get the value of the From header
       if header :matches "From" "*" {
           set "from" "${1}";
       }

       notify :importance "3"
           :message "[SIEVE] ${from}: ${subject}"
           "mailto:alert@example.com";
       fileinto "INBOX.sieve";
   }`
	checkResult(t, runNotify(t, script, newEnv("From: boss@example.org")), outcome{true, []Action{
		Notify{Method: "mailto:alert@example.com", Importance: "1", Message: "This is probably very important"}}})
	checkResult(t, runNotify(t, script, newEnv("From: Tim <tim@example.net>\nTo: sievemailinglist@example.org\nSubject: ManageSieve")), outcome{false, []Action{
		Notify{Method: "mailto:alert@example.com", Importance: "3", Message: "[SIEVE] Tim <tim@example.net>: ManageSieve"},
		FileInto{Mailbox: "INBOX.sieve"}}})

	checkResult(t, runNotify(t, `require ["enotify", "variables"];
   set :encodeurl "body_param" "Safe body&evil=evilbody";
   notify "mailto:tim@example.com?body=${body_param}";`, newEnv(messageA)), outcome{true, []Action{
		Notify{Method: "mailto:tim@example.com?body=Safe%20body%26evil%3Devilbody", Importance: "2"}}})

	checkResult(t, runNotify(t, `require ["enotify"];
   if not valid_notify_method ["mailto:",
       "http://gw.example.net/notify?test"] {
       stop;
   }
   discard;`, newEnv(messageA)), outcome{true, nil})
	checkResult(t, runNotify(t, `require ["enotify"];
   if allof(valid_notify_method "mailto:a@example.com",
            notify_method_capability "mailto:a@example.com" "Online" ["maybe"],
            not notify_method_capability "mailto:a@example.com" "online" "yes") { discard; }`, newEnv(messageA)),
		outcome{false, []Action{Discard{}}})
}

func TestEnotifyDisabled(t *testing.T) {
	t.Parallel()
	if strings.Contains(strings.Join(Extensions(Options{}), " "), "enotify") {
		t.Error("enotify advertised without Options.Notify")
	}
	if !strings.Contains(strings.Join(Extensions(Options{Notify: true}), " "), "enotify") {
		t.Error("enotify not advertised with Options.Notify")
	}
	_, err := Parse("n", []byte(`require "enotify";`), Options{})
	if err == nil || err.Error() != `line 1:9: unsupported extension "enotify"` {
		t.Errorf("enotify without Notify: %v", err)
	}
	_, err = Parse("n", []byte(`require "enotify"; notify "xmpp:a@example.com";`), Options{Notify: true})
	if err == nil || err.Error() != `line 1:27: unsupported or invalid notification method "xmpp:a@example.com"` {
		t.Errorf("xmpp method: %v", err)
	}
	_, err = Parse("n", []byte(`require "enotify"; notify :importance "4" "mailto:a@example.com";`), Options{Notify: true})
	if err == nil || err.Error() != `line 1:39: importance must be "1", "2" or "3", not "4"` {
		t.Errorf("importance: %v", err)
	}
}
