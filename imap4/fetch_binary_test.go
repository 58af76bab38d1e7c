package imap4

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"
)

func TestDecodeCTE(t *testing.T) {
	cases := []struct{ cte, in, want string }{
		{"base64", "aGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", "hello world"},
		{"base64", "  aGVs    \r\n bG8g  \r\n   d29y  \t \r\n    bGQ= \r\n", "hello world"},
		{"base64", "aGk=aGk=", "hihi"},
		{"base64", "aGk", "hi"},
		{"base64", "a", ""},
		{"base64", "!!!", ""},
		{"quoted-printable", "a=3Db\r\n", "a=b\r\n"},
		{"quoted-printable", "soft=\r\nbreak\r\n", "softbreak\r\n"},
		{"quoted-printable", "soft= \t\r\nbreak", "softbreak"},
		{"quoted-printable", "trailing   \r\nx", "trailing\r\nx"},
		{"quoted-printable", "bad=ZZ=4", "bad=ZZ=4"},
		{"quoted-printable", "caf=C3=A9", "café"},
		{"7bit", "as is =41\r\n", "as is =41\r\n"},
	}
	for _, c := range cases {
		if got := string(decodeCTE(c.cte, []byte(c.in))); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.cte, c.in, got, c.want)
		}
	}
	for in, want := range map[string]string{"Base64": "base64", " 7BIT (comment)": "7bit", "Quoted-Printable\t": "quoted-printable"} {
		if got := normalizeCTE(in); got != want {
			t.Errorf("normalizeCTE(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecodeCTE: what a standard encoder produces decodes back exactly,
// whatever line breaks and white space are added; arbitrary input never
// panics.
func FuzzDecodeCTE(f *testing.F) {
	f.Add([]byte("hello world"), uint8(4))
	f.Add([]byte("\x00\xff\r\n=\t "), uint8(1))
	f.Add([]byte(strings.Repeat("long line ", 20)), uint8(76))
	f.Fuzz(func(t *testing.T, data []byte, width uint8) {
		decodeCTE("base64", data)
		decodeCTE("quoted-printable", data)
		enc := base64.StdEncoding.EncodeToString(data)
		w := int(width%80) + 1
		var folded strings.Builder
		for i := 0; i < len(enc); i += w {
			folded.WriteString(" ")
			folded.WriteString(enc[i:min(i+w, len(enc))])
			folded.WriteString(" \r\n")
		}
		if got := decodeBase64Lenient([]byte(folded.String())); !bytes.Equal(got, data) {
			t.Fatalf("base64 round trip: %q -> %q", data, got)
		}
		var qp bytes.Buffer
		qw := quotedprintable.NewWriter(&qp)
		qw.Binary = true
		if _, err := qw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := qw.Close(); err != nil {
			t.Fatal(err)
		}
		if got := decodeQuotedPrintable(qp.Bytes()); !bytes.Equal(got, data) {
			t.Fatalf("quoted-printable round trip: %q -> %q -> %q", data, qp.Bytes(), got)
		}
	})
}

// Parts above MaxInMemory are decoded while streamed: the same response,
// literal8 for a NUL, and the message is never loaded whole.
func TestFetchBinaryStreamed(t *testing.T) {
	src, msgs := loadMbox(t, "fetch-binary-mime-base64")
	nul := newFakeSource()
	nulMsgs := nul.add(nil, []byte(crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\nAEFCQ0RF\nRkdI\n--b\nContent-Transfer-Encoding: quoted-printable\n\nlong =3D line=\n joined \nend\n--b--\n")), time.Unix(0, 0))
	cases := []struct {
		src  *fakeSource
		m    MsgMeta
		cmds []string
	}{
		{src, msgs[0], []string{
			"FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3] BINARY.SIZE[4] BINARY.SIZE[5])",
			"FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[3] BINARY.PEEK[4] BINARY.PEEK[5])",
			"FETCH 1 (BINARY.PEEK[5]<10.10> BINARY.PEEK[5]<0.8> BINARY.PEEK[5]<15.100> BINARY.PEEK[5]<40.2>)",
		}},
		{nul, nulMsgs[0], []string{"FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1]<1.3> BINARY.PEEK[2] BINARY.SIZE[2])"}},
	}
	for _, c := range cases {
		for _, cmd := range c.cmds {
			items := fetchItems(t, cmd)
			want, _, err := renderFetch(t, c.src, c.m, items, FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			before := c.src.wireCalls.Load()
			got, _, err := renderFetch(t, c.src, c.m, items, FetchOptions{MaxInMemory: 4})
			if err != nil {
				t.Fatalf("%s streamed: %v", cmd, err)
			}
			if got != want {
				t.Errorf("%s streamed:\n got %q\nwant %q", cmd, got, want)
			}
			if n := c.src.wireCalls.Load() - before; n != 0 {
				t.Errorf("%s streamed: Wire called %d times", cmd, n)
			}
		}
	}
	got, _, _ := renderFetch(t, nul, nulMsgs[0], fetchItems(t, "FETCH 1 BINARY.PEEK[1]"), FetchOptions{MaxInMemory: 4})
	if want := "* 1 FETCH (BINARY[1] ~{9}\r\n\x00ABCDEFGH)\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
