package imap4

import "testing"

func benchmarkParse(b *testing.B, input string) {
	p := NewParser(Limits{})
	in := []byte(input)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		n, ev, err := p.Feed(in)
		if err != nil || ev != EventCommand || n != len(in) {
			b.Fatalf("Feed = %d %v %v", n, ev, err)
		}
		if _, err := p.Command(); err != nil {
			b.Fatal(err)
		}
		p.CommandDone()
	}
}

func BenchmarkParseFetch(b *testing.B) {
	benchmarkParse(b, "a12 FETCH 1:100 (FLAGS UID)\r\n")
}

func BenchmarkParseUIDFetchManyItems(b *testing.B) {
	benchmarkParse(b, "a13 UID FETCH 1:*,300:500,700 (UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE MODSEQ BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID REFERENCES IN-REPLY-TO CONTENT-TYPE X-PRIORITY)] BODY.PEEK[1.2.MIME] BINARY.PEEK[1]<0.2048>) (CHANGEDSINCE 12345 VANISHED)\r\n")
}

func BenchmarkParseSearch(b *testing.B) {
	benchmarkParse(b, "a14 UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 OR (FROM \"alice@example.com\" SINCE 1-Feb-2024) NOT (SEEN DELETED) SUBJECT {6+}\r\nreport LARGER 1024 UID 1:5000\r\n")
}

func BenchmarkParseAppendHeader(b *testing.B) {
	// The line up to the message literal: the per-APPEND parsing cost.
	p := NewParser(Limits{})
	in := []byte("a15 APPEND \"INBOX/Sent Items\" (\\Seen $Forwarded) \"17-Jul-1996 02:44:25 -0700\" {1024}\r\n")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		n, ev, err := p.Feed(in)
		if err != nil || ev != EventLiteral || n != len(in) {
			b.Fatalf("Feed = %d %v %v", n, ev, err)
		}
		if err := p.RejectLiteral(); err != nil {
			b.Fatal(err)
		}
	}
}
