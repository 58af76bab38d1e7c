package sieve

import (
	"errors"
	"strings"
	"testing"
)

// RFC 6609 §3 examples.
func TestInclude(t *testing.T) {
	t.Parallel()
	env := newEnv("From: friend@example.net\nSubject: Make money fast with $$\nTo: me@example.com")
	env.scripts["always_allow"] = `require ["fileinto"]; if address :is "from" "boss@example.com" { keep; stop; }`
	env.scripts["global/spam_tests"] = `require ["fileinto"]; if header :contains "subject" "viagra" { fileinto "spam"; }`
	env.scripts["spam_tests"] = `require ["fileinto"]; if header :contains "subject" "lottery" { fileinto "spam"; }`
	env.scripts["mailing_lists"] = `require ["fileinto"]; if exists "list-id" { fileinto "lists"; }`
	r := runScript(t, `require ["include"];

   include :personal "always_allow";
   include :global "spam_tests";
   include :personal "spam_tests";
   include :personal "mailing_lists";`, env)
	checkResult(t, r, outcome{true, nil})

	// Globals (RFC 6609 §3.4 example).
	env.scripts["subject_tests"] = `require ["include", "variables", "relational"];
   global ["test", "test_mailbox"];

   if header :contains "Subject" "${test}"
   {
       set "test_mailbox" "spam-${test}";
   }`
	r = runScript(t, `require ["include", "variables", "relational", "fileinto"];
   global "test";
   global "test_mailbox";

   set "test" "$$";
   include "subject_tests";

   set "test" "Make money";
   include "subject_tests";

   if string :count "eq" "${test_mailbox}" "1"
   {
       fileinto "${test_mailbox}";
       stop;
   }`, env)
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "spam-Make money"}}})

	// stop in an included script ends everything; return only the include.
	env.scripts["stopper"] = `stop;`
	env.scripts["returner"] = `require "include"; return; discard;`
	checkResult(t, runScript(t, `require "include"; include "stopper"; discard;`, env), outcome{true, nil})
	checkResult(t, runScript(t, `require "include"; include "returner"; discard;`, env), outcome{false, []Action{Discard{}}})
	// Variables are local unless global.
	env.scripts["setter"] = `require "variables"; set "x" "inner";`
	checkResult(t, runScript(t, `require ["include", "variables"]; set "x" "outer"; include "setter";
		if string "${x}" "outer" { discard; }`, env), outcome{false, []Action{Discard{}}})
	// global namespace (RFC 6609 §3.5).
	env.scripts["gsetter"] = `require ["include", "variables"]; set "global.y" "shared";`
	checkResult(t, runScript(t, `require ["include", "variables"]; include "gsetter";
		if string "${global.y}" "shared" { discard; }`, env), outcome{false, []Action{Discard{}}})
	// :once and :optional.
	env.scripts["counter"] = `require ["fileinto", "variables", "include"]; global "n"; set "n" "${n}x";`
	checkResult(t, runScript(t, `require ["include", "variables", "fileinto"]; global "n";
		include :once "counter"; include :once "counter"; include "counter"; include :optional "missing";
		fileinto "${n}";`, env), outcome{false, []Action{FileInto{Mailbox: "xx"}}})
}

func TestIncludeErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(messageA)
	env.scripts["self"] = `require "include"; include "self";`
	env.scripts["broken"] = `require "include"; filein "x";`
	tests := []struct {
		src  string
		want string
	}{
		{`require "include"; include "self";`, `test: line 1:20: script "self" includes itself`},
		{`require "include"; include "missing";`, `test: line 1:20: cannot include "missing": include missing: sieve script not found`},
		{`require "include"; include "broken";`, `test: line 1:20: included script "broken" is invalid: line 1:20: unknown command "filein"`},
	}
	for _, tc := range tests {
		r := runScript(t, tc.src, env)
		if len(r.Errors) != 1 || !r.ImplicitKeep || r.Actions != nil {
			t.Errorf("%s: result %#v", tc.src, r)
			continue
		}
		// The self-include fails one level down.
		got := r.Errors[0].Error()
		if tc.want != got && !strings.HasSuffix(got, strings.TrimPrefix(tc.want, "test: ")) {
			t.Errorf("%s:\n got  %s\n want %s", tc.src, got, tc.want)
		}
	}
	var rte *RuntimeError
	r := runScript(t, `require "include"; include "missing";`, env)
	if !errors.As(r.Errors[0], &rte) || !errors.Is(r.Errors[0], ErrScriptNotFound) {
		t.Errorf("error chain: %v", r.Errors[0])
	}
}

func TestRuntimeLimits(t *testing.T) {
	t.Parallel()
	env := newEnv(messageA)
	tests := []struct {
		src  string
		opt  Options
		want string
	}{
		{`redirect "a@x.example"; redirect "b@x.example"; redirect "c@x.example";`, Options{MaxRedirects: 2},
			"test: line 1:49: script exceeded the limit of 2 redirects"},
		{strings.Repeat("if true { keep; }\n", 10), Options{MaxSteps: 7},
			"test: line 3:4: script exceeded the limit of 7 steps"},
		{`require "fileinto"; fileinto "a"; fileinto "b"; fileinto "c";`, Options{MaxActions: 2},
			"test: line 1:49: script exceeded the limit of 2 actions"},
		{`require ["reject", "vacation"]; vacation "x"; reject "no";`, Options{},
			"test: line 1:47: reject cannot be combined with vacation"},
		{`require "reject"; reject "a"; reject "b";`, Options{},
			"test: line 1:31: more than one reject"},
		{`require "vacation"; vacation "a"; vacation "b";`, Options{},
			"test: line 1:35: more than one vacation action"},
		{`require "variables"; set "a" "x"; redirect "${a}";`, Options{},
			`test: line 1:35: invalid redirect address "x"`},
		{`require ["variables", "fileinto"]; set "a" ""; fileinto "${a}";`, Options{},
			`test: line 1:48: invalid mailbox name ""`},
		{`require ["variables", "vacation"]; set "a" "not an address"; vacation :from "${a}" "x";`, Options{},
			`test: line 1:62: invalid :from address "not an address"`},
	}
	for _, tc := range tests {
		s, err := Parse("test", []byte(tc.src), tc.opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		r, err := s.Run(t.Context(), env)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) != 1 || !r.ImplicitKeep || r.Actions != nil {
			t.Errorf("%s: result %#v", tc.src, r)
			continue
		}
		if got := r.Errors[0].Error(); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.src, got, tc.want)
		}
	}
	s, _ := Parse("test", []byte(`variables;`), Options{})
	if s != nil {
		t.Error("unknown command parsed")
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	s, err := Parse("c", []byte("keep;"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel(t)
	cancel()
	if _, err := s.Run(ctx, newEnv(messageA)); err == nil {
		t.Error("Run with a cancelled context succeeded")
	}
}

func TestVariableTruncation(t *testing.T) {
	t.Parallel()
	s, err := Parse("t", []byte(`require ["variables", "fileinto"]; set "a" "ääää"; fileinto "${a}";`), Options{MaxVariableSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Run(t.Context(), newEnv(messageA))
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "ää"}}})
}

// TestConcurrentRuns runs one compiled script from many goroutines; the
// include cache is the only shared mutable state.
func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	s, err := Parse("c", []byte(`require ["include", "variables", "fileinto"]; global "box"; include "inc"; fileinto "${box}";`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			env := newEnv(messageA)
			env.scripts["inc"] = `require ["include", "variables"]; global "box"; set "box" "b` + itoa(int64(i%2)) + `";`
			r, err := s.Run(t.Context(), env)
			if err == nil && (len(r.Actions) != 1 || r.Actions[0].(FileInto).Mailbox != "b"+itoa(int64(i%2))) {
				err = errors.New("wrong result")
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestExpansionCap(t *testing.T) {
	t.Parallel()
	src := `require ["variables", "fileinto"]; set "a" "0123456789"; fileinto "<${a}${a}${a}${a}>";`
	s, err := Parse("t", []byte(src), Options{MaxVariableSize: 25})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Run(t.Context(), newEnv(messageA))
	checkResult(t, r, outcome{false, []Action{FileInto{Mailbox: "<01234567890123456789012345"}}})
}
