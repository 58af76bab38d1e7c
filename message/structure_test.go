package message

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// imaptestDir finds ../shared/imaptest/tests relative to the repository
// root.
func imaptestDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("go.mod not found above the test directory")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "imaptest", "tests")
	if _, err := os.Stat(d); err != nil {
		tb.Fatalf("imaptest data missing: %v", err)
	}
	return d
}

// loadMbox reads a one-message imaptest mbox and returns its wire form.
func loadMbox(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(imaptestDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := Parse(raw, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	wire, _ := rebuild(tb, m.Parts, FormCRLF)
	return wire
}

func TestImaptestBodyStructure(t *testing.T) {
	t.Parallel()
	wire := loadMbox(t, "fetch-bodystructure.mbox")
	script, err := os.ReadFile(filepath.Join(imaptestDir(t), "fetch-bodystructure"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\* 1 FETCH \(BODY (.*)\)\n`).FindSubmatch(script)
	if m == nil {
		t.Fatalf("no BODY expectation in the script")
	}
	got := ParseStructure(wire).BodyStructure(false)
	if !strings.EqualFold(got, string(m[1])) {
		t.Errorf("BODY\n got %s\nwant %s", got, m[1])
	}
}

// fetchExpect matches one "ok fetch 1 (body.peek[SECTION])" command with
// its literal reply in an imaptest script.
var fetchExpect = regexp.MustCompile(`(?s)ok fetch 1 \(body\.peek\[([^\]]*)\]\)\n\* 1 fetch \(body\[[^\]]*\] \{\{\{\n(.*?)\n\}\}\}\)`)

func TestImaptestSections(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"fetch-body-message-rfc822", "fetch-body-message-rfc822-mime", "fetch-body-mime"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wire := loadMbox(t, name+".mbox")
			script, err := os.ReadFile(filepath.Join(imaptestDir(t), name))
			if err != nil {
				t.Fatal(err)
			}
			root := ParseStructure(wire)
			cases := fetchExpect.FindAllSubmatch(script, -1)
			if len(cases) == 0 {
				t.Fatalf("no fetch expectations found")
			}
			for _, c := range cases {
				sec, err := ParseSection(string(c[1]))
				if err != nil {
					t.Errorf("ParseSection(%q): %v", c[1], err)
					continue
				}
				want := bytes.ReplaceAll(c[2], []byte("\n"), []byte("\r\n"))
				got, ok := root.Extract(wire, sec)
				if !ok {
					t.Errorf("[%s]: section not found", c[1])
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("[%s]\n got %q\nwant %q", c[1], got, want)
				}
			}
			t.Logf("%d sections checked", len(cases))
		})
	}
}

func TestBodyStructureExtended(t *testing.T) {
	t.Parallel()
	wire := []byte(strings.ReplaceAll(nestedExample, "\n", "\r\n"))
	root := ParseStructure(wire)
	want := `(` +
		`("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 16 1 NIL NIL NIL NIL)` +
		`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 17 1 NIL NIL NIL NIL)("TEXT" "HTML" NIL NIL NIL "7BIT" 23 1 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 70 (NIL "inner message" (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) NIL NIL NIL NIL NIL)` +
		` ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)`
	if got := root.BodyStructure(true); got != want {
		t.Errorf("BODYSTRUCTURE\n got %s\nwant %s", got, want)
	}
	wantBody := `(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 16 1)` +
		`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 17 1)("TEXT" "HTML" NIL NIL NIL "7BIT" 23 1) "ALTERNATIVE")` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 70 (NIL "inner message" (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) (("Inner" NIL "inner" "example.org")) NIL NIL NIL NIL NIL)` +
		` ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 1) 4) "MIXED")`
	if got := root.BodyStructure(false); got != wantBody {
		t.Errorf("BODY\n got %s\nwant %s", got, wantBody)
	}
	for _, tc := range []struct {
		section, want string
	}{
		{"1", "Plain text part."},
		{"2.2", "<p>html alternative</p>"},
		{"2.MIME", "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"},
		{"3.HEADER.FIELDS (SUBJECT)", "Subject: inner message\r\n\r\n"},
		{"3.1", "Inner body."},
		{"HEADER.FIELDS.NOT (from to subject mime-version)", "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"},
	} {
		sec, err := ParseSection(tc.section)
		if err != nil {
			t.Fatalf("ParseSection(%q): %v", tc.section, err)
		}
		got, ok := root.Extract(wire, sec)
		if !ok || string(got) != tc.want {
			t.Errorf("[%s] = %q (found %v), want %q", tc.section, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"4", "1.1", "2.3", "1.HEADER", "0", "1..2", "MIME", "HEADER.FIELDS", "FOO"} {
		sec, err := ParseSection(bad)
		if err != nil {
			continue
		}
		if _, ok := root.Extract(wire, sec); ok {
			t.Errorf("[%s] found, want no such section", bad)
		}
	}
}

func TestBodyStructureLeafExtensions(t *testing.T) {
	t.Parallel()
	wire := []byte("Content-Type: application/pdf; name=\"a b.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-ID: <id1@x>\r\n" +
		"Content-Description: the \"report\"\r\n" +
		"Content-Disposition: attachment; filename=\"a b.pdf\"\r\n" +
		"Content-Language: en, de\r\n" +
		"Content-Location: http://x/a.pdf\r\n" +
		"Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n\r\nQUJD\r\n")
	want := `("APPLICATION" "PDF" ("NAME" "a b.pdf") "<id1@x>" "the \"report\"" "BASE64" 6` +
		` "Q2hlY2sgSW50ZWdyaXR5IQ==" ("ATTACHMENT" ("FILENAME" "a b.pdf")) ("en" "de") "http://x/a.pdf")`
	if got := ParseStructure(wire).BodyStructure(true); got != want {
		t.Errorf("BODYSTRUCTURE\n got %s\nwant %s", got, want)
	}
}

// splitMbox splits an mbox into messages at "From " lines.
func splitMbox(raw []byte) [][]byte {
	var msgs [][]byte
	for len(raw) > 0 {
		i := bytes.Index(raw[1:], []byte("\nFrom "))
		if i < 0 {
			msgs = append(msgs, raw)
			break
		}
		msgs = append(msgs, raw[:i+2])
		raw = raw[i+2:]
	}
	return msgs
}

func TestImaptestEnvelope(t *testing.T) {
	t.Parallel()
	dir := imaptestDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "fetch-envelope.mbox"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(dir, "fetch-envelope"))
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`\* \d+ FETCH \(ENVELOPE (.*)\)\n`).FindAllSubmatch(script, -1)
	msgs := splitMbox(raw)
	if len(want) != len(msgs) || len(msgs) == 0 {
		t.Fatalf("%d messages, %d expectations", len(msgs), len(want))
	}
	for i, msg := range msgs {
		m, err := Parse(msg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Envelope(); got != string(want[i][1]) {
			t.Errorf("message %d ENVELOPE\n got %s\nwant %s", i+1, got, want[i][1])
		}
	}
}
