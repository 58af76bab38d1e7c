package message

import (
	"bytes"
	"os"
	"testing"
)

// TestCorpusRoundTrip parses every corpus message and rebuilds it through
// the streaming Rebuilder in both forms.
func TestCorpusRoundTrip(t *testing.T) {
	t.Parallel()
	files := corpusFiles(t)
	structured, flat := 0, 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		m, err := Parse(raw, Options{})
		if err != nil {
			t.Fatalf("%s: Parse: %v", f, err)
		}
		want := raw
		if bytes.HasPrefix(raw, []byte("From ")) {
			_, want = cutLine(raw)
			if m.FromLineDate.IsZero() {
				t.Errorf("%s: From line date not parsed: %q", f, firstLine(raw))
			}
		}
		t.Run(f, func(t *testing.T) { checkRoundTrip(t, m, want) })
		if m.Structured {
			structured++
		} else {
			flat++
		}
	}
	t.Logf("%d messages: %d structured, %d flat", len(files), structured, flat)
}

func firstLine(b []byte) []byte {
	l, _ := cutLine(b)
	return l
}
