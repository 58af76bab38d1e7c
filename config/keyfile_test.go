package config

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"key before section", "# c\n\nkey = v\n[DBMAIL]\n", `t.conf:3: key file does not start with a group (the first non-comment line must be a [SECTION] header)`},
		{"not a pair", "[DBMAIL]\nauthdriver sql\n", `t.conf:2: line "authdriver sql" is not a key-value pair, group or comment`},
		{"empty key", "[DBMAIL]\n = x\n", `t.conf:2: line " = x" is not a key-value pair, group or comment`},
		{"semicolon comment", "[DBMAIL]\n; comment\n", `t.conf:2: line "; comment" is not a key-value pair, group or comment`},
		{"comment after header", "[DBMAIL] # main\n", `t.conf:1: line "[DBMAIL] # main" is not a key-value pair, group or comment`},
		{"unclosed header", "[DBMAIL\n", `t.conf:1: line "[DBMAIL" is not a key-value pair, group or comment`},
		{"empty group", "[]\n", `t.conf:1: invalid group name ""`},
		{"nested bracket", "[A[B]\n", `t.conf:1: invalid group name "A[B"`},
		{"bad key bracket", "[DBMAIL]\nfoo] = 1\n", `t.conf:2: invalid key name "foo]"`},
		{"bad locale", "[DBMAIL]\nfoo[a b] = 1\n", `t.conf:2: invalid key name "foo[a b]"`},
		{"NUL byte", "[DBMAIL]\nfoo = a\x00b\n", `t.conf:2: line contains a NUL byte`},
		{"Encoding in first group", "[DBMAIL]\nEncoding = latin1\n", `t.conf:2: key file contains unsupported encoding "latin1"`},
	}
	for _, tc := range tests {
		_, err := Parse("t.conf", []byte(tc.text))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Parse error = %v, want *Error", tc.name, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s: error\n%s\nwant\n%s", tc.name, err, tc.want)
		}
	}
}

func TestSyntaxAccepted(t *testing.T) {
	t.Parallel()
	text := "  # indented comment\r\n" +
		"\t\r\n" +
		"[DBMAIL] \t\r\n" + // trailing blanks after ] are allowed
		"dburi=sqlite:///a.db\r\n" +
		"  authdriver   =   sql   \r\n" +
		"Encoding = UTF-8\n" + // GLib's one special key
		"sendmail = /usr/sbin/sendmail # inline comment\n" +
		"smtp_password = se#cret\n" +
		"postmaster = # only a comment\n" +
		"table_prefix = one\n" +
		"table_prefix = two_\n" + // last one wins
		"[IMAP]\n" +
		"banner = hello world   \n" +
		"banner[de] = hallo\n" + // translation: ignored
		"[imap]\n" + // section names are case-sensitive
		"banner = lower\n" +
		"[IMAP]\n" + // a repeated header continues the section
		"TIMEOUT = 400\n" +
		"[SIEVE]\n" +
		"port = 2000" // no final newline
	c, err := Parse("ok.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"sendmail":      c.DBMail.Sendmail,
		"smtp_password": c.DBMail.SMTPPassword,
		"postmaster":    c.DBMail.Postmaster,
		"table_prefix":  c.DBMail.TablePrefix,
		"IMAP banner":   c.IMAP.Banner,
		"authdriver":    c.DBMail.AuthDriver,
	}
	want := map[string]string{
		"sendmail":      "/usr/sbin/sendmail",
		"smtp_password": "se",
		"postmaster":    DefaultPostmaster, // empty after the cut: unset
		"table_prefix":  "two_",
		"IMAP banner":   "hello world",
		"authdriver":    "sql",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if c.IMAP.Timeout.Seconds() != 400 || c.SIEVE.Port != 2000 {
		t.Errorf("IMAP timeout %v, SIEVE port %d", c.IMAP.Timeout, c.SIEVE.Port)
	}
	if v, ok := c.Get("imap", "banner"); !ok || v != "lower" {
		t.Errorf(`Get("imap", "banner") = %q, %v`, v, ok)
	}
	wantWarnings := []string{
		"ok.conf:6: [DBMAIL] Encoding: never read: keys are found only when written all lower case or all upper case",
		"ok.conf:14: [IMAP] banner[de]: translated key ignored",
		"ok.conf:15: [imap]: unknown section, not read",
	}
	if strings.Join(c.Warnings, "\n") != strings.Join(wantWarnings, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(c.Warnings, "\n"), strings.Join(wantWarnings, "\n"))
	}
}

func TestValueLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1500)
	c, err := Parse("t.conf", []byte("[DBMAIL]\ndburi = sqlite:///a\nauthdriver = sql\nbanner = "+long+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get("IMAP", "banner"); got != long[:1023] {
		t.Errorf("banner has %d bytes, want 1023", len(got))
	}
	if len(c.Warnings) != 1 || c.Warnings[0] != "t.conf:4: [DBMAIL] banner: value longer than 1023 bytes truncated" {
		t.Errorf("warnings = %q", c.Warnings)
	}
}

// Lookup order of spec 5.1: [S] as written, upper, lower; then [DBMAIL].
func TestGetFallbackOrder(t *testing.T) {
	t.Parallel()
	const text = `[DBMAIL]
dburi = sqlite:///a
authdriver = sql
only_dbmail = d
BOTHCASE = D-upper
bothcase = d-lower
empty_in_service = from-dbmail
MixedKey = never
[IMAP]
bothcase = i-lower
upper_only_key = nope
UPPER_ONLY_KEY = i-upper
empty_in_service =
Mixed_Case = m
`
	c, err := Parse("t.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		section, key, want string
		ok                 bool
	}{
		{"IMAP", "only_dbmail", "d", true},          // falls back
		{"IMAP", "ONLY_DBMAIL", "d", true},          // lower-case form in [DBMAIL]
		{"IMAP", "bothcase", "i-lower", true},       // service wins over [DBMAIL]
		{"IMAP", "BothCase", "i-lower", true},       // as written misses, upper misses, lower hits in [IMAP]
		{"DBMAIL", "BothCase", "D-upper", true},     // upper before lower
		{"DBMAIL", "bothcase", "d-lower", true},     // as written first
		{"IMAP", "upper_only_key", "nope", true},    // as written first
		{"IMAP", "Upper_Only_Key", "i-upper", true}, // upper before lower
		{"IMAP", "empty_in_service", "", true},      // present though empty: no fallback
		{"POP", "empty_in_service", "from-dbmail", true},
		{"IMAP", "mixed_case", "", false}, // Mixed_Case is never found
		{"IMAP", "Mixed_Case", "m", true}, // except when asked exactly
		{"IMAP", "mixedkey", "", false},
		{"NOSUCH", "only_dbmail", "d", true}, // unknown sections fall back too
		{"IMAP", "absent", "", false},
	}
	for _, tc := range tests {
		v, ok := c.Get(tc.section, tc.key)
		if v != tc.want || ok != tc.ok {
			t.Errorf("Get(%q, %q) = %q, %v; want %q, %v", tc.section, tc.key, v, ok, tc.want, tc.ok)
		}
	}
}
