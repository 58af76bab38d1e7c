package imap4

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

// streamSource is a fakeSource that never loads a message whole: Wire
// fails the test, and Structure and Envelope take the streamed paths the
// session's source uses for big messages (scanStructure, bigEnvelope).
type streamSource struct {
	*fakeSource
	t testing.TB
}

func (s streamSource) Wire(ctx context.Context, m *MsgMeta) ([]byte, error) {
	s.t.Errorf("Wire called for uid %d", m.UID)
	return s.fakeSource.Wire(ctx, m)
}

func (s streamSource) Structure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	return scanStructure(ctx, s.fakeSource, m)
}

func (s streamSource) Envelope(ctx context.Context, m *MsgMeta) (string, error) {
	return bigEnvelope(ctx, s.fakeSource, m)
}

// streamedFetchCmds are the FETCH forms that need the MIME structure or
// the decoded content (RFC 3501 §6.4.5, RFC 3516 §4.2).
var streamedFetchCmds = []string{
	"FETCH 1 (BODYSTRUCTURE BODY ENVELOPE RFC822.SIZE)",
	"FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] BODY.PEEK[3.MIME])",
	"FETCH 1 (BODY.PEEK[2] BODY.PEEK[2]<5.30> BODY.PEEK[1]<0.1> BODY.PEEK[3]<100000.10>)",
	"FETCH 1 (BODY.PEEK[TEXT] BODY.PEEK[TEXT]<7.20> BODY.PEEK[HEADER])",
	"FETCH 1 (BODY.PEEK[1.1] BODY.PEEK[2.1.MIME] BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT] BODY.PEEK[3.1])",
	"FETCH 1 (BODY.PEEK[3.HEADER.FIELDS (Subject From)] BODY.PEEK[1.HEADER.FIELDS.NOT (Subject)])",
	"FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3] BINARY.SIZE[4])",
	"FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[2]<3.40> BINARY.PEEK[4]<0.10>)",
	"FETCH 1 (RFC822.TEXT RFC822.HEADER)",
}

// compareStreamed renders each command from memory and through the
// streamed paths with MaxInMemory max: the same bytes, or the same error.
func compareStreamed(t *testing.T, what string, src *fakeSource, m MsgMeta, max int64) {
	t.Helper()
	ss := streamSource{fakeSource: src, t: t}
	for _, cmd := range streamedFetchCmds {
		items := fetchItems(t, cmd)
		want, _, werr := renderFetch(t, src, m, items, FetchOptions{})
		got, _, gerr := renderFetch(t, ss, m, items, FetchOptions{MaxInMemory: max})
		var wcte, gcte *UnknownCTEError
		switch {
		case werr != nil || gerr != nil:
			if !errors.As(werr, &wcte) || !errors.As(gerr, &gcte) || *wcte != *gcte {
				t.Errorf("%s %s: in memory %v, streamed %v", what, cmd, werr, gerr)
			}
		case got != want:
			t.Errorf("%s %s streamed:\n got %.300q\nwant %.300q", what, cmd, got, want)
		}
	}
}

// TestFetchStreamedStructure renders the structure-dependent FETCH forms
// of every imaptest message through the streamed structure, envelope and
// section paths: byte for byte what the in-memory path gives, without
// Wire.
func TestFetchStreamedStructure(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "..", "shared", "imaptest", "tests", "*.mbox"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no imaptest mailboxes: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".mbox")
		src, msgs := loadMbox(t, name)
		for i, m := range msgs {
			compareStreamed(t, name+" #"+strconv.Itoa(i+1), src, m, 1)
		}
	}
}

// TestFetchStreamedBigMultipart does the same for a message with several
// big parts (text, base64 attachment) above MaxInMemory.
func TestFetchStreamedBigMultipart(t *testing.T) {
	src := newFakeSource()
	src.chunk = 4096
	msgs := src.add(nil, testutil.BigMultipart(300<<10, 500<<10), time.Unix(0, 0))
	compareStreamed(t, "big multipart", src, msgs[0], 64<<10)
	before := src.streamed.Load()
	if _, _, err := renderFetch(t, streamSource{src, t}, msgs[0], fetchItems(t, "FETCH 1 BINARY.SIZE[2]"), FetchOptions{MaxInMemory: 64 << 10}); err != nil {
		t.Fatal(err)
	}
	// one pass for the structure, one over the part for its decoded size
	if n := src.streamed.Load() - before; n > 2*msgs[0].RFCSize {
		t.Errorf("BINARY.SIZE[2] streamed %d bytes of a %d byte message", n, msgs[0].RFCSize)
	}
}

// The ENVELOPE of a big message is rendered from its streamed header
// section alone: the same as from the parsed message. (The session's
// source is tested at the wire, cmd/dbmail-imapd.)
func TestBigEnvelopeMatchesParse(t *testing.T) {
	raw := testutil.BigMultipart(10<<10, 10<<10)
	src := newFakeSource()
	msgs := src.add(nil, raw, time.Unix(0, 0))
	got, err := bigEnvelope(context.Background(), src, &msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := message.Parse(raw, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := parsed.Envelope(); got != want {
		t.Fatalf("envelope %s, want %s", got, want)
	}
}
