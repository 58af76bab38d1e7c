package message

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// corpusFiles returns the paths of the shared test corpus
// (../shared/corpus/{ham,spam}/*.eml relative to the repository root).
func corpusFiles(tb testing.TB) []string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("go.mod not found above the test directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	var files []string
	for _, sub := range []string{"ham", "spam"} {
		m, err := filepath.Glob(filepath.Join(corpus, sub, "*.eml"))
		if err != nil {
			tb.Fatalf("glob corpus: %v", err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		tb.Fatalf("test corpus missing: no *.eml under %s/{ham,spam}", corpus)
	}
	return files
}

// rebuild feeds parts to a Rebuilder one Row at a time.
func rebuild(tb testing.TB, parts []Part, form Form) ([]byte, int64) {
	tb.Helper()
	var buf bytes.Buffer
	r := NewRebuilder(&buf, form)
	for _, p := range parts {
		if err := r.Row(Row{IsHeader: p.IsHeader, Depth: p.Depth, Data: p.Data}); err != nil {
			tb.Fatalf("Row: %v", err)
		}
	}
	if err := r.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
	return buf.Bytes(), r.Written()
}

// original rebuilds the original bytes with the package's documented rule.
func original(tb testing.TB, m *Message) []byte {
	tb.Helper()
	form := FormStored
	if m.MessageSize == m.RFCSize {
		form = FormCRLF
	}
	out, _ := rebuild(tb, m.Parts, form)
	return out
}

// checkRoundTrip asserts every size and form invariant for one input whose
// original form (after From-line removal) is want.
func checkRoundTrip(tb testing.TB, m *Message, want []byte) {
	tb.Helper()
	if m.MessageSize != int64(len(want)) {
		tb.Fatalf("MessageSize = %d, want %d", m.MessageSize, len(want))
	}
	if got := original(tb, m); !bytes.Equal(got, want) {
		tb.Fatalf("original not recovered (structured=%v):\n got %q\nwant %q", m.Structured, clip(got), clip(want))
	}
	stored, n := rebuild(tb, m.Parts, FormStored)
	if int64(len(stored)) != m.StoredSize || n != m.StoredSize {
		tb.Fatalf("StoredSize = %d, FormStored gave %d bytes (Written %d)", m.StoredSize, len(stored), n)
	}
	wire, n := rebuild(tb, m.Parts, FormCRLF)
	if int64(len(wire)) != m.RFCSize || n != m.RFCSize {
		tb.Fatalf("RFCSize = %d, FormCRLF gave %d bytes (Written %d)", m.RFCSize, len(wire), n)
	}
}

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }

func clip(b []byte) []byte {
	if len(b) > 400 {
		return b[:400]
	}
	return b
}
