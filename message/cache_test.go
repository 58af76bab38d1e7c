package message

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// specHeaderExample is the message behind the verified rows of spec 2.9,
// 2.10 and 2.11.
const specHeaderExample = "Return-Path: <sender@example.org>\r\n" +
	"From: \"Sender, Joe\" <sender@example.org>\r\n" +
	"To: Test User <testuser@example.com>, other@example.net\r\n" +
	"Subject: Re: [list] Fwd: Test message =?UTF-8?B?w6nDqA==?=\r\n" +
	"Date: Tue, 03 Mar 2026 10:11:12 +0100\r\n" +
	"Message-ID: <abc123@example.org>\r\n" +
	"In-Reply-To: <r2@example.org>\r\n" +
	"References: <r1@example.org>\r\n" +
	"\t<r2@example.org>\r\n" +
	"X-Custom: kept out by the name table, not by this package\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b\"\r\n" +
	"\r\n" +
	"--b\r\n" +
	"\r\n" +
	"hello\r\n" +
	"--b--\r\n"

func TestHeaderCacheSpecExample(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(specHeaderExample), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.HeaderCache(time.Date(2026, 3, 3, 9, 12, 0, 0, time.UTC))
	want := []CachedField{
		{Name: "return-path", Value: " <sender@example.org>", SortField: "sender"},
		{Name: "from", Value: "\"Sender, Joe\" <sender@example.org>", SortField: "sender"},
		{Name: "to", Value: "Test User <testuser@example.com>,  <other@example.net>", SortField: "testuser"},
		{Name: "subject", Value: "Re: [list] Fwd: Test message éè", SortField: "test message éè"},
		{Name: "date", Value: "Tue, 03 Mar 2026 10:11:12 +0100", SortField: "2026-03-03 10:11:12", DateField: "2026-03-03"},
		{Name: "message-id", Value: "<abc123@example.org>", SortField: "<abc123@example.org>"},
		{Name: "in-reply-to", Value: "<r2@example.org>", SortField: "<r2@example.org>"},
		{Name: "references", Value: "<r1@example.org>\t<r2@example.org>", SortField: "<r1@example.org>\t<r2@example.org>"},
		{Name: "x-custom", Value: "kept out by the name table, not by this package", SortField: "kept out by the name table, not by this package"},
		{Name: "mime-version", Value: "1.0", SortField: "1.0"},
		{Name: "content-type", Value: "multipart/mixed", SortField: "multipart/mixed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HeaderCache:\n got %#v\nwant %#v", got, want)
	}
	if got, want := m.References(), []string{"r1@example.org", "r2@example.org"}; !reflect.DeepEqual(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
	if got := m.MessageID(); got != "<abc123@example.org>" {
		t.Errorf("MessageID = %q", got)
	}
	wantEnv := `("Tue, 03 Mar 2026 10:11:12 +0100" "Re: [list] Fwd: Test message =?UTF-8?B?w6nDqA==?="` +
		` (("Sender, Joe" NIL "sender" "example.org")) (("Sender, Joe" NIL "sender" "example.org"))` +
		` (("Sender, Joe" NIL "sender" "example.org"))` +
		` (("Test User" NIL "testuser" "example.com")(NIL NIL "other" "example.net")) NIL NIL` +
		` "<r2@example.org>" "<abc123@example.org>")`
	if got := m.Envelope(); got != wantEnv {
		t.Errorf("Envelope:\n got %s\nwant %s", got, wantEnv)
	}
	if got, want := m.HeaderValues("SUBJECT"), []string{"Re: [list] Fwd: Test message éè"}; !reflect.DeepEqual(got, want) {
		t.Errorf("HeaderValues = %q, want %q", got, want)
	}
}

func TestHeaderCacheSyntheticDateAndDisposition(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("Subject: \r\nTo: Undisclosed recipients:;\r\nContent-Disposition: attachment; filename=\"a b.txt\"\r\n\r\nx\r\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	internal := time.Date(2026, 11, 22, 21, 42, 20, 0, time.UTC)
	got := m.HeaderCache(internal)
	want := []CachedField{
		{Name: "to", Value: "Undisclosed recipients: ;", SortField: "Undisclosed recipients"},
		{Name: "content-type", Value: "text/plain", SortField: "text/plain"},
		{Name: "content-disposition", Value: "attachment; filename=\"a b.txt\"", SortField: "attachment; filename=\"a b.txt\""},
		{Name: "date", Value: internal.In(time.Local).Format(time.RFC1123Z), SortField: "2026-11-22 21:42:20", DateField: "2026-11-22"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HeaderCache:\n got %#v\nwant %#v", got, want)
	}
	if got, want := m.Envelope(), `(NIL NIL NIL NIL NIL ((NIL NIL "Undisclosed recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)`; got != want {
		t.Errorf("Envelope:\n got %s\nwant %s", got, want)
	}
}

func TestEnvelopeQuoting(t *testing.T) {
	t.Parallel()
	msg := "Subject: say \"hi\" \\ bye\n" +
		"From: J\xc3\xb6rg <j@example.org>\n" +
		"Sender: \"Back\\\\slash\" <b@example.org>\n" +
		"Message-ID: <odd\"id@example.org>\n\nbody\n"
	m, err := Parse([]byte(msg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `(NIL "say \"hi\" \\ bye" (({5}` + "\r\nJ\xc3\xb6rg" + ` NIL "j" "example.org"))` +
		` (("Back\\slash" NIL "b" "example.org"))` +
		` (({5}` + "\r\nJ\xc3\xb6rg" + ` NIL "j" "example.org")) NIL NIL NIL NIL "<odd\"id@example.org>")`
	if got := m.Envelope(); got != want {
		t.Errorf("Envelope:\n got %q\nwant %q", got, want)
	}
}

func TestDecodeHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw, charset, want string
	}{
		{"=?UTF-8?B?w6nDqA==?=", "", "éè"},
		{"=?iso-8859-1?q?caf=E9_au_lait?=", "", "café au lait"},
		{"=?utf-8?q?a?= =?utf-8?q?b?=", "", "ab"},
		{"x =?utf-8?q?a?=  y", "", "x a  y"},
		{"=?UTF-8*en?B?w6k=?=", "", "é"},
		{"=?bogus?Q?abc?=", "", "abc"},
		{"=?utf-8?X?abc?=", "", "=?utf-8?X?abc?="},
		{"=?utf-8?B?###?=", "", "=?utf-8?B?###?="},
		{"caf\xe9", "iso-8859-1", "café"},
		{"caf\xe9", "", "caf?"},
		{"caf\xe9", "no-such-charset", "caf?"},
		{"  folded\r\n\tvalue  ", "", "folded\tvalue"},
		{"=?utf-8?b?/w==?=", "", "?"},
		{"=?windows-1251?B?7+Dw4O/r?=", "", "парапл"},
	} {
		if got := DecodeHeader(tc.raw, tc.charset); got != tc.want {
			t.Errorf("DecodeHeader(%q, %q) = %q, want %q", tc.raw, tc.charset, got, tc.want)
		}
	}
}

func TestBaseSubject(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Re: [list] Fwd: Test message éè", "test message éè"},
		{"re: RE: Fw: hello", "hello"},
		{"Re[2]: hello", "hello"},
		{"[list] hello", "hello"},
		{"[list]", "[list]"},
		{"hello (fwd) (FWD)", "hello"},
		{"[Fwd: Re: the thing]", "the thing"},
		{"Re:   many\t\tspaces  ", "many spaces"},
		{"[a][b] Re: x", "x"},
		{"", ""},
		{"Fwd:", ""},
		{"Regarding: not a leader", "regarding: not a leader"},
	} {
		if got := BaseSubject(tc.in); got != tc.want {
			t.Errorf("BaseSubject(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"Tue, 03 Mar 2026 10:11:12 +0100", "2026-03-03 10:11:12 +0100"},
		{"Thu, 22 Aug 2002 07:36:16 -0400 (EDT)", "2002-08-22 07:36:16 -0400"},
		{"22 Aug 02 07:36 EDT", "2002-08-22 07:36:00 -0400"},
		{"Thursday, 5 September 1999 15:42:38 GMT", "1999-09-05 15:42:38 +0000"},
		{"Mon, 1 Jan 70 00:00:00 +0000", "1970-01-01 00:00:00 +0000"},
		{"2002-08-22 12:36:23", "2002-08-22 12:36:23 +0000"},
		{"Sat, 31 Feb 2026 10:00:00 +0000", ""},
		{"not a date", ""},
		{"Mon, 3 Mar 2026 25:00:00 +0000", ""},
	} {
		got := ""
		if d, ok := ParseDate(tc.in); ok {
			got = d.Format("2006-01-02 15:04:05 -0700")
		}
		if got != tc.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []Address
	}{
		{"a@b", []Address{{Mailbox: "a", Host: "b"}}},
		{"\"Doe, J.\" <j.doe@x.org>, k@y", []Address{{Name: "Doe, J.", Mailbox: "j.doe", Host: "x.org"}, {Mailbox: "k", Host: "y"}}},
		{"whisper@oz.net (David LeBlanc)", []Address{{Name: "David LeBlanc", Mailbox: "whisper", Host: "oz.net"}}},
		{"<a@b> (Comment (nested))", []Address{{Name: "Comment (nested)", Mailbox: "a", Host: "b"}}},
		{"Name (not used) <a@b>", []Address{{Name: "Name", Mailbox: "a", Host: "b"}}},
		{"John Q. Public <@r1,@r2:jqp@example.com>", []Address{{Name: "John Q. Public", Route: "@r1,@r2", Mailbox: "jqp", Host: "example.com"}}},
		{"team: a@b, C <c@d>;, e@f", []Address{
			{Name: "team", IsGroup: true, Members: []Address{{Mailbox: "a", Host: "b"}, {Name: "C", Mailbox: "c", Host: "d"}}},
			{Mailbox: "e", Host: "f"}}},
		{"undisclosed-recipients:;", []Address{{Name: "undisclosed-recipients", IsGroup: true}}},
		{"=?utf-8?q?J=C3=B6rg?= <j@x>", []Address{{Name: "=?utf-8?q?J=C3=B6rg?=", Mailbox: "j", Host: "x"}}},
		{"<>", []Address{{}}},
		{"", nil},
		{",,", nil},
	} {
		if got := ParseAddressList(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseAddressList(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestReferencesForms(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300) + "@example.org"
	m, err := Parse([]byte("References: <a@x> <b@x>\n <a@x>\nIn-Reply-To: <c@x> (comment) <b@x>\n\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.References(), []string{"a@x", "b@x", "c@x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
	m, err = Parse([]byte("In-Reply-To: bare@x\nReferences: <"+long+">\n\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.References(), []string{long[:255], "bare@x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
}

func TestHeaderCacheCharsets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, msg, def, want string
	}{
		{"default_msg_encoding", "Subject: caf\xe9\n\n", "iso-8859-1", "café"},
		{"no default: 8-bit becomes ?", "Subject: caf\xe9\n\n", "", "caf?"},
		{"message charset wins", "Subject: \xef\xf0\xe8\nContent-Type: text/plain; charset=windows-1251\n\n", "iso-8859-1", "при"},
		{"valid UTF-8 untouched", "Subject: café\n\n", "iso-8859-1", "café"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tc.msg), Options{DefaultCharset: tc.def})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.HeaderCache(time.Time{})[0]; got.Name != "subject" || got.Value != tc.want {
				t.Errorf("first cache row = %+v, want subject %q", got, tc.want)
			}
		})
	}
}
