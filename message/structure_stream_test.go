package message

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// scanStreamed writes wire to a StructureScanner in pieces cut at the
// given positions.
func scanStreamed(wire []byte, cuts []int) *Node {
	s := NewStructureScanner()
	prev := 0
	for _, c := range cuts {
		if c < prev || c > len(wire) {
			continue
		}
		if _, err := s.Write(wire[prev:c]); err != nil {
			panic(err)
		}
		prev = c
	}
	if _, err := s.Write(wire[prev:]); err != nil {
		panic(err)
	}
	return s.Finish()
}

// sameTree compares two trees field by field, envelopes included.
func sameTree(t *testing.T, what string, got, want *Node) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: streamed structure differs\n got %s\nwant %s\n got %+v\nwant %+v", what, got.BodyStructure(true), want.BodyStructure(true), dumpNode(got), dumpNode(want))
	}
}

func dumpNode(n *Node) string {
	if n == nil {
		return "nil"
	}
	var b strings.Builder
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		b.WriteString(strings.Repeat(" ", depth))
		b.WriteString(n.Type + "/" + n.Subtype + " " + itoa64(n.Start) + "/" + itoa64(n.BodyStart) + "/" + itoa64(n.End) + " lines " + itoa64(n.Lines) + "\n")
		for _, p := range n.Parts {
			walk(p, depth+1)
		}
		if n.Message != nil {
			walk(n.Message, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// TestStructureScannerCorpus streams the wire form of every corpus message
// in one piece, in 1-byte pieces for the small ones, and in random pieces:
// the tree must be ParseStructure's.
func TestStructureScannerCorpus(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	forEachCorpusWire(t, func(f string, wire []byte) {
		want := ParseStructure(wire)
		sameTree(t, f+" whole", scanStreamed(wire, nil), want)
		var cuts []int
		for c := 0; c < len(wire); c += 1 + rng.IntN(4096) {
			cuts = append(cuts, c)
		}
		sameTree(t, f+" random pieces", scanStreamed(wire, cuts), want)
		if len(wire) < 16<<10 {
			cuts = cuts[:0]
			for c := range len(wire) {
				cuts = append(cuts, c)
			}
			sameTree(t, f+" 1-byte pieces", scanStreamed(wire, cuts), want)
		}
	})
}

// TestStructureScannerEdges covers what a stream learns late: entities
// that a delimiter ends on a cut line break, empty parts, lone CRs,
// delimiters that only exist when their line break is cut.
func TestStructureScannerEdges(t *testing.T) {
	cases := []string{
		"",
		"\r",
		"\r\n",
		"Subject: x",
		"Subject: x\r\n",
		"Subject: x\r\n\r",
		"Subject: x\r\n\r\n",
		"Subject: x\r\n\r\nbody",
		" cont\r\n\r\nbody",
		"no field\r\nX: y\r\n\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n--b--",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nX: y\r\n--b\r\nX: y\r\n\r\n--b\r\nX: y\r\n\r\r\n--b--\r\nepi",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\none\r\n--c\r\n--b\r\n\r\ntwo\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\none\r\n--c  \r\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\none\r\n--c--\r\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n--b\r\n\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n--b--",
		"Content-Type: multipart/digest; boundary=d\r\n\r\n--d \r\n\r\nFrom: a\r\n\r\nb\r\n--d--\r\n",
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nX: y\n\nz\n--b--\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n--d\r\n\r\nx\r\n--d\r\r\n--c\r\r\n--b\r\n\r\ny\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n" + strings.Repeat("x", 5000) + "\r\n--b" + strings.Repeat(" ", 5000) + "\r\n\r\ny\r\n--b--" + strings.Repeat("\t", 3000) + "\r\r\n",
	}
	for _, c := range cases {
		wire := []byte(c)
		want := ParseStructure(wire)
		sameTree(t, strings.ReplaceAll(c, "\r", `\r`)+" whole", scanStreamed(wire, nil), want)
		var cuts []int
		for i := range len(wire) {
			cuts = append(cuts, i)
		}
		sameTree(t, strings.ReplaceAll(c, "\r", `\r`)+" bytewise", scanStreamed(wire, cuts), want)
	}
}

// FuzzStructureScanner compares the streamed tree with ParseStructure's on
// arbitrary input written in pieces the fuzzer chooses.
func FuzzStructureScanner(f *testing.F) {
	f.Add([]byte(strings.ReplaceAll(nestedExample, "\n", "\r\n")), uint64(7))
	f.Add([]byte("Content-Type: multipart/digest; boundary=d\r\n\r\n--d \r\n\r\nFrom: a\r\n\r\nb\r\n--d--\r\n"), uint64(3))
	f.Add([]byte("Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\ny"), uint64(1))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\none\r\n--c  \r\r\n--b--\r\n"), uint64(11))
	f.Fuzz(func(t *testing.T, wire []byte, seed uint64) {
		want := ParseStructure(wire)
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		var cuts []int
		for c := 0; c < len(wire); c += rng.IntN(8) {
			cuts = append(cuts, c)
		}
		sameTree(t, "fuzz", scanStreamed(wire, cuts), want)
	})
}

// TestStructureScannerRandom compares the two parsers on generated
// messages made of the lines that matter to them: Content-Type fields of
// nested multiparts and messages, delimiters with padding, CRs and no
// line breaks, blank and broken header lines.
func TestStructureScannerRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{
		"Content-Type: multipart/mixed; boundary=a", "Content-Type: multipart/digest; boundary=ab",
		"Content-Type: multipart/alternative; boundary=b", "Content-Type: message/rfc822",
		"Content-Type: text/plain", "Subject: s", " folded", "broken", "",
		"--a", "--a--", "--ab", "--ab--", "--b", "--b--", "--a ", "--b\t", "--a\r", "--b\r", "--ab\r",
		"--a--\r", "--b \r", "--a-", "x", "\r", "--", "=?x?=",
	}
	breaks := []string{"\r\n", "\r\n", "\r\n", "\n", "\r\r\n", ""}
	for i := range 30000 {
		var b strings.Builder
		for range 1 + rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			b.WriteString(breaks[rng.IntN(len(breaks))])
		}
		wire := []byte(b.String())
		want := ParseStructure(wire)
		var cuts []int
		for c := 0; c < len(wire); c += rng.IntN(6) {
			cuts = append(cuts, c)
		}
		sameTree(t, "random "+itoa64(int64(i))+" "+strings.ReplaceAll(b.String(), "\r", `\r`), scanStreamed(wire, cuts), want)
	}
}

func TestStructureScannerFinished(t *testing.T) {
	s := NewStructureScanner()
	if _, err := s.Write([]byte("Subject: x\r\n\r\nbody")); err != nil {
		t.Fatal(err)
	}
	n := s.Finish()
	if n.BodyStart != 14 || n.End != 18 || n.Lines != 1 {
		t.Fatalf("node %d/%d/%d lines %d", n.Start, n.BodyStart, n.End, n.Lines)
	}
	if _, err := s.Write([]byte("more")); err == nil {
		t.Fatal("Write after Finish succeeded")
	}
	if s.Finish() != n {
		t.Fatal("second Finish returned another tree")
	}
}

// TestNodeCodecCorpus round-trips every corpus tree through EncodeNode and
// DecodeNode.
func TestNodeCodecCorpus(t *testing.T) {
	t.Parallel()
	forEachCorpusWire(t, func(f string, wire []byte) {
		want := ParseStructure(wire)
		got, err := DecodeNode(EncodeNode(want))
		if err != nil {
			t.Fatal(err)
		}
		sameTree(t, f+" codec", got, want)
	})
	if _, err := DecodeNode([]byte("{")); err == nil {
		t.Fatal("DecodeNode accepted broken input")
	}
}

// bigWire is a 25 MB multipart message: a text part and a base64 part.
func bigWire() []byte {
	var b strings.Builder
	b.WriteString("Subject: big\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n")
	for b.Len() < 5<<20 {
		b.WriteString("a line of the text part, as long as usual mail lines are.\r\n")
	}
	b.WriteString("--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for b.Len() < 25<<20 {
		b.WriteString("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n")
	}
	b.WriteString("--b1--\r\n")
	return []byte(b.String())
}

// BenchmarkStructureScanner25MB streams a 25 MB message in 256 KiB
// pieces (the size db.WriteMessage reads big rows in); B/op is what the
// scan allocates, the message itself excluded.
func BenchmarkStructureScanner25MB(b *testing.B) {
	wire := bigWire()
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewStructureScanner()
		for p := wire; len(p) > 0; {
			k := min(len(p), 256<<10)
			_, _ = s.Write(p[:k])
			p = p[k:]
		}
		_ = s.Finish()
	}
}

// BenchmarkParseStructure25MB is the in-memory parser on the same message
// (which must be held whole).
func BenchmarkParseStructure25MB(b *testing.B) {
	wire := bigWire()
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		_ = ParseStructure(wire)
	}
}
