package imap4

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

type searchCase struct {
	cmd  string // SEARCH command without tag
	want string // the seqs, space separated
}

func runSearchCases(t *testing.T, src MsgSource, msgs []MsgMeta, opt SearchOptions, cases []searchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.cmd, func(t *testing.T) {
			key, charset := searchKey(t, c.cmd)
			o := opt
			o.Charset = charset
			got, err := EvalSearch(context.Background(), key, msgs, src, o)
			if err != nil {
				t.Fatal(err)
			}
			if s := joinSeqs(got); s != c.want {
				t.Errorf("got %q, want %q", s, c.want)
			}
		})
	}
}

func joinSeqs(seqs []uint32) string {
	parts := make([]string, len(seqs))
	for i, s := range seqs {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, " ")
}

// Transcribed from imaptest tests/search-body.
func TestSearchBodyAndText(t *testing.T) {
	src, msgs := loadMbox(t, "search-body")
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{"SEARCH text asdfghjkl", "1 2"},
		{"SEARCH text zxcvbnm", "1 3 4"},
		{"SEARCH text qwertyuiop", "2 3 4"},
		{"SEARCH body asdfghjkl", "1 2"},
		{"SEARCH body zxcvbnm", "1 3 4"},
		{"SEARCH body qwertyuiop", "4"},
		{"SEARCH text sdfghjk", "1 2"},
		{"SEARCH text xcvbn", "1 3 4"},
		{"SEARCH text wertyuio", "2 3 4"},
		{"SEARCH body sdfghjk", "1 2"},
		{"SEARCH body xcvbn", "1 3 4"},
		{"SEARCH body wertyuio", "4"},
		{"SEARCH body ZXCVBNM", "1 3 4"},
		{"SEARCH text X-HEADER", "3"},
	})
}

// Transcribed from imaptest tests/search-header and tests/nil.
func TestSearchHeader(t *testing.T) {
	src, msgs := loadMbox(t, "search-header")
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{"SEARCH subject hello", "1"},
		{"SEARCH subject beautiful", "1"},
		{"SEARCH subject world", "1"},
		{`SEARCH subject "hello beautiful"`, "1"},
		{`SEARCH subject "hello beautiful world"`, "1"},
		{`SEARCH subject "eautiful worl"`, "1"},
		{`SEARCH header subject ""`, "1"},
		{`SEARCH not header subject ""`, "2"},
		{`SEARCH header x-extra ""`, "2"},
		{`SEARCH not header x-extra ""`, "1"},
		{"SEARCH header x-extra hello", "2"},
		{`SEARCH header x-extra "hello beautiful"`, "2"},
		{`SEARCH header x-extra "eautiful head"`, "2"},
		{`SEARCH header x-extra "another"`, "2"},
	})
	src, msgs = loadMbox(t, "nil")
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{"SEARCH subject NIL", "1"},
		{"SEARCH body nil", "1"},
	})
}

// Transcribed from imaptest tests/search-date: SENT* use the Date: field's
// own day, whatever its zone.
func TestSearchSentDates(t *testing.T) {
	src, msgs := loadMbox(t, "search-date")
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{"SEARCH sentbefore 24-mar-2007", ""},
		{"SEARCH sentbefore 25-mar-2007", "1"},
		{"SEARCH sentbefore 26-mar-2007", "1 2 3 4 5 6"},
		{"SEARCH sentbefore 27-mar-2007", "1 2 3 4 5 6 7"},
		{"SEARCH senton 23-mar-2007", ""},
		{"SEARCH senton 24-mar-2007", "1"},
		{"SEARCH senton 25-mar-2007", "2 3 4 5 6"},
		{"SEARCH senton 26-mar-2007", "7"},
		{"SEARCH 1:7 sentsince 24-mar-2007", "1 2 3 4 5 6 7"},
		{"SEARCH 1:7 sentsince 25-mar-2007", "2 3 4 5 6 7"},
		{"SEARCH 1:7 sentsince 26-mar-2007", "7"},
		{"SEARCH 1:7 sentsince 27-mar-2007", ""},
		{"SEARCH 8:* sentbefore 27-oct-2007", ""},
		{"SEARCH 8:* sentbefore 28-oct-2007", "8"},
		{"SEARCH 8:* sentbefore 29-oct-2007", "8 9 10 11 12 13 14 15"},
		{"SEARCH 8:* sentbefore 30-oct-2007", "8 9 10 11 12 13 14 15 16"},
		{"SEARCH 8:* senton 26-oct-2007", ""},
		{"SEARCH 8:* senton 27-oct-2007", "8"},
		{"SEARCH 8:* senton 28-oct-2007", "9 10 11 12 13 14 15"},
		{"SEARCH 8:* senton 29-oct-2007", "16"},
		{"SEARCH 8:* sentsince 27-oct-2007", "8 9 10 11 12 13 14 15 16"},
		{"SEARCH 8:* sentsince 28-oct-2007", "9 10 11 12 13 14 15 16"},
		{"SEARCH 8:* sentsince 29-oct-2007", "16"},
		{"SEARCH 8:* sentsince 30-oct-2007", ""},
		{"SEARCH 1:7 not sentbefore 26-mar-2007", "7"},
		{"SEARCH 1:7 not senton 25-mar-2007", "1 7"},
		{"SEARCH 8:* not sentsince 28-oct-2007", "8"},
		{"SEARCH 8:* not senton 28-oct-2007", "8 16"},
		// internal dates come from the From lines: all 24-Mar-2007 21:00 UTC
		{"SEARCH on 24-mar-2007", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"},
		{"SEARCH before 24-mar-2007", ""},
		{"SEARCH since 25-mar-2007", ""},
	})
}

// Transcribed from imaptest tests/search-size: sizes are RFC822.SIZE.
func TestSearchSize(t *testing.T) {
	src, msgs := loadMbox(t, "search-size")
	size := msgs[2].RFCSize
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{fmt.Sprintf("SEARCH smaller %d", size), "1 2"},
		{fmt.Sprintf("SEARCH larger %d", size), "4"},
		{fmt.Sprintf("SEARCH not smaller %d", size), "3 4"},
		{fmt.Sprintf("SEARCH not larger %d", size), "1 2 3"},
		{fmt.Sprintf("SEARCH not smaller %d not larger %d", size, size), "3"},
		{fmt.Sprintf("SEARCH or smaller %d larger %d", size, size), "1 2 4"},
	})
}

// Transcribed from imaptest tests/search-flags (after its STOREs).
func TestSearchFlags(t *testing.T) {
	src := newFakeSource()
	var msgs []MsgMeta
	for i := 0; i < 5; i++ {
		msgs = src.add(msgs, []byte("Subject: x\r\n\r\nbody\r\n"), time.Unix(0, 0))
	}
	flags := [][]string{{"$$hello", `\Recent`}, {`\Seen`, `\Flagged`, `\Recent`}, {`\Answered`, "$$hello", `\Recent`}, {`\Flagged`, `\Draft`, `\Recent`}, {`\Deleted`, `\Answered`, `\Recent`}}
	for i := range msgs {
		msgs[i].Flags = flags[i]
	}
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{"SEARCH answered", "3 5"}, {"SEARCH unanswered", "1 2 4"},
		{"SEARCH deleted", "5"}, {"SEARCH undeleted", "1 2 3 4"},
		{"SEARCH draft", "4"}, {"SEARCH undraft", "1 2 3 5"},
		{"SEARCH flagged", "2 4"}, {"SEARCH unflagged", "1 3 5"},
		{"SEARCH seen", "2"}, {"SEARCH unseen", "1 3 4 5"},
		{"SEARCH keyword $$hello", "1 3"}, {"SEARCH unkeyword $$hello", "2 4 5"},
		{"SEARCH keyword $$HELLO", "1 3"},
		{"SEARCH new", "1 3 4 5"}, {"SEARCH old", ""}, {"SEARCH recent", "1 2 3 4 5"},
		{"SEARCH not seen not flagged", "1 3 5"},
		{"SEARCH seen not flagged", ""},
	})
}

// Transcribed from imaptest tests/search-sets: the mailbox after message
// 2 of 6 was expunged (UIDs 101, 103, 104, 105, 106; UIDNEXT 107).
func TestSearchSets(t *testing.T) {
	src := newFakeSource()
	var msgs []MsgMeta
	for i := 0; i < 5; i++ {
		msgs = src.add(msgs, []byte("Subject: x\r\n\r\nbody\r\n"), time.Unix(0, 0))
	}
	for i, uid := range []uint32{101, 103, 104, 105, 106} {
		msgs[i].UID = uid
	}
	runSearchCases(t, src, msgs, SearchOptions{SavedSeqs: []uint32{4, 2}}, []searchCase{
		{"SEARCH all", "1 2 3 4 5"},
		{"SEARCH 1:3,5", "1 2 3 5"},
		{"SEARCH 4:2", "2 3 4"},
		{"SEARCH uid 101:103,105", "1 2 4"},
		{"SEARCH uid 104:102", "2 3"},
		{"SEARCH 1:3 not uid 103", "1 3"},
		{"SEARCH not 2,4", "1 3 5"},
		{"SEARCH or 1 uid 103", "1 2"},
		{"SEARCH *", "5"},
		{"SEARCH uid *", "5"},
		{"SEARCH uid 107:*", "5"},
		{"SEARCH *:3", "3 4 5"},
		{"SEARCH 1,4,*", "1 4 5"},
		{"SEARCH (3) uid 104", "3"},
		{"SEARCH (uid 104) 3", "3"},
		{"SEARCH 3 (uid 104)", "3"},
		{"SEARCH uid 1:4294967295", "1 2 3 4 5"},
		{"SEARCH uid 107:4294967295", ""},
		{"SEARCH $", "2 4"},
		{"SEARCH uid $", "2 4"},
		{"SEARCH not $", "1 3 5"},
	})
}

// OLDER/YOUNGER (RFC 5032), MODSEQ (RFC 7162 §3.1.5), internal dates and
// CHARSET.
func TestSearchWithinModSeqCharset(t *testing.T) {
	src := newFakeSource()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var msgs []MsgMeta
	for _, age := range []time.Duration{10 * time.Second, time.Hour, 48 * time.Hour} {
		msgs = src.add(msgs, []byte("Subject: =?iso-8859-1?q?caf=E9?=\r\n\r\nCAFÉ au lait\r\n"), now.Add(-age))
	}
	msgs[0].ModSeq, msgs[1].ModSeq, msgs[2].ModSeq = 5, 9, 12
	runSearchCases(t, src, msgs, SearchOptions{Now: now}, []searchCase{
		{"SEARCH younger 60", "1"},
		{"SEARCH younger 3600", "1 2"},
		{"SEARCH older 3600", "3"},
		{"SEARCH older 5", "1 2 3"},
		{"SEARCH modseq 9", "2 3"},
		{`SEARCH modseq "/flags/\\seen" all 12`, "3"},
		{"SEARCH on 23-nov-2026", "1 2"},
		{"SEARCH before 23-nov-2026", "3"},
		{"SEARCH since 22-nov-2026", "1 2"},
		{"SEARCH sentsince 21-nov-2026", "1 2 3"}, // no Date: the internal date,
		{`SEARCH CHARSET UTF-8 subject "CAFÉ"`, "1 2 3"},
		{`SEARCH CHARSET UTF-8 body "café"`, "1 2 3"},
		{"SEARCH CHARSET ISO-8859-1 body \"caf\xe9 au\"", "1 2 3"},
	})
	key, _ := searchKey(t, "SEARCH subject x")
	_, err := EvalSearch(context.Background(), key, msgs, src, SearchOptions{Charset: "X-NO-SUCH"})
	var bad *BadCharsetError
	if !errors.As(err, &bad) || bad.Charset != "X-NO-SUCH" {
		t.Errorf("err = %v, want BadCharsetError", err)
	}
}

// BODY decodes transfer encodings and charsets of text parts, searches
// attached messages' headers, and skips non-text parts.
func TestSearchMIMEDecoding(t *testing.T) {
	src := newFakeSource()
	wire := crlf("From: a@b.c\nSubject: mime\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nna=EFve soft=\nbreak\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nc2VjcmV0IHfDtnJk\n--b\nContent-Type: application/octet-stream\n\nbinaryword\n--b\nContent-Type: message/rfc822\n\nSubject: inner =?utf-8?q?h=C3=A9llo?=\n\ninner text\n--b--\n")
	msgs := src.add(nil, []byte(wire), time.Unix(0, 0))
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{`SEARCH CHARSET UTF-8 body "naïve softbreak"`, "1"},
		{`SEARCH CHARSET UTF-8 body "secret WÖRD"`, "1"},
		{"SEARCH body binaryword", ""},
		{`SEARCH CHARSET UTF-8 body "inner héllo"`, "1"},
		{"SEARCH body \"inner text\"", "1"},
		{"SEARCH body mime", ""},
		{"SEARCH text mime", "1"},
		{"SEARCH from a@b", "1"},
		{"SEARCH to a@b", ""},
	})
}

// Header keys read only the header: the body is never streamed.
func TestSearchHeaderReadsOnlyHeader(t *testing.T) {
	src := newFakeSource()
	body := strings.Repeat("x", 100000)
	msgs := src.add(nil, []byte("Subject: big\r\n\r\n"+body), time.Unix(0, 0))
	key, _ := searchKey(t, "SEARCH subject big")
	got, err := EvalSearch(context.Background(), key, msgs, src, SearchOptions{})
	if err != nil || !slices.Equal(got, []uint32{1}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if n := src.streamed.Load(); n > 100 {
		t.Errorf("streamed %d bytes for a header search", n)
	}
	if n := src.wireCalls.Load(); n != 0 {
		t.Errorf("Wire called %d times for a header search", n)
	}
}

func TestSearchErrors(t *testing.T) {
	msgs := []MsgMeta{{Seq: 1, UID: 1, RFCSize: 10}}
	for _, cmd := range []string{"SEARCH subject x", "SEARCH body x", "SEARCH senton 1-jan-2020"} {
		key, _ := searchKey(t, cmd)
		if _, err := EvalSearch(context.Background(), key, msgs, failingSource{}, SearchOptions{}); !errors.Is(err, errTestSource) {
			t.Errorf("%s: err = %v, want the source error", cmd, err)
		}
	}
	// keys decided by MsgMeta never touch the source
	key, _ := searchKey(t, "SEARCH or seen (all not deleted)")
	if got, err := EvalSearch(context.Background(), key, msgs, failingSource{}, SearchOptions{}); err != nil || !slices.Equal(got, []uint32{1}) {
		t.Errorf("meta-only search: %v, %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EvalSearch(ctx, key, msgs, failingSource{}, SearchOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// A message above DefaultMaxInMemory is searched part by part: text parts
// are streamed out one at a time, the attachment is skipped, the whole
// message is never loaded.
func TestSearchLargeMessageByParts(t *testing.T) {
	src := newFakeSource()
	src.chunk = 64 << 10
	att := strings.Repeat("QUFBQUFBQUFBQUFB\r\n", (2<<20)/18)
	wire := crlf("Subject: big\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst part\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n") +
		att + crlf("--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nsecond =C3=A9t=C3=A9 part\n--b--\n")
	msgs := src.add(nil, []byte(wire), time.Unix(0, 0))
	runSearchCases(t, src, msgs, SearchOptions{}, []searchCase{
		{`SEARCH CHARSET UTF-8 body "ÉTÉ PART"`, "1"},
		{`SEARCH text "first part"`, "1"},
		{"SEARCH body AAAA", ""},
		{"SEARCH text subject", "1"},
	})
	if n := src.wireCalls.Load(); n != 0 {
		t.Errorf("Wire called %d times for a %d-byte message", n, len(wire))
	}
}
