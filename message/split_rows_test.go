package message

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"testing"
)

// dbmailRebuild is a literal transcription of DBMail's reader (spec 2.5,
// `_mime_retrieve`) with none of the Rebuilder's repairs: rows are sorted
// as its SQL sorts them (part_key, part_order, part_depth DESC), only
// "Content-type: " with exactly one space is found, boundaries are cut to
// 127 bytes and each row's data stops at its first NUL (spec 2.4). Tests
// use it to show that rows we write read the same with DBMail after a
// switch back.
func dbmailRebuild(parts []Part) []byte {
	rows := append([]Part(nil), parts...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Depth > b.Depth
	})
	var out bytes.Buffer
	var bounds [maxStoredDepth + 1]string
	current := ""
	depth, isHeader, gotBoundary, isMessage := 0, true, false, false
	for _, row := range rows {
		prevDepth, prevHeader := depth, isHeader
		depth = row.Depth
		if depth > maxStoredDepth {
			continue
		}
		isHeader = row.IsHeader
		var prevBoundary, prevIsMessage bool
		var ct contentTypeInfo
		if isHeader {
			prevBoundary, prevIsMessage = gotBoundary, isMessage
			ct = detectContentType(row.Data)
			ct.Found = ct.Found && ct.Strict // step 2: exact "Content-type: "
			if ct.Found {
				isMessage = ct.Media.is("message", "rfc822")
			}
		}
		gotBoundary = false
		if isHeader && ct.Found {
			if b := ct.Media.Params["boundary"]; b != "" {
				gotBoundary = true
				bounds[depth] = b[:min(len(b), maxStrictBoundary)]
			}
		}
		for prevDepth > 0 && prevDepth-1 >= depth && bounds[prevDepth-1] != "" {
			out.WriteString("\n--" + bounds[prevDepth-1] + "--\n")
			bounds[prevDepth-1] = ""
			prevDepth--
		}
		if depth > 0 && bounds[depth-1] != "" {
			current = bounds[depth-1]
		}
		if isHeader {
			if prevHeader && depth > 0 && !prevIsMessage {
				out.WriteString("--" + current + "\n")
			} else if !prevHeader || prevBoundary {
				out.WriteString("\n--" + current + "\n")
			}
		}
		data := row.Data
		if i := bytes.IndexByte(data, 0); i >= 0 {
			data = data[:i]
		}
		out.Write(data)
		if isHeader {
			out.WriteByte('\n')
		}
	}
	if len(rows) > 2 && bounds[0] != "" {
		out.WriteString("\n--" + bounds[0] + "--\n")
	}
	return out.Bytes()
}

// mergeBodyRows joins consecutive body rows with the same key and depth:
// the layout as it was before bodies were cut into rows.
func mergeBodyRows(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if n := len(out); n > 0 && !p.IsHeader && !out[n-1].IsHeader && out[n-1].Key == p.Key && out[n-1].Depth == p.Depth && p.Order == out[n-1].Order+1 {
			out[n-1].Data = append(append([]byte(nil), out[n-1].Data...), p.Data...)
			out[n-1].Order = p.Order // next row continues from here
			continue
		}
		out = append(out, p)
	}
	return out
}

// checkRows asserts the row invariants of a layout: no body row is longer
// than maxRow, (key, depth, order) is unique, and the SQL read order
// (part_key, part_order, part_depth DESC) is the insertion order.
func checkRows(t *testing.T, parts []Part, maxRow int) {
	t.Helper()
	seen := map[[3]int]bool{}
	for i, p := range parts {
		if !p.IsHeader && len(p.Data) > maxRow {
			t.Fatalf("row %d (%d,%d,%d): %d bytes > %d", i, p.Key, p.Depth, p.Order, len(p.Data), maxRow)
		}
		k := [3]int{p.Key, p.Depth, p.Order}
		if seen[k] {
			t.Fatalf("row %d: duplicate (key, depth, order) %v", i, k)
		}
		seen[k] = true
		if i > 0 {
			q := parts[i-1]
			if q.Key > p.Key || q.Key == p.Key && (q.Order > p.Order || q.Order == p.Order && q.Depth < p.Depth) {
				t.Fatalf("row %d %v sorts before row %d %v", i, k, i-1, [3]int{q.Key, q.Depth, q.Order})
			}
		}
	}
}

func TestCutRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		max  int
		want []string
	}{
		{"", 4, []string{""}},
		{"abcd", 4, []string{"abcd"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ab\ncdefg\nh", 4, []string{"ab\n", "cdef", "g\nh"}},
		{"abc\ndefgh\n", 5, []string{"abc\n", "defgh", "\n"}},
		{"a\nbcdefgh", 6, []string{"a\nbcde", "fgh"}}, // LF in the first half: hard cut
	} {
		got := cutRows([]byte(tc.text), tc.max)
		var s []string
		for _, r := range got {
			s = append(s, string(r))
		}
		if fmt.Sprintf("%q", s) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("cutRows(%q, %d) = %q, want %q", tc.text, tc.max, s, tc.want)
		}
	}
}

// TestCorpusCutRows stores every corpus message with tiny body rows: the
// rows keep the spec 2.3 invariants, read back byte for byte with both the
// Rebuilder and DBMail's literal algorithm, and merge back into exactly the
// rows written without cutting (same keys, depths, texts).
func TestCorpusCutRows(t *testing.T) {
	t.Parallel()
	const maxRow = 200
	cut := 0
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := Parse(raw, Options{MaxRowSize: 1 << 30})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		m, err := Parse(raw, Options{MaxRowSize: maxRow})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want := raw
		if bytes.HasPrefix(raw, []byte("From ")) {
			_, want = cutLine(raw)
		}
		checkRoundTrip(t, m, want)
		checkRows(t, m.Parts, maxRow)
		if m.Structured != whole.Structured {
			t.Fatalf("%s: structured %v with cut rows, %v without", f, m.Structured, whole.Structured)
		}
		if len(m.Parts) > len(whole.Parts) {
			cut++
		}
		merged := mergeBodyRows(m.Parts)
		if !m.Structured && !m.Parts[0].IsHeader && whole.Parts[0].IsHeader {
			// Flat with a boundary in the header: body rows only
			// (TestBigFlatRows); they hold the same text.
			merged = splitFlat(mergeBodyRows(m.Parts)[0].Data, 1<<30)
		}
		if len(merged) != len(whole.Parts) {
			t.Fatalf("%s: %d rows merge to %d, want %d", f, len(m.Parts), len(merged), len(whole.Parts))
		}
		for i := range merged {
			a, b := merged[i], whole.Parts[i]
			if a.Key != b.Key || a.Depth != b.Depth || a.IsHeader != b.IsHeader || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("%s: merged row %d is (%d,%d,%v) %q, want (%d,%d,%v) %q", f, i, a.Key, a.Depth, a.IsHeader, clip(a.Data), b.Key, b.Depth, b.IsHeader, clip(b.Data))
			}
		}
		stored, _ := rebuild(t, m.Parts, FormStored)
		if m.Structured && !bytes.Contains(stored, []byte{0}) {
			// DBMail's reader only finds "Content-type: " and cuts
			// boundaries; the structured layout is written only when
			// it would read the rows right (package doc), and so it
			// must with cut rows too.
			if got := dbmailRebuild(m.Parts); !bytes.Equal(got, stored) {
				t.Fatalf("%s: DBMail's algorithm reads the cut rows as\n%q\nwant\n%q", f, clip(got), clip(stored))
			}
		}
	}
	if cut == 0 {
		t.Fatal("no corpus message had a body longer than the row limit")
	}
}

// bigAttachment is a multipart/mixed message with a text part, a base64
// attachment of about size bytes, a nested multipart/alternative as the
// last part and an epilogue, in CRLF.
func bigAttachment(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: big@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\nprologue\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for line := 0; b.Len() < size; line++ {
		fmt.Fprintf(&b, "%076d\r\n", line)
	}
	b.WriteString("--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\n")
	for line := 0; line < 20000; line++ {
		fmt.Fprintf(&b, "alternative line %d\r\n", line)
	}
	b.WriteString("--b2--\r\n\r\n--b1--\r\nepilogue\r\n")
	return b.Bytes()
}

// TestBigBodyRows checks the rows of a message with a 3 MB attachment at
// the default row size: the attachment is consecutive body rows of at most
// DefaultMaxRowSize under one key, the epilogues continue the order
// counter after them, and the rows read back exactly with both readers.
func TestBigBodyRows(t *testing.T) {
	t.Parallel()
	raw := bigAttachment(3 << 20)
	m, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Structured {
		t.Fatal("stored flat")
	}
	checkRoundTrip(t, m, raw)
	checkRows(t, m.Parts, DefaultMaxRowSize)
	if got, want := dbmailRebuild(m.Parts), crlfToLF(raw); !bytes.Equal(got, want) {
		t.Fatalf("DBMail's algorithm reads %d bytes, want %d", len(got), len(want))
	}
	// key 3 is the attachment: header at order 0, body rows from 1 on.
	var body []Part
	for _, p := range m.Parts {
		if p.Key == 3 && !p.IsHeader {
			body = append(body, p)
		}
	}
	if len(body) < 6 {
		t.Fatalf("attachment in %d rows, want at least 6", len(body))
	}
	for i, p := range body {
		if p.Depth != 1 || p.Order != i+1 {
			t.Fatalf("attachment row %d at depth %d order %d", i, p.Depth, p.Order)
		}
		if i < len(body)-1 && (len(p.Data) < DefaultMaxRowSize/2 || p.Data[len(p.Data)-1] != '\n') {
			t.Fatalf("attachment row %d: %d bytes, not cut after a line", i, len(p.Data))
		}
	}
	// The nested leaf (key 5) is cut too; the empty alternative epilogue
	// and the top epilogue follow under key 5 with higher orders.
	last := m.Parts[len(m.Parts)-3:]
	if l := last[0]; l.Key != 5 || l.Depth != 2 || l.IsHeader {
		t.Fatalf("last leaf row %+v", l)
	}
	if e := last[1]; e.Key != 5 || e.Depth != 1 || e.Order != last[0].Order+2 || len(e.Data) != 0 {
		t.Fatalf("alternative epilogue (%d,%d,%d) %q", e.Key, e.Depth, e.Order, e.Data)
	}
	if e := last[2]; e.Key != 5 || e.Depth != 0 || e.Order != last[1].Order+2 || string(e.Data) != "epilogue\n" {
		t.Fatalf("top epilogue (%d,%d,%d) %q", e.Key, e.Depth, e.Order, e.Data)
	}
}

// TestBigFlatRows: a big message that cannot be stored structured (here an
// unclosed multipart, as a truncated delivery leaves it) has its body cut
// too. With a boundary in the header, header+body rows would make the
// reader add a closing delimiter once there are more than two rows, so it
// is stored as body rows only; without one it keeps its header row.
func TestBigFlatRows(t *testing.T) {
	t.Parallel()
	var body bytes.Buffer
	for line := 0; body.Len() < 2<<20; line++ {
		fmt.Fprintf(&body, "%076d\n", line)
	}
	for _, tc := range []struct {
		name, head string
		header     bool
	}{
		{"unclosed multipart", "Subject: cut\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n", false},
		{"bad header line", "Subject: odd\nthis is no header field\n\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := append([]byte(tc.head), body.Bytes()...)
			m, err := Parse(raw, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Structured {
				t.Fatal("stored structured")
			}
			checkRoundTrip(t, m, raw)
			checkRows(t, m.Parts, DefaultMaxRowSize)
			if m.Parts[0].IsHeader != tc.header {
				t.Fatalf("first row is header: %v, want %v", m.Parts[0].IsHeader, tc.header)
			}
			if len(m.Parts) < 4 {
				t.Fatalf("%d rows", len(m.Parts))
			}
			if got := dbmailRebuild(m.Parts); !bytes.Equal(got, raw) {
				t.Fatalf("DBMail's algorithm reads %d bytes, want %d", len(got), len(raw))
			}
		})
	}
}

// TestDBMailRebuildSpecExample pins dbmailRebuild itself to the verified
// example of spec 2.3/2.5.
func TestDBMailRebuildSpecExample(t *testing.T) {
	t.Parallel()
	if got := dbmailRebuild(nestedExampleRows); string(got) != nestedExample {
		t.Fatalf("got\n%q\nwant\n%q", got, nestedExample)
	}
}

// TestRebuilderAppend reads every body row of the big message in pieces
// (Row with the first, Append with the rest, as the streaming readers
// do) and expects the same output as whole rows.
func TestRebuilderAppend(t *testing.T) {
	t.Parallel()
	m, err := Parse(bigAttachment(1<<20), Options{MaxRowSize: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := rebuild(t, m.Parts, FormCRLF)
	var buf bytes.Buffer
	r := NewRebuilder(&buf, FormCRLF)
	for _, p := range m.Parts {
		data := p.Data
		if p.IsHeader || len(data) < 3 {
			if err := r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: data}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		n := len(data) / 3
		if err := r.Row(Row{Depth: p.Depth, Data: data[:n]}); err != nil {
			t.Fatal(err)
		}
		for data = data[n:]; len(data) > 0; data = data[min(len(data), 4097):] {
			if err := r.Append(data[:min(len(data), 4097)]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) || r.Written() != int64(len(want)) {
		t.Fatalf("pieces rebuild to %d bytes (Written %d), rows to %d", buf.Len(), r.Written(), len(want))
	}
	r = NewRebuilder(&buf, FormStored)
	if err := r.Append([]byte("x")); err == nil {
		t.Error("Append before any row accepted")
	}
	r = NewRebuilder(&buf, FormStored)
	_ = r.Row(Row{IsHeader: true, Data: []byte("Subject: x\n")})
	if err := r.Append([]byte("x")); err == nil {
		t.Error("Append after a header row accepted")
	}
}
