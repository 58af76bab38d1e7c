package message

import (
	"bytes"
	"strings"
	"testing"
)

// nestedExample is the message of the verified example in spec 2.3: a
// multipart/mixed with a prologue, a text part, a multipart/alternative
// (two leaves, empty epilogue), a message/rfc822 part and an epilogue.
const nestedExample = "From: Sender <sender@example.org>\n" +
	"To: Test User <testuser@example.com>\n" +
	"Subject: nested\n" +
	"MIME-Version: 1.0\n" +
	"Content-Type: multipart/mixed; boundary=\"outer\"\n" +
	"\n" +
	"This is the prologue.\n" +
	"--outer\n" +
	"Content-Type: text/plain; charset=us-ascii\n" +
	"\n" +
	"Plain text part.\n" +
	"--outer\n" +
	"Content-Type: multipart/alternative; boundary=\"inner\"\n" +
	"\n" +
	"--inner\n" +
	"Content-Type: text/plain\n" +
	"\n" +
	"plain alternative\n" +
	"--inner\n" +
	"Content-Type: text/html\n" +
	"\n" +
	"<p>html alternative</p>\n" +
	"--inner--\n" +
	"\n" +
	"--outer\n" +
	"Content-Type: message/rfc822\n" +
	"\n" +
	"From: Inner <inner@example.org>\n" +
	"Subject: inner message\n" +
	"\n" +
	"Inner body.\n" +
	"--outer--\n" +
	"This is the epilogue.\n"

// nestedExampleRows are the rows spec 2.3 lists for that message, with the
// texts DBMail stores for them.
var nestedExampleRows = []Part{
	{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: []byte("From: Sender <sender@example.org>\nTo: Test User <testuser@example.com>\nSubject: nested\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer\"\n")},
	{Key: 1, Depth: 0, Order: 1, IsHeader: false, Data: []byte("This is the prologue.")},
	{Key: 2, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-Type: text/plain; charset=us-ascii\n")},
	{Key: 2, Depth: 1, Order: 1, IsHeader: false, Data: []byte("Plain text part.")},
	{Key: 3, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-Type: multipart/alternative; boundary=\"inner\"\n")},
	{Key: 4, Depth: 2, Order: 0, IsHeader: true, Data: []byte("Content-Type: text/plain\n")},
	{Key: 4, Depth: 2, Order: 1, IsHeader: false, Data: []byte("plain alternative")},
	{Key: 5, Depth: 2, Order: 0, IsHeader: true, Data: []byte("Content-Type: text/html\n")},
	{Key: 5, Depth: 2, Order: 1, IsHeader: false, Data: []byte("<p>html alternative</p>")},
	{Key: 5, Depth: 1, Order: 3, IsHeader: false, Data: []byte("")},
	{Key: 6, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-Type: message/rfc822\n")},
	{Key: 7, Depth: 1, Order: 0, IsHeader: true, Data: []byte("From: Inner <inner@example.org>\nSubject: inner message\n")},
	{Key: 7, Depth: 1, Order: 1, IsHeader: false, Data: []byte("Inner body.")},
	{Key: 7, Depth: 0, Order: 3, IsHeader: false, Data: []byte("This is the epilogue.\n")},
}

func TestSpecExampleRows(t *testing.T) {
	t.Parallel()
	crlf := strings.ReplaceAll(nestedExample, "\n", "\r\n")
	for _, tc := range []struct {
		name, input string
	}{
		{"LF", nestedExample},
		{"CRLF", crlf},
		{"CRLF with mbox From line", "From sender@example.org  Tue Mar  3 09:11:12 2026\r\n" + crlf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tc.input), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !m.Structured {
				t.Fatalf("stored flat, want the spec 2.3 layout")
			}
			if len(m.Parts) != len(nestedExampleRows) {
				t.Fatalf("%d rows, want %d: %+v", len(m.Parts), len(nestedExampleRows), m.Parts)
			}
			for i, want := range nestedExampleRows {
				got := m.Parts[i]
				if got.Key != want.Key || got.Depth != want.Depth || got.Order != want.Order || got.IsHeader != want.IsHeader || !bytes.Equal(got.Data, want.Data) {
					t.Errorf("row %d = (%d,%d,%d,%v) %q, want (%d,%d,%d,%v) %q", i,
						got.Key, got.Depth, got.Order, got.IsHeader, got.Data,
						want.Key, want.Depth, want.Order, want.IsHeader, want.Data)
				}
			}
			want := []byte(tc.input)
			if bytes.HasPrefix(want, []byte("From ")) {
				_, want = cutLine(want)
				if got := m.FromLineDate.Format("2006-01-02 15:04:05"); got != "2026-03-03 09:11:12" {
					t.Errorf("FromLineDate = %s", got)
				}
			}
			checkRoundTrip(t, m, want)
			if wire, _ := rebuild(t, m.Parts, FormCRLF); string(wire) != crlf {
				t.Errorf("wire form differs from the CRLF message:\n%q", wire)
			}
		})
	}
}

// TestRebuildDBMailRows feeds rows as DBMail writes them (spec 2.3: no row
// for an empty leaf body, "Content-type: " in any case, headers as GMime
// serialises them) and expects the message back (spec 2.5).
func TestRebuildDBMailRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rows []Part
		want string
	}{
		{"spec 2.3 example", nestedExampleRows, nestedExample},
		{
			"folded Content-Type without space (robust detection)",
			[]Part{
				{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: []byte("Subject: x\nCONTENT-TYPE:multipart/mixed;\n\tboundary=b1\n")},
				{Key: 2, Depth: 1, Order: 0, IsHeader: true, Data: []byte("content-type: text/plain\n")},
				{Key: 2, Depth: 1, Order: 1, IsHeader: false, Data: []byte("one")},
				{Key: 3, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-Type : text/plain\n")},
				{Key: 3, Depth: 1, Order: 1, IsHeader: false, Data: []byte("two")},
			},
			"Subject: x\nCONTENT-TYPE:multipart/mixed;\n\tboundary=b1\n\n--b1\ncontent-type: text/plain\n\none\n--b1\nContent-Type : text/plain\n\ntwo\n--b1--\n",
		},
		{
			"empty leaf body skipped by DBMail",
			[]Part{
				{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: []byte("Content-type: multipart/mixed; boundary=\"q\"\n")},
				{Key: 2, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-type: text/plain\n")},
				{Key: 3, Depth: 1, Order: 0, IsHeader: true, Data: []byte("Content-type: text/plain\n")},
				{Key: 3, Depth: 1, Order: 1, IsHeader: false, Data: []byte("body")},
			},
			"Content-type: multipart/mixed; boundary=\"q\"\n\n--q\nContent-type: text/plain\n\n--q\nContent-type: text/plain\n\nbody\n--q--\n",
		},
		{
			"row deeper than 64 skipped",
			[]Part{
				{Key: 1, Depth: 0, Order: 0, IsHeader: true, Data: []byte("Subject: deep\n")},
				{Key: 1, Depth: 65, Order: 1, IsHeader: false, Data: []byte("lost")},
				{Key: 1, Depth: 0, Order: 2, IsHeader: false, Data: []byte("kept")},
			},
			"Subject: deep\n\nkept",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, n := rebuild(t, tc.rows, FormStored)
			if string(got) != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
			if n != int64(len(tc.want)) {
				t.Errorf("Written = %d, want %d", n, len(tc.want))
			}
			wire, _ := rebuild(t, tc.rows, FormCRLF)
			if w := strings.ReplaceAll(tc.want, "\n", "\r\n"); string(wire) != w {
				t.Errorf("FormCRLF got\n%q\nwant\n%q", wire, w)
			}
		})
	}
}
