package sieve

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir finds ../shared/corpus next to the repository root.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(c, "ham")); err != nil {
		t.Fatalf("mail corpus missing at %s: %v", c, err)
	}
	return c
}

// corpusEnv is an Env over a real message's header.
type corpusEnv struct {
	hdr  textproto.MIMEHeader
	size int64
	seen map[string]bool
}

func loadCorpusEnv(t testing.TB, path string) *corpusEnv {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(raw, []byte("From ")) { // mbox separator line
		raw = raw[bytes.IndexByte(raw, '\n')+1:]
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && len(hdr) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return &corpusEnv{hdr: hdr, size: int64(len(raw)), seen: map[string]bool{}}
}

func (e *corpusEnv) RawHeaderValues(name string) []string {
	return e.hdr[textproto.CanonicalMIMEHeaderKey(name)]
}

func (e *corpusEnv) HeaderValues(name string) []string {
	var dec mime.WordDecoder
	var out []string
	for _, v := range e.RawHeaderValues(name) {
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
		out = append(out, v)
	}
	return out
}

func (e *corpusEnv) EnvelopeFrom() string {
	if rp := e.RawHeaderValues("return-path"); len(rp) > 0 {
		return strings.Trim(strings.TrimSpace(rp[0]), "<>")
	}
	return ""
}
func (e *corpusEnv) EnvelopeTo() string { return "zzzz@localhost" }
func (e *corpusEnv) Size() int64        { return e.size }
func (e *corpusEnv) Body(BodyTransform, []string) ([]string, error) {
	return nil, nil
}
func (e *corpusEnv) MailboxExists(string) bool { return false }
func (e *corpusEnv) Duplicate(id, handle string, _ int, _ bool) (bool, error) {
	return e.seen[handle+"\x00"+id], nil
}
func (e *corpusEnv) Include(name string, _ bool) ([]byte, error) { return nil, ErrScriptNotFound }
func (e *corpusEnv) Now() time.Time                              { return time.Date(2002, 9, 1, 0, 0, 0, 0, time.UTC) }

// TestCorpusAddresses checks the address parser against net/mail on the
// From, To and Cc fields of the real-mail corpus: wherever net/mail can
// parse a field, both must find the same addr-specs.
func TestCorpusAddresses(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s: %v", dir, err)
	}
	compared := 0
	for _, f := range files {
		env := loadCorpusEnv(t, f)
		for _, h := range []string{"from", "to", "cc"} {
			for _, v := range env.RawHeaderValues(h) {
				list, err := mail.ParseAddressList(v)
				if err != nil {
					continue
				}
				var want, got []string
				for _, a := range list {
					want = append(want, a.Address)
				}
				for _, a := range parseAddressList(v) {
					got = append(got, a.all())
				}
				compared++
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s %s: %q\n got  %q\n want %q", filepath.Base(f), h, v, got, want)
				}
			}
		}
	}
	if compared < 1000 {
		t.Errorf("only %d address fields compared", compared)
	}
}

// TestCorpusRun runs a script using most tests over the whole corpus and
// checks it never fails at run time.
func TestCorpusRun(t *testing.T) {
	t.Parallel()
	s, err := Parse("corpus", []byte(corpusScript), Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(corpusDir(t), "*", "*.eml"))
	kept, filed := 0, 0
	for _, f := range files {
		r, err := s.Run(context.Background(), loadCorpusEnv(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) > 0 {
			t.Errorf("%s: %v", filepath.Base(f), r.Errors)
		}
		if r.ImplicitKeep {
			kept++
		} else {
			filed++
		}
	}
	if kept == 0 || filed == 0 {
		t.Errorf("script did not discriminate: kept %d filed %d", kept, filed)
	}
}

const corpusScript = `require ["fileinto", "variables", "imap4flags", "relational", "comparator-i;ascii-numeric",
  "envelope", "subaddress", "regex", "date", "index", "duplicate", "vacation"];
if duplicate { addflag "\\Seen"; }
if header :matches "List-Id" "*<*>*" { fileinto "lists.${2}"; stop; }
if address :domain :regex "from" "(^|\\.)spamassassin\\.taint\\.org$" { fileinto "sa"; stop; }
if header :count "gt" :comparator "i;ascii-numeric" "received" "8" { fileinto "far"; stop; }
if date :value "lt" :zone "+0000" "date" "date" "2002-08-01" { fileinto "old"; stop; }
if anyof(envelope :localpart :contains "from" "-admin", address :detail "to" "x") { fileinto "admin"; stop; }
if header :contains "subject" "$$$" { vacation "away"; }
`

func BenchmarkRunCorpus(b *testing.B) {
	s, err := Parse("corpus", []byte(corpusScript), Options{})
	if err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(corpusDir(b), "ham", "*.eml"))
	envs := make([]*corpusEnv, 0, 200)
	for _, f := range files[:min(200, len(files))] {
		envs = append(envs, loadCorpusEnv(b, f))
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.Run(ctx, envs[i%len(envs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
