package message

import (
	"os"
	"testing"
)

// TestCorpusStructure parses the wire form of every corpus message and
// checks that every node's ranges nest inside its parent's and that the
// rendered BODYSTRUCTURE is one balanced list.
func TestCorpusStructure(t *testing.T) {
	t.Parallel()
	forEachCorpusWire(t, func(f string, wire []byte) {
		root := ParseStructure(wire)
		if root.Start != 0 || root.End != int64(len(wire)) {
			t.Fatalf("%s: root spans %d..%d of %d", f, root.Start, root.End, len(wire))
		}
		checkNode(t, f, root, 0, int64(len(wire)))
		for _, ext := range []bool{false, true} {
			if bs := root.BodyStructure(ext); !balanced(bs) {
				t.Fatalf("%s: unbalanced BODYSTRUCTURE %s", f, bs)
			}
		}
	})
}

// forEachCorpusWire calls f with every corpus file's name and its CRLF
// wire form as the message package stores and rebuilds it.
func forEachCorpusWire(t *testing.T, f func(name string, wire []byte)) {
	t.Helper()
	for _, name := range corpusFiles(t) {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wire, _ := rebuild(t, m.Parts, FormCRLF)
		f(name, wire)
	}
}

func checkNode(t *testing.T, f string, n *Node, lo, hi int64) {
	t.Helper()
	if n.Start < lo || n.Start > n.BodyStart || n.BodyStart > n.End || n.End > hi {
		t.Fatalf("%s: node %s/%s spans %d/%d/%d outside %d..%d", f, n.Type, n.Subtype, n.Start, n.BodyStart, n.End, lo, hi)
	}
	for _, c := range n.Parts {
		checkNode(t, f, c, n.BodyStart, n.End)
	}
	if n.Message != nil {
		checkNode(t, f, n.Message, n.BodyStart, n.End)
	}
}

// balanced reports whether parentheses outside quoted strings and literals
// balance and the text is one list.
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '{':
			n := 0
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				n = n*10 + int(s[j]-'0')
				j++
			}
			i = j + 2 + n // "}\r\n" then n bytes, minus the loop's i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
		if depth < 0 {
			return false
		}
	}
	return depth == 0 && len(s) > 0 && s[0] == '('
}

// BenchmarkParseStructure parses the wire form of the whole corpus per
// iteration.
func BenchmarkParseStructure(b *testing.B) {
	var wires [][]byte
	var total int64
	for _, f := range corpusFiles(b) {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		m, err := Parse(raw, Options{})
		if err != nil {
			b.Fatal(err)
		}
		w, _ := rebuild(b, m.Parts, FormCRLF)
		wires = append(wires, w)
		total += int64(len(w))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range wires {
			_ = ParseStructure(w).BodyStructure(true)
		}
	}
}
