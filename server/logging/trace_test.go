package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactCommand(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a1 LOGIN bob secret", "a1 LOGIN bob ***"},
		{`a1 login "bob smith" "pa ss"`, `a1 login "bob smith" ***`},
		{"a1 LOGIN bob {6}", "a1 LOGIN bob ***"},
		{"a1 LOGIN bob", "a1 LOGIN bob"},
		{"a2 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=", "a2 AUTHENTICATE PLAIN ***"},
		{"a2 AUTHENTICATE PLAIN", "a2 AUTHENTICATE PLAIN"},
		{"PASS hunter2", "PASS ***"},
		{"pass two words", "pass ***"},
		{"PASS", "PASS"},
		{"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "APOP mrose ***"},
		{"AUTH PLAIN AGJvYgBzZWNyZXQ=", "AUTH PLAIN ***"},
		{`AUTHENTICATE "PLAIN" "AGJvYgBzZWNyZXQ="`, `AUTHENTICATE "PLAIN" ***`},
		{`AUTHENTICATE "PLAIN" {24+}`, `AUTHENTICATE "PLAIN" ***`},
		{"a3 SELECT INBOX", "a3 SELECT INBOX"},
		{"USER bob", "USER bob"},
		{"", ""},
		{`a1 LOGIN "unterminated`, `a1 LOGIN "unterminated`},
	}
	for _, tt := range tests {
		if got := RedactCommand(tt.in); got != tt.want {
			t.Errorf("RedactCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRedactCommand(f *testing.F) {
	for _, s := range []string{"a LOGIN u p", `a LOGIN "u" "p p"`, "PASS x", "APOP u d", `AUTHENTICATE "X" "y"`, "a AUTHENTICATE X y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := RedactCommand(s)
		if got != s && !strings.HasSuffix(got, " "+Redacted) {
			t.Fatalf("RedactCommand(%q) = %q: changed but not redacted", s, got)
		}
		if len(got) > len(s)+len(Redacted)+1 {
			t.Fatalf("RedactCommand(%q) = %q: grew", s, got)
		}
	})
}

func TestTracer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flags TraceFlags
		want  []string
	}{
		{TraceOff, nil},
		{TraceOn, []string{"C: a LOGIN bob ***", "C: ***", "S: a OK done", "C: <5 bytes of message data>"}},
		{TraceOn | TraceSecrets, []string{"C: a LOGIN bob pw", "C: c2VjcmV0", "S: a OK done", "C: <5 bytes of message data>"}},
		{TraceOn | TraceBodies, []string{"C: a LOGIN bob ***", "C: ***", "S: a OK done", "C: hello"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		h := fixedHandler(&buf, 255)
		tr := NewTracer(slog.New(h), tt.flags)
		tr.Client([]byte("a LOGIN bob pw\r\n"))
		tr.ClientSecret([]byte("c2VjcmV0\r\n"))
		tr.Server([]byte("a OK done\r\n"))
		tr.Body('C', []byte("hello"))
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if line == "" {
				continue
			}
			_, msg, _ := strings.Cut(line, "(+")
			_, msg, _ = strings.Cut(msg, "): ")
			got = append(got, msg)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("flags %d: got %q want %q", tt.flags, got, tt.want)
		}
	}
}

func TestParseTrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want TraceFlags
		ok   bool
	}{
		{"", TraceOff, true},
		{"off", TraceOff, true},
		{"on", TraceOn, true},
		{"secrets", TraceOn | TraceSecrets, true},
		{"bodies,secrets", TraceOn | TraceSecrets | TraceBodies, true},
		{"all", TraceOn | TraceSecrets | TraceBodies, true},
		{"loud", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseTrace(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTrace(%q) = %d, %v", tt.in, got, err)
		}
	}
}
