package imap4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// corpusFiles lists the real-mail corpus (../shared/corpus/{ham,spam}).
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus")
	var files []string
	for _, sub := range []string{"ham", "spam"} {
		f, err := filepath.Glob(filepath.Join(dir, sub, "*.eml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f...)
	}
	if len(files) == 0 {
		t.Fatalf("mail corpus missing: no *.eml under %s", dir)
	}
	sort.Strings(files)
	return files
}

// corpusWire reads a corpus file as its wire form: the mbox From line
// removed, every line ending in CRLF.
func corpusWire(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("From ")) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(data)/32)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out.Write(data)
			break
		}
		line := bytes.TrimSuffix(data[:i], []byte("\r"))
		out.Write(line)
		out.WriteString("\r\n")
		data = data[i+1:]
	}
	return out.Bytes(), nil
}

// diskSource reads every message from disk on each call, as a database
// source would, so that a search over it holds one message at a time.
type diskSource struct {
	paths map[int64]string
	reads atomic.Int64
}

func (s *diskSource) wire(m *MsgMeta) ([]byte, error) {
	s.reads.Add(1)
	return corpusWire(s.paths[m.PhysID])
}

func (s *diskSource) WriteWire(ctx context.Context, m *MsgMeta, w io.Writer) error {
	data, err := s.wire(m)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(4096, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func (s *diskSource) Wire(ctx context.Context, m *MsgMeta) ([]byte, error) { return s.wire(m) }

func (s *diskSource) Structure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	data, err := s.wire(m)
	if err != nil {
		return nil, err
	}
	return message.ParseStructure(data), nil
}

func (s *diskSource) Envelope(ctx context.Context, m *MsgMeta) (string, error) {
	data, err := s.wire(m)
	if err != nil {
		return "", err
	}
	msg, err := message.Parse(data, message.Options{})
	if err != nil {
		return "", err
	}
	return msg.Envelope(), nil
}

// corpusMailbox builds a mailbox view over the first n corpus messages
// (all when n <= 0); only the sizes are kept in memory.
func corpusMailbox(t testing.TB, n int) (*diskSource, []MsgMeta) {
	t.Helper()
	files := corpusFiles(t)
	if n > 0 && n < len(files) {
		files = files[:n]
	}
	src := &diskSource{paths: map[int64]string{}}
	msgs := make([]MsgMeta, 0, len(files))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, f := range files {
		w, err := corpusWire(f)
		if err != nil {
			t.Fatal(err)
		}
		id := int64(i + 1)
		src.paths[id] = f
		msgs = append(msgs, MsgMeta{Seq: uint32(i + 1), UID: uint32(i + 1), PhysID: id,
			InternalDate: base.Add(time.Duration(i) * time.Hour), RFCSize: int64(len(w))})
	}
	return src, msgs
}

// On real mail: BODY[HEADER] + BODY[TEXT] is BODY[]; a streamed FETCH is
// byte-identical to an in-memory one; every message is found by a word
// of its own subject and a SORT is a permutation.
func TestCorpusFetchSearchSort(t *testing.T) {
	src, msgs := corpusMailbox(t, 200)
	whole := fetchItems(t, "FETCH 1 (BODY.PEEK[])")
	parts := fetchItems(t, "FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT])")
	mixed := fetchItems(t, "FETCH 1 (BODYSTRUCTURE ENVELOPE BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[HEADER.FIELDS (Subject From)] BINARY.SIZE[1] BODY.PEEK[TEXT]<100.200>)")
	for i := range msgs {
		m := msgs[i]
		wire, err := src.Wire(context.Background(), &m)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := renderFetch(t, src, m, whole, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("* %d FETCH (BODY[] {%d}\r\n%s)\r\n", m.Seq, len(wire), wire); got != want {
			t.Fatalf("message %d: BODY[] differs from the wire form", m.Seq)
		}
		tree := message.ParseStructure(wire)
		got, _, err = renderFetch(t, src, m, parts, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		hdr, text := wire[:tree.BodyStart], wire[tree.BodyStart:]
		if want := fmt.Sprintf("* %d FETCH (BODY[HEADER] {%d}\r\n%s BODY[TEXT] {%d}\r\n%s)\r\n", m.Seq, len(hdr), hdr, len(text), text); got != want {
			t.Fatalf("message %d: HEADER/TEXT differ", m.Seq)
		}
		inMem, _, err1 := renderFetch(t, src, m, mixed, FetchOptions{})
		streamed, _, err2 := renderFetch(t, src, m, mixed, FetchOptions{MaxInMemory: 64})
		if (err1 == nil) != (err2 == nil) || inMem != streamed {
			t.Fatalf("message %d: streamed FETCH differs (%v, %v)", m.Seq, err1, err2)
		}
	}
	found := 0
	for i := 0; i < len(msgs); i += 10 {
		h, err := readHeader(context.Background(), src, &msgs[i])
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := h.first("subject")
		word := ""
		for _, w := range strings.Fields(subj) {
			if len(w) > len(word) && !strings.ContainsAny(w, "\"\\(){%*]") {
				word = w
			}
		}
		if word == "" {
			continue
		}
		key := &SearchKey{Kind: SearchHeader, Field: "Subject", Text: strings.ToUpper(word)}
		got, err := EvalSearch(context.Background(), key, msgs, src, SearchOptions{Charset: "UTF-8"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(got, msgs[i].Seq) {
			t.Errorf("SUBJECT %q does not find message %d (subject %q)", word, msgs[i].Seq, subj)
		}
		found++
	}
	if found < 10 {
		t.Errorf("only %d subjects searched", found)
	}
	order, err := SortMessages(context.Background(), []SortCriterion{{Key: "SUBJECT"}, {Key: "DATE", Reverse: true}}, msgs, src)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	if len(sorted) != len(msgs) || sorted[0] != 1 || sorted[len(sorted)-1] != uint32(len(msgs)) || len(slices.Compact(sorted)) != len(msgs) {
		t.Errorf("SORT result is not a permutation of the mailbox")
	}
	if _, err := ThreadMessages(context.Background(), "REFERENCES", msgs, src); err != nil {
		t.Fatal(err)
	}
}

// heapPeak samples the live heap while it runs and reports the highest
// value above the starting point.
type heapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	base uint64
	peak atomic.Uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	h.base = s[0].Value.Uint64()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > h.peak.Load() {
					h.peak.Store(v)
				}
			}
		}
	}()
	return h
}

// done returns the peak heap growth in bytes.
func (h *heapPeak) done() uint64 {
	close(h.stop)
	h.wg.Wait()
	if p := h.peak.Load(); p > h.base {
		return p - h.base
	}
	return 0
}

// BenchmarkEvalSearchText: SEARCH TEXT over the whole corpus (3,000
// messages read from disk one at a time); reports the peak heap growth.
func BenchmarkEvalSearchText(b *testing.B) {
	src, msgs := corpusMailbox(b, 0)
	key := &SearchKey{Kind: SearchText, Text: "unsubscribe from this list"}
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		h := startHeapPeak()
		got, err := EvalSearch(context.Background(), key, msgs, src, SearchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, h.done())
		b.ReportMetric(float64(len(got)), "matches")
	}
	b.ReportMetric(float64(len(msgs)), "messages")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkSortMessages: SORT by SUBJECT, DATE and FROM over the corpus.
func BenchmarkSortMessages(b *testing.B) {
	src, msgs := corpusMailbox(b, 0)
	for _, key := range []string{"SUBJECT", "DATE", "FROM"} {
		b.Run(key, func(b *testing.B) {
			var peak uint64
			for i := 0; i < b.N; i++ {
				h := startHeapPeak()
				if _, err := SortMessages(context.Background(), []SortCriterion{{Key: key}}, msgs, src); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, h.done())
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// memHeaders is a HeaderSource over headers held in memory, to measure
// SORT and header SEARCH without the cost of reading messages.
type memHeaders struct {
	*diskSource
	hdr map[int64][]byte
}

func (s *memHeaders) Header(ctx context.Context, m *MsgMeta) ([]byte, error) {
	return s.hdr[m.PhysID], nil
}

func corpusHeaders(b *testing.B) (*memHeaders, []MsgMeta) {
	disk, msgs := corpusMailbox(b, 0)
	src := &memHeaders{diskSource: disk, hdr: map[int64][]byte{}}
	for i := range msgs {
		w, err := disk.Wire(context.Background(), &msgs[i])
		if err != nil {
			b.Fatal(err)
		}
		src.hdr[msgs[i].PhysID] = bytes.Clone(w[:message.ParseStructure(w).BodyStart])
	}
	return src, msgs
}

// BenchmarkHeaderSourceSortSearch: SORT and SEARCH SUBJECT over 3,000
// corpus headers served by a HeaderSource (the renderers' own cost).
func BenchmarkHeaderSourceSortSearch(b *testing.B) {
	src, msgs := corpusHeaders(b)
	for _, key := range []string{"SUBJECT", "DATE", "FROM"} {
		b.Run("sort-"+key, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := SortMessages(context.Background(), []SortCriterion{{Key: key}}, msgs, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("search-subject", func(b *testing.B) {
		key := &SearchKey{Kind: SearchHeader, Field: "Subject", Text: "money"}
		for i := 0; i < b.N; i++ {
			if _, err := EvalSearch(context.Background(), key, msgs, src, SearchOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("thread-references", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := ThreadMessages(context.Background(), "REFERENCES", msgs, src); err != nil {
				b.Fatal(err)
			}
		}
	})
}
