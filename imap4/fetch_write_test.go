package imap4

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type fetchCase struct {
	cmd  string // FETCH command without tag
	seq  int    // message (1-based) of the mailbox
	want string // the whole response; literals written with lit()
}

func runFetchCases(t *testing.T, mbox string, cases []fetchCase) {
	t.Helper()
	src, msgs := loadMbox(t, mbox)
	for _, c := range cases {
		t.Run(c.cmd, func(t *testing.T) {
			got, _, err := renderFetch(t, src, msgs[c.seq-1], fetchItems(t, c.cmd), FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// Transcribed from imaptest tests/fetch-body.
func TestFetchBodySections(t *testing.T) {
	hdr1 := "From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s1\n\n"
	runFetchCases(t, "fetch-body", []fetchCase{
		{"FETCH 1 RFC822.HEADER", 1, "* 1 FETCH (RFC822.HEADER " + lit(hdr1) + ")\r\n"},
		{"FETCH 1 BODY.PEEK[HEADER]", 1, "* 1 FETCH (BODY[HEADER] " + lit(hdr1) + ")\r\n"},
		{"FETCH 1 BODY.PEEK[TEXT]", 1, "* 1 FETCH (BODY[TEXT] " + lit("body1\n\n") + ")\r\n"},
		{"FETCH 2 BODY.PEEK[]", 2, "* 2 FETCH (BODY[] " + lit("From: User2 <user2@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s22\n\nbody22\n\n") + ")\r\n"},
		{"FETCH 2 body.peek[text]<0.3>", 2, "* 2 FETCH (BODY[TEXT]<0> {3}\r\nbod)\r\n"},
		{"FETCH 2 body.peek[text]<3.3>", 2, "* 2 FETCH (BODY[TEXT]<3> {3}\r\ny22)\r\n"},
		{"FETCH 3 body.peek[text]<0.1>", 3, "* 3 FETCH (BODY[TEXT]<0> {1}\r\nb)\r\n"},
		{"FETCH 3 body.peek[text]<5.1>", 3, "* 3 FETCH (BODY[TEXT]<5> {1}\r\n3)\r\n"},
		{"FETCH 3 body.peek[text]<5.2>", 3, "* 3 FETCH (BODY[TEXT]<5> {2}\r\n3\r)\r\n"},
		{"FETCH 3 body.peek[text]<5.3>", 3, "* 3 FETCH (BODY[TEXT]<5> {3}\r\n3\r\n)\r\n"},
		{"FETCH 3 body.peek[text]<6.1>", 3, "* 3 FETCH (BODY[TEXT]<6> {1}\r\n\r)\r\n"},
		{"FETCH 3 body.peek[text]<6.2>", 3, "* 3 FETCH (BODY[TEXT]<6> {2}\r\n\r\n)\r\n"},
		{"FETCH 3 body.peek[text]<7.1>", 3, "* 3 FETCH (BODY[TEXT]<7> {1}\r\n\n)\r\n"},
		{"FETCH 3 body.peek[text]<100.5>", 3, "* 3 FETCH (BODY[TEXT]<100> {0}\r\n)\r\n"},
		{"FETCH 1 body.peek[header.fields (from)]", 1, "* 1 FETCH (BODY[HEADER.FIELDS (from)] " + lit("From: User1 <user1@domain.org>\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[header.fields (from from)])", 1, "* 1 FETCH (BODY[HEADER.FIELDS (from from)] " + lit("From: User1 <user1@domain.org>\n\n") + ")\r\n"},
		{"FETCH 1 body.peek[header.fields (from subject)]", 1, "* 1 FETCH (BODY[HEADER.FIELDS (from subject)] " + lit("From: User1 <user1@domain.org>\nSubject: s1\n\n") + ")\r\n"},
		{"FETCH 1 body.peek[header.fields.not (date)]", 1, "* 1 FETCH (BODY[HEADER.FIELDS.NOT (date)] " + lit("From: User1 <user1@domain.org>\nSubject: s1\n\n") + ")\r\n"},
		{"FETCH 1 body.peek[header.fields (xyz)]", 1, "* 1 FETCH (BODY[HEADER.FIELDS (xyz)] " + lit("\n") + ")\r\n"},
		{"FETCH 1 body.peek[header.fields (from)]<6.4>", 1, "* 1 FETCH (BODY[HEADER.FIELDS (from)]<6> {4}\r\nUser)\r\n"},
		{"FETCH 1 (BODY.PEEK[2] BODY.PEEK[1.MIME] BODY.PEEK[1.TEXT])", 1, "* 1 FETCH (BODY[2] NIL BODY[1.MIME] " + lit("From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s1\n\n") + " BODY[1.TEXT] NIL)\r\n"},
		{"FETCH 1 BODY.PEEK[1]", 1, "* 1 FETCH (BODY[1] " + lit("body1\n\n") + ")\r\n"},
	})
}

// Transcribed from imaptest tests/fetch-body-mime.
func TestFetchBodyMIMESections(t *testing.T) {
	sub := "From: sub@domain.org\nDate: Sun, 12 Aug 2012 12:34:56 +0300\nSubject: submsg\nContent-Type: multipart/alternative; boundary=\"sub1\"\n\n"
	subText := "Sub MIME prologue\n--sub1\nContent-Type: text/html\n\n<p>Hello world</p>\n\n--sub1\nContent-Type: text/plain\n\nHello another world\n\n--sub1--\nSub MIME epilogue\n"
	text := "Root MIME prologue\n\n--foo bar\nContent-Type: text/x-myown; charset=us-ascii\n\nhello\n\n--foo bar\nContent-Type: message/rfc822\n\n" + sub + subText + "\n--foo bar--\nRoot MIME epilogue\n"
	full := "From: user@domain.org\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nMime-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"foo\n bar\"\n\n" + text
	runFetchCases(t, "fetch-body-mime", []fetchCase{
		{"FETCH 1 (body.peek[])", 1, "* 1 FETCH (BODY[] " + lit(full) + ")\r\n"},
		{"FETCH 1 (body.peek[text])", 1, "* 1 FETCH (BODY[TEXT] " + lit(text) + ")\r\n"},
		{"FETCH 1 (body.peek[1])", 1, "* 1 FETCH (BODY[1] " + lit("hello\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.mime])", 1, "* 1 FETCH (BODY[1.MIME] " + lit("Content-Type: text/x-myown; charset=us-ascii\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2])", 1, "* 1 FETCH (BODY[2] " + lit(sub+subText) + ")\r\n"},
		{"FETCH 1 (body.peek[2.mime])", 1, "* 1 FETCH (BODY[2.MIME] " + lit("Content-Type: message/rfc822\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.header])", 1, "* 1 FETCH (BODY[2.HEADER] " + lit(sub) + ")\r\n"},
		{"FETCH 1 (body.peek[2.header.fields (from subject X-foo)])", 1, "* 1 FETCH (BODY[2.HEADER.FIELDS (from subject X-foo)] " + lit("From: sub@domain.org\nSubject: submsg\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.header.fields.not (from subject X-foo)])", 1, "* 1 FETCH (BODY[2.HEADER.FIELDS.NOT (from subject X-foo)] " + lit("Date: Sun, 12 Aug 2012 12:34:56 +0300\nContent-Type: multipart/alternative; boundary=\"sub1\"\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.text])", 1, "* 1 FETCH (BODY[2.TEXT] " + lit(subText) + ")\r\n"},
		{"FETCH 1 (body.peek[2.1.mime])", 1, "* 1 FETCH (BODY[2.1.MIME] " + lit("Content-Type: text/html\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.1])", 1, "* 1 FETCH (BODY[2.1] " + lit("<p>Hello world</p>\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.2.mime])", 1, "* 1 FETCH (BODY[2.2.MIME] " + lit("Content-Type: text/plain\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[2.2])", 1, "* 1 FETCH (BODY[2.2] " + lit("Hello another world\n") + ")\r\n"},
		{"FETCH 1 (body.peek[3] body.peek[1.2] body.peek[1.text])", 1, "* 1 FETCH (BODY[3] NIL BODY[1.2] NIL BODY[1.TEXT] NIL)\r\n"},
	})
}

// Transcribed from imaptest tests/fetch-body-message-rfc822 and
// fetch-body-message-rfc822-mime.
func TestFetchMessageRFC822Sections(t *testing.T) {
	inner := "From: sub@domain.org\nDate: Sun, 12 Aug 2012 12:34:56 +0300\nSubject: submsg\n\nHello world\n"
	runFetchCases(t, "fetch-body-message-rfc822", []fetchCase{
		{"FETCH 1 (body.peek[text])", 1, "* 1 FETCH (BODY[TEXT] " + lit(inner) + ")\r\n"},
		{"FETCH 1 (body.peek[1])", 1, "* 1 FETCH (BODY[1] " + lit(inner) + ")\r\n"},
		{"FETCH 1 (body.peek[1.1])", 1, "* 1 FETCH (BODY[1.1] " + lit("Hello world\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.header])", 1, "* 1 FETCH (BODY[1.HEADER] " + lit("From: sub@domain.org\nDate: Sun, 12 Aug 2012 12:34:56 +0300\nSubject: submsg\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.header.fields (from subject X-foo)])", 1, "* 1 FETCH (BODY[1.HEADER.FIELDS (from subject X-foo)] " + lit("From: sub@domain.org\nSubject: submsg\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.header.fields.not (from subject X-foo)])", 1, "* 1 FETCH (BODY[1.HEADER.FIELDS.NOT (from subject X-foo)] " + lit("Date: Sun, 12 Aug 2012 12:34:56 +0300\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.text])", 1, "* 1 FETCH (BODY[1.TEXT] " + lit("Hello world\n") + ")\r\n"},
	})
	runFetchCases(t, "fetch-body-message-rfc822-mime", []fetchCase{
		{"FETCH 1 (body.peek[1.1])", 1, "* 1 FETCH (BODY[1.1] " + lit("From: m1@example.com\nSubject: m1\n\nm1 body\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.1.MIME])", 1, "* 1 FETCH (BODY[1.1.MIME] " + lit("\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.1.HEADER])", 1, "* 1 FETCH (BODY[1.1.HEADER] " + lit("From: m1@example.com\nSubject: m1\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.1.TEXT])", 1, "* 1 FETCH (BODY[1.1.TEXT] " + lit("m1 body\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.2])", 1, "* 1 FETCH (BODY[1.2] " + lit("From: m2@example.com\nSubject: m2\n\nm2 body\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.2.MIME])", 1, "* 1 FETCH (BODY[1.2.MIME] " + lit("X-Mime: m2 header\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.2.HEADER])", 1, "* 1 FETCH (BODY[1.2.HEADER] " + lit("From: m2@example.com\nSubject: m2\n\n") + ")\r\n"},
		{"FETCH 1 (body.peek[1.2.TEXT])", 1, "* 1 FETCH (BODY[1.2.TEXT] " + lit("m2 body\n") + ")\r\n"},
	})
}

// Transcribed from imaptest tests/fetch-binary-mime-base64 and
// fetch-binary-mime (RFC 3516).
func TestFetchBinary(t *testing.T) {
	runFetchCases(t, "fetch-binary-mime-base64", []fetchCase{
		{"FETCH 1 (binary.size[1] binary.size[5])", 1, "* 1 FETCH (BINARY.SIZE[1] 11 BINARY.SIZE[5] 30)\r\n"},
		{"FETCH 1 (binary.peek[1] binary.peek[2] binary.peek[3] binary.peek[4] binary.peek[5])", 1,
			"* 1 FETCH (BINARY[1] {11}\r\nhello world BINARY[2] {11}\r\nhello world BINARY[3] {16}\r\nhello to you too BINARY[4] {18}\r\nhello to everyone! BINARY[5] {30}\r\nabcdefg\rhijkl\r\nmno\npqrstuvqxyz)\r\n"},
		{"FETCH 1 (binary.size[2] binary.size[3] binary.size[4])", 1, "* 1 FETCH (BINARY.SIZE[2] 11 BINARY.SIZE[3] 16 BINARY.SIZE[4] 18)\r\n"},
		{"FETCH 1 (binary.peek[5]<0.7>)", 1, "* 1 FETCH (BINARY[5]<0> {7}\r\nabcdefg)\r\n"},
		{"FETCH 1 (binary.peek[5]<0.8>)", 1, "* 1 FETCH (BINARY[5]<0> {8}\r\nabcdefg\r)\r\n"},
		{"FETCH 1 (binary.peek[5]<10.10>)", 1, "* 1 FETCH (BINARY[5]<10> {10}\r\njkl\r\nmno\np)\r\n"},
		{"FETCH 1 (binary.peek[5]<15.100>)", 1, "* 1 FETCH (BINARY[5]<15> {15}\r\nmno\npqrstuvqxyz)\r\n"},
		{"FETCH 1 (binary.peek[9] binary.size[9])", 1, "* 1 FETCH (BINARY[9] NIL BINARY.SIZE[9] 0)\r\n"},
	})
	runFetchCases(t, "fetch-binary-mime", []fetchCase{
		{"FETCH 1 (binary.size[] binary.size[1] binary.size[2] binary.size[2.1] binary.size[2.2])", 1,
			"* 1 FETCH (BINARY.SIZE[] 602 BINARY.SIZE[1] 7 BINARY.SIZE[2] 298 BINARY.SIZE[2.1] 20 BINARY.SIZE[2.2] 21)\r\n"},
		{"FETCH 1 (binary.peek[1] binary.peek[2.1])", 1, "* 1 FETCH (BINARY[1] " + lit("hello\n") + " BINARY[2.1] " + lit("<p>Hello world</p>\n") + ")\r\n"},
	})
}

func TestFetchBinaryQuotedPrintableAndNUL(t *testing.T) {
	src := newFakeSource()
	wire := crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9 =\nsoft  \nx=3Dy\n--b\nContent-Transfer-Encoding: base64\n\nAEE=\n--b\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n--b--\n")
	msgs := src.add(nil, []byte(wire), time.Unix(0, 0))
	got, _, err := renderFetch(t, src, msgs[0], fetchItems(t, "FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[2])"), FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "* 1 FETCH (BINARY[1] {15}\r\ncafé soft\r\nx=y BINARY.SIZE[1] 15 BINARY[2] ~{2}\r\n\x00A)\r\n"
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	got, seen, err := renderFetch(t, src, msgs[0], fetchItems(t, "FETCH 1 (UID BINARY[3])"), FetchOptions{})
	var cte *UnknownCTEError
	if !errors.As(err, &cte) || cte.Encoding != "x-uuencode" || cte.Part != "3" {
		t.Fatalf("err = %v, want UnknownCTEError for part 3", err)
	}
	if got != "" || seen {
		t.Errorf("output %q, setSeen %v after an UNKNOWN-CTE error; want nothing", got, seen)
	}
}

// Transcribed from imaptest tests/fetch-envelope and fetch-bodystructure.
func TestFetchEnvelopeAndBodyStructure(t *testing.T) {
	runFetchCases(t, "fetch-envelope", []fetchCase{
		{"FETCH 1 ENVELOPE", 1, `* 1 FETCH (ENVELOPE ("Thu, 15 Feb 2007 01:02:03 +0200" "subject header" (("From Real" NIL "fromuser" "fromdomain.org")) (("Sender Real" NIL "senderuser" "senderdomain.org")) (("ReplyTo Real" NIL "replytouser" "replytodomain.org")) (("To Real" NIL "touser" "todomain.org")) (("Cc Real" NIL "ccuser" "ccdomain.org")) (("Bcc Real" NIL "bccuser" "bccdomain.org")) "<reply@to.id>" "<msg@id>"))` + "\r\n"},
		{"FETCH 4 ENVELOPE", 4, `* 4 FETCH (ENVELOPE ("Thu, 15 Feb 2007 01:02:03 +0200" NIL (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) ((NIL NIL "group" NIL)(NIL NIL "g1" "d1.org")(NIL NIL "g2" "d2.org")(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL "g3" "d3.org")(NIL NIL NIL NIL)) ((NIL NIL "group" NIL)(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL NIL NIL)) NIL NIL NIL))` + "\r\n"},
	})
	runFetchCases(t, "fetch-bodystructure", []fetchCase{
		{"FETCH 1 BODY", 1, `* 1 FETCH (BODY (("TEXT" "X-MYOWN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 7 1) "MIXED"))` + "\r\n"},
		{"FETCH 1 BODYSTRUCTURE", 1, `* 1 FETCH (BODYSTRUCTURE (("TEXT" "X-MYOWN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 7 1 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "foo bar") NIL NIL NIL))` + "\r\n"},
	})
}

// FETCH macros, attribute order, UID FETCH, CONDSTORE and the implicit
// \Seen (RFC 3501 §6.4.5, §6.4.8; RFC 7162 §3.1.4).
func TestFetchMetaItems(t *testing.T) {
	src, msgs := loadMbox(t, "fetch-body")
	m := msgs[0]
	m.Flags = []string{`\Seen`, "$Label"}
	m.InternalDate = time.Date(2008, 2, 2, 17, 6, 23, 0, time.FixedZone("", 2*3600))
	m.ModSeq = 42
	cases := []struct {
		cmd      string
		opt      FetchOptions
		flags    []string
		want     string
		wantSeen bool
	}{
		{"FETCH 1 FAST", FetchOptions{}, m.Flags, `* 1 FETCH (FLAGS (\Seen $Label) INTERNALDATE "02-Feb-2008 15:06:23 +0000" RFC822.SIZE 95)` + "\r\n", false},
		{"FETCH 1 (RFC822.SIZE FLAGS)", FetchOptions{UIDMode: true}, m.Flags, `* 1 FETCH (UID 101 RFC822.SIZE 95 FLAGS (\Seen $Label))` + "\r\n", false},
		{"FETCH 1 (FLAGS UID)", FetchOptions{UIDMode: true, CondStore: true}, m.Flags, `* 1 FETCH (FLAGS (\Seen $Label) UID 101 MODSEQ (42))` + "\r\n", false},
		{"FETCH 1 (MODSEQ)", FetchOptions{CondStore: true}, m.Flags, "* 1 FETCH (MODSEQ (42))\r\n", false},
		{"FETCH 1 (RFC822.TEXT)", FetchOptions{}, []string{`\Seen`}, "* 1 FETCH (RFC822.TEXT " + lit("body1\n\n") + ` FLAGS (\Seen))` + "\r\n", true},
		{"FETCH 1 (FLAGS BODY[TEXT]<0.4>)", FetchOptions{}, []string{`\Seen`}, `* 1 FETCH (FLAGS (\Seen) BODY[TEXT]<0> {4}` + "\r\nbody)\r\n", true},
		{"FETCH 1 (BODY[TEXT]<0.4>)", FetchOptions{ReadOnly: true}, nil, "* 1 FETCH (BODY[TEXT]<0> {4}\r\nbody)\r\n", false},
		{"FETCH 1 (RFC822.PEEK)", FetchOptions{}, nil, "* 1 FETCH (RFC822 " + lit("From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s1\n\nbody1\n\n") + ")\r\n", false},
	}
	for _, c := range cases {
		t.Run(c.cmd, func(t *testing.T) {
			mm := m
			mm.Flags = c.flags
			got, seen, err := renderFetch(t, src, mm, fetchItems(t, c.cmd), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want || seen != c.wantSeen {
				t.Errorf("\n got %q seen=%v\nwant %q seen=%v", got, seen, c.want, c.wantSeen)
			}
		})
	}
}

// Messages above MaxInMemory are streamed: the response is the same and
// the whole message is never loaded.
func TestFetchStreamsLargeMessages(t *testing.T) {
	src, msgs := loadMbox(t, "fetch-body-mime")
	cmds := []string{
		"FETCH 1 BODY.PEEK[]", "FETCH 1 BODY.PEEK[]<10.50>", "FETCH 1 BODY.PEEK[TEXT]", "FETCH 1 BODY.PEEK[2.TEXT]<5.20>",
		"FETCH 1 BODY.PEEK[HEADER.FIELDS (Date)]", "FETCH 1 RFC822.HEADER", "FETCH 1 BINARY.PEEK[2.2]", "FETCH 1 BODY.PEEK[]<600.10>",
	}
	for _, cmd := range cmds {
		items := fetchItems(t, cmd)
		want, _, err := renderFetch(t, src, msgs[0], items, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before := src.wireCalls.Load()
		got, _, err := renderFetch(t, src, msgs[0], items, FetchOptions{MaxInMemory: 16})
		if err != nil {
			t.Fatalf("%s streamed: %v", cmd, err)
		}
		if got != want {
			t.Errorf("%s streamed:\n got %q\nwant %q", cmd, got, want)
		}
		if n := src.wireCalls.Load() - before; n != 0 {
			t.Errorf("%s streamed: Wire called %d times", cmd, n)
		}
	}
}

func TestFetchSourceErrors(t *testing.T) {
	m := MsgMeta{Seq: 1, UID: 1, RFCSize: 10}
	for _, cmd := range []string{"FETCH 1 ENVELOPE", "FETCH 1 BODY", "FETCH 1 BODY.PEEK[1]", "FETCH 1 BINARY.PEEK[1]"} {
		got, _, err := renderFetch(t, failingSource{}, m, fetchItems(t, cmd), FetchOptions{})
		if !errors.Is(err, errTestSource) {
			t.Errorf("%s: err = %v, want the source error", cmd, err)
		}
		if got != "" {
			t.Errorf("%s: wrote %q before failing", cmd, got)
		}
	}
	// a stream that breaks off after the response began poisons the encoder
	got, _, err := renderFetch(t, failingSource{}, m, fetchItems(t, "FETCH 1 (UID BODY.PEEK[])"), FetchOptions{MaxInMemory: 1})
	if !errors.Is(err, errTestSource) || !strings.HasPrefix(got, "* 1 FETCH (UID 1 BODY[] {10}\r\n") {
		t.Errorf("broken stream: err %v, output %q", err, got)
	}
}

func TestItemsSetSeen(t *testing.T) {
	for cmd, want := range map[string]bool{
		"FETCH 1 (FLAGS BODY.PEEK[])": false, "FETCH 1 BODY[]": true, "FETCH 1 RFC822": true,
		"FETCH 1 RFC822.HEADER": false, "FETCH 1 RFC822.TEXT": true, "FETCH 1 BINARY[1]": true,
		"FETCH 1 BINARY.PEEK[1]": false, "FETCH 1 BINARY.SIZE[1]": false, "FETCH 1 ALL": false,
	} {
		if got := ItemsSetSeen(fetchItems(t, cmd)); got != want {
			t.Errorf("%s: %v, want %v", cmd, got, want)
		}
	}
}

// A HeaderSource answers top-level header items and header searches
// without the message: same bytes, no Wire, Structure or stream.
func TestFetchAndSearchWithHeaderSource(t *testing.T) {
	plain, msgs := loadMbox(t, "fetch-body-mime")
	hs := &headerFakeSource{fakeSource: plain}
	for _, cmd := range []string{"FETCH 1 RFC822.HEADER", "FETCH 1 BODY.PEEK[HEADER]<5.30>", "FETCH 1 BODY.PEEK[HEADER.FIELDS (Date Content-Type)]", "FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Date)]"} {
		items := fetchItems(t, cmd)
		want, _, err := renderFetch(t, plain, msgs[0], items, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w0, t0, s0 := plain.wireCalls.Load(), plain.treeCalls.Load(), plain.streamed.Load()
		got, _, err := renderFetch(t, hs, msgs[0], items, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", cmd, got, want)
		}
		if plain.wireCalls.Load() != w0 || plain.treeCalls.Load() != t0 || plain.streamed.Load() != s0 {
			t.Errorf("%s read the message although the header was available", cmd)
		}
	}
	key, _ := searchKey(t, "SEARCH OR header content-type sub1 header content-type MIXED")
	s0 := plain.streamed.Load()
	got, err := EvalSearch(context.Background(), key, msgs, hs, SearchOptions{})
	if err != nil || len(got) != 1 || got[0] != 1 || plain.streamed.Load() != s0 || hs.headerCalls.Load() == 0 {
		t.Errorf("header search: %v %v, streamed %d", got, err, plain.streamed.Load()-s0)
	}
}

// A wrong recorded size (rfcsize 0 on old rows) does not cut BODY[] of a
// message held in memory.
func TestFetchWholeMessageIgnoresWrongSize(t *testing.T) {
	src, msgs := loadMbox(t, "fetch-body")
	m := msgs[0]
	m.RFCSize = 0
	got, _, err := renderFetch(t, src, m, fetchItems(t, "FETCH 1 (BODY.PEEK[]<0.4> RFC822.PEEK)"), FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "* 1 FETCH (BODY[]<0> {4}\r\nFrom RFC822 " + lit("From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s1\n\nbody1\n\n") + ")\r\n"
	if got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}
