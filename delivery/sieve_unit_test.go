package delivery

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/sieve"
)

func TestSieveFlags(t *testing.T) {
	tests := []struct {
		in    []string
		flags db.Flags
		kw    []string
	}{
		{nil, db.Flags{}, nil},
		{[]string{`\Seen`, `\flagged`, `\ANSWERED`}, db.Flags{Seen: true, Flagged: true, Answered: true}, nil},
		{[]string{`\Deleted`, `\Draft`, `\Recent`, `\Unknown`}, db.Flags{Deleted: true, Draft: true}, nil},
		{[]string{"$Label1", "Junk", "junk", ""}, db.Flags{}, []string{"$Label1", "Junk"}},
	}
	for _, tc := range tests {
		f, kw := SieveFlags(tc.in)
		if f != tc.flags || !reflect.DeepEqual(kw, tc.kw) {
			t.Errorf("SieveFlags(%q) = %+v %q, want %+v %q", tc.in, f, kw, tc.flags, tc.kw)
		}
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct{ body, cte, charset, want string }{
		{"plain text\r\n", "", "", "plain text\r\n"},
		{"aGVsbG8g\r\nd29ybGQ=\r\n", "base64", "utf-8", "hello world"},
		{"caf=C3=A9 =\r\nau lait", "quoted-printable", "UTF-8", "café au lait"},
		{"caf\xe9", "8bit", "iso-8859-1", "café"},
		{"caf=E9", "Quoted-Printable", "windows-1252", "café"},
		{"\xe9", "", "x-unknown-charset", "\xe9"},
	}
	for _, tc := range tests {
		if got := decodeText([]byte(tc.body), tc.cte, tc.charset); got != tc.want {
			t.Errorf("decodeText(%q, %s, %s) = %q, want %q", tc.body, tc.cte, tc.charset, got, tc.want)
		}
	}
}

func TestSieveEnvBodyParts(t *testing.T) {
	raw := "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\npreamble\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nH=C3=A9llo\r\n" +
		"--XX\r\nContent-Type: text/html\r\n\r\n<b>bold</b>\r\n" +
		"--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner text\r\n" +
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n" +
		"--XX--\r\n"
	e := newSieveEnv(t.Context(), nil, 1, SortEnv{Raw: []byte(raw)}, "", time.Unix(0, 0))
	text, _ := e.Body(sieve.BodyText, nil)
	if want := []string{"Héllo", "<b>bold</b>", "inner text"}; !reflect.DeepEqual(text, want) {
		t.Errorf(":text = %q, want %q", text, want)
	}
	html, _ := e.Body(sieve.BodyContent, []string{"text/html"})
	if want := []string{"<b>bold</b>"}; !reflect.DeepEqual(html, want) {
		t.Errorf(":content text/html = %q, want %q", html, want)
	}
	app, _ := e.Body(sieve.BodyContent, []string{"application"})
	if want := []string{"\x00\x01\x02"}; !reflect.DeepEqual(app, want) {
		t.Errorf(":content application = %q, want %q", app, want)
	}
	rawBody, _ := e.Body(sieve.BodyRaw, nil)
	if !strings.HasPrefix(rawBody[0], "preamble\r\n--XX\r\n") {
		t.Errorf(":raw = %q", rawBody[0])
	}
}

func TestVacationMessage(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	v := sieve.Vacation{Reason: "Bin weg.\nGrüße", Subject: "Abwesend: Grüße", To: "bob@example.org", InReplyTo: "<m1@example.org>"}
	got := string(vacationMessage(v, "Alice Ä <alice@example.com>", now))
	for _, want := range []string{
		"From: =?utf-8?q?Alice_=C3=84?= <alice@example.com>\r\n",
		"To: bob@example.org\r\n",
		"Subject: =?utf-8?q?Abwesend:_Gr=C3=BC=C3=9Fe?=\r\n",
		"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n",
		"In-Reply-To: <m1@example.org>\r\nReferences: <m1@example.org>\r\n",
		"Auto-Submitted: auto-replied (vacation)\r\n",
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nBin weg.\r\nGr=C3=BC=C3=9Fe\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reply lacks %q:\n%s", want, got)
		}
	}
	v = sieve.Vacation{Reason: "Content-Type: text/html\r\n\r\n<p>away</p>", Subject: "Away", To: "bob@example.org", Mime: true}
	got = string(vacationMessage(v, "alice@example.com", now))
	if !strings.HasSuffix(got, "MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>away</p>") {
		t.Errorf(":mime reply:\n%s", got)
	}
}
