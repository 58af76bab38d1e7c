package message

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
)

// spoolOf writes raw into a new spool, in uneven slices as a network
// would deliver it.
func spoolOf(t *testing.T, raw []byte) *Spool {
	t.Helper()
	s, err := NewSpool("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for rest, k := raw, 1; len(rest) > 0; k = k*7%4093 + 1 {
		n := min(len(rest), k)
		if _, err := s.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	return s
}

// checkSpoolParse parses raw in memory and from a spool and wants the same
// rows (lazy rows read back), sizes and top-level header.
func checkSpoolParse(t *testing.T, name string, raw []byte, opt Options) {
	t.Helper()
	want, werr := Parse(raw, opt)
	got, gerr := ParseSpool(spoolOf(t, raw), opt)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%s: Parse error %v, ParseSpool error %v", name, werr, gerr)
	}
	if werr != nil {
		return
	}
	if len(got.Parts) != len(want.Parts) {
		t.Fatalf("%s: %d rows from the spool, %d in memory", name, len(got.Parts), len(want.Parts))
	}
	for i := range want.Parts {
		g, w := got.Parts[i], want.Parts[i]
		data, err := g.Load(nil)
		if err != nil {
			t.Fatalf("%s: row %d: %v", name, i, err)
		}
		if g.Key != w.Key || g.Depth != w.Depth || g.Order != w.Order || g.IsHeader != w.IsHeader || !bytes.Equal(data, w.Data) || g.Len() != int64(len(w.Data)) {
			t.Fatalf("%s: row %d differs: spool %d/%d/%d/%v %d bytes, memory %d/%d/%d/%v %d bytes", name, i,
				g.Key, g.Depth, g.Order, g.IsHeader, len(data), w.Key, w.Depth, w.Order, w.IsHeader, len(w.Data))
		}
		if g.IsHeader && g.Lazy() {
			t.Fatalf("%s: header row %d left in the spool", name, i)
		}
	}
	if got.MessageSize != want.MessageSize || got.RFCSize != want.RFCSize || got.StoredSize != want.StoredSize ||
		got.Structured != want.Structured || !got.FromLineDate.Equal(want.FromLineDate) {
		t.Fatalf("%s: sizes %d/%d/%d structured %v date %v, want %d/%d/%d %v %v", name,
			got.MessageSize, got.RFCSize, got.StoredSize, got.Structured, got.FromLineDate,
			want.MessageSize, want.RFCSize, want.StoredSize, want.Structured, want.FromLineDate)
	}
	if !reflect.DeepEqual(got.header, want.header) || !reflect.DeepEqual(got.media, want.media) || got.disposition != want.disposition {
		t.Fatalf("%s: top-level header differs: %#v %#v %q / %#v %#v %q", name, got.header, got.media, got.disposition, want.header, want.media, want.disposition)
	}
}

func TestParseSpoolCorpus(t *testing.T) {
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkSpoolParse(t, f, raw, Options{})
		// Small rows and the CRLF form exercise cut rows and the
		// converted stored form.
		checkSpoolParse(t, f+" (crlf, rows of 100)", bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")), Options{MaxRowSize: 100})
	}
}

// bigMultipart is a multipart message of about n bytes whose attachment
// is one long body (lines of width bytes, or one line when width is 0).
func bigMultipart(n, width int, eol string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: a@example.org%sSubject: big%sContent-Type: multipart/mixed; boundary=\"zz\"%s%s", eol, eol, eol, eol)
	fmt.Fprintf(&b, "prologue%s--zz%sContent-Type: text/plain%s%shello%s--zz%s", eol, eol, eol, eol, eol, eol)
	fmt.Fprintf(&b, "Content-Type: application/octet-stream%s%s", eol, eol)
	for b.Len() < n {
		if width == 0 {
			b.WriteString(strings.Repeat("x", n-b.Len()))
			break
		}
		fmt.Fprintf(&b, "%0*d%s", width, b.Len(), eol)
	}
	fmt.Fprintf(&b, "%s--zz--%sepilogue%s", eol, eol, eol)
	return b.Bytes()
}

func TestParseSpoolShapes(t *testing.T) {
	cases := map[string][]byte{
		"crlf lines":     bigMultipart(300<<10, 76, "\r\n"),
		"lf lines":       bigMultipart(300<<10, 76, "\n"),
		"one long line":  bigMultipart(300<<10, 0, "\r\n"),
		"long lines":     bigMultipart(300<<10, 70000, "\n"),
		"mixed endings":  append(bigMultipart(200<<10, 76, "\r\n"), "tail\nmore\n"...),
		"cr cr lf":       append(bigMultipart(200<<10, 76, "\r\n"), "x\r\r\n"...),
		"mbox from line": append([]byte("From a@b  Thu Aug 22 12:36:23 2002\n"), bigMultipart(100<<10, 76, "\n")...),
		"space line":     append([]byte(" junk\r\n"), bigMultipart(100<<10, 76, "\r\n")...),
		"no line break":  bytes.Repeat([]byte("y"), 200<<10),
		"no header":      append([]byte("not a header\n\n"), bytes.Repeat([]byte("z\n"), 100<<10)...),
		"header only":    []byte("Subject: x\r\n"),
		"empty":          nil,
		"trailing cr":    append(bigMultipart(100<<10, 76, "\r\n"), '\r'),
		"padded long delimiter": bytes.Replace(bigMultipart(200<<10, 76, "\n"), []byte("\n--zz--\n"),
			append(append([]byte("\n--zz--"), bytes.Repeat([]byte(" "), 70000)...), '\n'), 1),
		"long bogus delimiter": bytes.Replace(bigMultipart(200<<10, 76, "\n"), []byte("\n--zz\nContent-Type: application"),
			append(append([]byte("\n--zz"), bytes.Repeat([]byte(" "), 70000)...), "x\n--zz\nContent-Type: application"...), 1),
	}
	for name, raw := range cases {
		for _, row := range []int{0, 1000, 65536} {
			checkSpoolParse(t, fmt.Sprintf("%s, rows of %d", name, row), raw, Options{MaxRowSize: row})
		}
	}
}

// TestParseSpoolRandom compares the two parsers on random MIME-ish
// messages built from lines that matter to the scanner.
func TestParseSpoolRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"Content-Type: multipart/mixed; boundary=b\n", "Content-Type: message/rfc822\n",
		"Content-type: text/plain\n", "X: y\n", " folded\n", "\n", "\r\n", "--b\n", "--b--\n", "--b  \n", "--bx\n",
		"body line\n", "\r", "From x\n", strings.Repeat("q", 70000) + "\n"}
	for i := range 300 {
		var b strings.Builder
		for range rng.Intn(60) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		checkSpoolParse(t, fmt.Sprintf("random %d %q", i, b.String()[:min(80, b.Len())]), []byte(b.String()), Options{MaxRowSize: 1 + rng.Intn(100000)})
	}
}

// TestSpoolUnlinked: the spool's file is gone from the directory as soon
// as it exists, so nothing is left behind.
func TestSpoolUnlinked(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(bigMultipart(100<<10, 76, "\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSpool(s, Options{}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("spool directory holds %d entries", len(ents))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("write after Close succeeded")
	}
}
