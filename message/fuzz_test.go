package message

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// expectedOriginal is the original form of raw (spec 2.2 step 1).
func expectedOriginal(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) || bytes.HasPrefix(raw, []byte(" ")) {
		_, rest := cutLine(raw)
		return rest
	}
	return raw
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(nestedExample))
	f.Add([]byte(strings.ReplaceAll(nestedExample, "\n", "\r\n")))
	f.Add([]byte(specHeaderExample))
	f.Add([]byte("From a@b  Thu Aug 22 12:36:23 2002\nSubject: x\n\nbody\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\nhi\n--zz\nContent-Type: message/rfc822\n\nA: b\n\nc\n--zz--\n"))
	f.Add([]byte("Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: a\n\nb\n--d--\n"))
	f.Add([]byte(deepNest(3)))
	f.Add([]byte("Subject: mixed\r\n\nx\r\n"))
	f.Add([]byte(""))
	f.Add([]byte("no header"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, Options{MaxDepth: 8})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		checkRoundTrip(t, m, expectedOriginal(raw))
		_ = m.HeaderCache(time.Unix(0, 0))
		_ = m.Envelope()
		_ = m.References()
	})
}

// rowsFromBytes decodes fuzz input into rows: a flag byte (bit 0 header,
// the rest a depth up to 69), a length byte, then that many data bytes.
func rowsFromBytes(b []byte) []Row {
	var rows []Row
	for len(b) >= 2 {
		flag, n := b[0], int(b[1])
		b = b[2:]
		n = min(n, len(b))
		rows = append(rows, Row{IsHeader: flag&1 == 1, Depth: int(flag>>1) % 70, Data: b[:n]})
		b = b[n:]
	}
	return rows
}

func rowsToBytes(parts []Part) []byte {
	var b []byte
	for _, p := range parts {
		flag := byte(p.Depth << 1)
		if p.IsHeader {
			flag |= 1
		}
		d := p.Data
		if len(d) > 255 {
			d = d[:255]
		}
		b = append(b, flag, byte(len(d)))
		b = append(b, d...)
	}
	return b
}

func FuzzRebuilder(f *testing.F) {
	f.Add(rowsToBytes(nestedExampleRows))
	f.Add([]byte{1, 3, 'a', ':', 'b', 0x82, 0, 2, 4, 'x'})
	f.Add(rowsToBytes([]Part{{IsHeader: true, Data: []byte("Content-Type: multipart/x; boundary=q\n")}, {Depth: 65, Data: []byte("deep")}, {Depth: 1, IsHeader: true}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows := rowsFromBytes(b)
		for _, form := range []Form{FormStored, FormCRLF} {
			var buf bytes.Buffer
			r := NewRebuilder(&buf, form)
			for _, row := range rows {
				if err := r.Row(row); err != nil {
					t.Fatalf("Row: %v", err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if r.Written() != int64(buf.Len()) {
				t.Fatalf("Written %d, output %d bytes", r.Written(), buf.Len())
			}
			if form == FormCRLF && countBareLF(buf.Bytes()) != 0 {
				t.Fatalf("bare LF in FormCRLF output %q", buf.Bytes())
			}
		}
	})
}

func FuzzHeaderText(f *testing.F) {
	f.Add("=?UTF-8?B?w6nDqA==?= \"Sender, Joe\" <sender@example.org>, g: a@b;", "iso-8859-1")
	f.Add("Tue, 03 Mar 2026 10:11:12 +0100 (CET)", "")
	f.Add("Re: [list] [Fwd: x (fwd)]", "")
	f.Fuzz(func(t *testing.T, s, charset string) {
		d := DecodeHeader(s, charset)
		if !utf8Valid(d) {
			t.Fatalf("DecodeHeader(%q) not UTF-8: %q", s, d)
		}
		list := ParseAddressList(s)
		_ = formatAddressList(list)
		_, _ = ParseDate(s)
		if b := BaseSubject(d); !utf8Valid(b) {
			t.Fatalf("BaseSubject(%q) not UTF-8: %q", d, b)
		}
		_ = parseMediaType(s)
		_ = encodeDisposition(s)
		_ = parseMsgIDs(s)
		_ = IMAPString(s)
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// BenchmarkParse parses the whole corpus per iteration; b.SetBytes makes
// the result read in MB/s.
func BenchmarkParse(b *testing.B) {
	var msgs [][]byte
	var total int64
	for _, f := range corpusFiles(b) {
		raw, err := readFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		total += int64(len(raw))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range msgs {
			if _, err := Parse(raw, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRebuild rebuilds the whole corpus in the wire form per
// iteration.
func BenchmarkRebuild(b *testing.B) {
	var msgs []*Message
	var total int64
	for _, f := range corpusFiles(b) {
		raw, err := readFile(f)
		if err != nil {
			b.Fatal(err)
		}
		m, err := Parse(raw, Options{})
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, m)
		total += m.RFCSize
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			r := NewRebuilder(io.Discard, FormCRLF)
			for _, p := range m.Parts {
				if err := r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data}); err != nil {
					b.Fatal(err)
				}
			}
			if err := r.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
