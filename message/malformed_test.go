package message

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// deepNest builds a message nested n multiparts deep.
func deepNest(n int) string {
	var b strings.Builder
	b.WriteString("Subject: deep\n")
	for i := 0; i < n; i++ {
		b.WriteString("Content-Type: multipart/mixed; boundary=\"b" + itoa(i) + "\"\n\n--b" + itoa(i) + "\n")
	}
	b.WriteString("Content-Type: text/plain\n\nleaf")
	for i := n - 1; i >= 0; i-- {
		b.WriteString("\n--b" + itoa(i) + "--\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestMalformedRoundTrip(t *testing.T) {
	t.Parallel()
	long := "X-Long: " + strings.Repeat("a", 1<<20) + "\n"
	mp := func(body string) string {
		return "Subject: m\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n" + body
	}
	for _, tc := range []struct {
		name       string
		input      string
		structured bool
	}{
		{"missing closing boundary", mp("--zz\nContent-Type: text/plain\n\nhi\n"), false},
		{"missing all boundaries", mp("just text\n"), false},
		{"broken boundary name", mp("--yy\n\nhi\n--yy--\n"), false},
		{"close delimiter without line break", mp("--zz\n\nhi\n--zz--"), false},
		{"transport padding", mp("--zz  \n\nhi\n--zz-- \n"), false},
		{"delimiters sharing a line break", mp("--zz\n--zz\n\nhi\n--zz--\n"), false},
		{"well formed multipart", mp("--zz\n\nhi\n--zz--\n"), true},
		{"empty part body keeps its blank line", mp("--zz\nContent-Type: text/plain\n\n\n--zz--\n"), true},
		{"header-only part", mp("--zz\nContent-Type: text/plain\n--zz\n\nx\n--zz--\n"), true},
		{"Content-Type without space", "Subject: m\nContent-Type:multipart/mixed; boundary=zz\n\n--zz\n\nhi\n--zz--\n", false},
		{"NUL bytes", "Subject: nul\x00here\n\nbody\x00with\x00nuls\n", true},
		{"NUL in a part", mp("--zz\n\nA\x00B\n--zz--\n"), true},
		{"8-bit headers", "Subject: caf\xe9 \xc3\xa9\nFrom: J\xf6rg <j@example.org>\n\nbody\n", true},
		{"1 MB header line", long + "Subject: x\n\nbody\n", true},
		{"nesting 70 deep", deepNest(70), false},
		{"nesting 10 deep", deepNest(10), true},
		{"LF only", "Subject: lf\n\nline1\nline2\n", true},
		{"CRLF only", "Subject: crlf\r\n\r\nline1\r\nline2\r\n", true},
		{"mixed endings", "Subject: mixed\r\n\nline1\nline2\r\n", false},
		{"CR CR LF", "Subject: crcrlf\r\n\r\nline1\r\r\n", false},
		{"bare CR", "Subject: cr\n\nline1\rline2\n", true},
		{"empty body", "Subject: empty\n\n", true},
		{"header only, final LF", "Subject: h\nTo: a@b\n", false},
		{"header only, no final LF", "Subject: h", false},
		{"no header", "hello world\nthis is the body\n", false},
		{"no header, blank line first", "\nbody only\n", true},
		{"no line break at all", "just some bytes", false},
		{"empty input", "", false},
		{"continuation first", "\tfolded\nSubject: x\n\nb\n", false},
		{"message/rfc822 with bad inner header", "Content-Type: message/rfc822\n\nnot a header line\n\nb\n", true},
		{"digest", mp("--zz\n\nFrom: a@b\nSubject: d1\n\nbody1\n--zz\n\nFrom: c@d\n\nbody2\n--zz--\n"), true},
		{"boundary of 200 bytes", "Content-Type: multipart/mixed; boundary=" + strings.Repeat("q", 200) + "\n\n--" + strings.Repeat("q", 200) + "\n\nx\n--" + strings.Repeat("q", 200) + "--\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tc.input), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRoundTrip(t, m, []byte(tc.input))
			if m.Structured != tc.structured {
				t.Errorf("Structured = %v, want %v (rows %d)", m.Structured, tc.structured, len(m.Parts))
			}
			if m.HasHeader() != (tc.input != "" && !strings.HasPrefix(tc.name, "no ")) {
				t.Errorf("HasHeader = %v", m.HasHeader())
			}
			if !m.Structured && len(m.Parts) > 2 {
				t.Errorf("flat layout has %d rows", len(m.Parts))
			}
		})
	}
}

func TestLeadingLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, input, want, date string
	}{
		{"mbox From line", "From a@b  Thu Aug 22 12:36:23 2002\nSubject: x\n\nb\n", "Subject: x\n\nb\n", "2002-08-22 12:36:23"},
		{"mbox From line with zone", "From a@b Thu Aug 22 12:36:23 2002 +0200\r\nSubject: x\r\n\r\nb\r\n", "Subject: x\r\n\r\nb\r\n", "2002-08-22 10:36:23"},
		{"unparsable From line", "From nobody\nSubject: x\n\nb\n", "Subject: x\n\nb\n", ""},
		{"leading space line", " junk line\nSubject: x\n\nb\n", "Subject: x\n\nb\n", ""},
		{"From: field kept", "From: a@b\n\nb\n", "From: a@b\n\nb\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tc.input), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkRoundTrip(t, m, []byte(tc.want))
			got := ""
			if !m.FromLineDate.IsZero() {
				got = m.FromLineDate.Format("2006-01-02 15:04:05")
			}
			if got != tc.date {
				t.Errorf("FromLineDate = %q, want %q", got, tc.date)
			}
		})
	}
}

func TestCRLFWriterSplits(t *testing.T) {
	t.Parallel()
	in := []byte("a\nb\r\nc\r\r\nd\n\n\re")
	want := []byte("a\r\nb\r\nc\r\r\nd\r\n\r\n\re")
	// every way of cutting the input into two writes, and byte by byte
	for cut := 0; cut <= len(in); cut++ {
		var buf bytes.Buffer
		w := NewCRLFWriter(&buf)
		if _, err := w.Write(in[:cut]); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(in[cut:]); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("cut %d: got %q, want %q", cut, buf.Bytes(), want)
		}
	}
	var buf bytes.Buffer
	w := NewCRLFWriter(&buf)
	for i := range in {
		if _, err := w.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("byte by byte: got %q, want %q", buf.Bytes(), want)
	}
}

func TestClassifyEndings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want lineEndings
	}{
		{"", endingsLF},
		{"abc", endingsLF},
		{"a\nb\n", endingsLF},
		{"a\r\nb\r\n", endingsCRLF},
		{"a\r\nb\n", endingsMixed},
		{"a\r\r\n", endingsMixed},
		{"\r\n", endingsCRLF},
		{"a\rb\r\n", endingsCRLF},
	} {
		if got := classifyEndings([]byte(tc.in)); got != tc.want {
			t.Errorf("classifyEndings(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
