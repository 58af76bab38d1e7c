package imap4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// fakeSource is a MsgSource over wire forms held in memory, keyed by
// PhysID. WriteWire writes in small chunks and stops at the first writer
// error, like a real streaming source.
type fakeSource struct {
	wires     map[int64][]byte
	chunk     int
	wireCalls atomic.Int64
	treeCalls atomic.Int64
	streamed  atomic.Int64 // bytes handed to WriteWire writers
}

func newFakeSource() *fakeSource { return &fakeSource{wires: map[int64][]byte{}, chunk: 7} }

func (s *fakeSource) get(m *MsgMeta) ([]byte, error) {
	w, ok := s.wires[m.PhysID]
	if !ok {
		return nil, fmt.Errorf("no message %d", m.PhysID)
	}
	return w, nil
}

func (s *fakeSource) WriteWire(ctx context.Context, m *MsgMeta, w io.Writer) error {
	data, err := s.get(m)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(s.chunk, len(data))
		s.streamed.Add(int64(n))
		if _, err := w.Write(data[:n]); err != nil {
			return fmt.Errorf("fake write: %w", err)
		}
		data = data[n:]
	}
	return nil
}

func (s *fakeSource) Wire(ctx context.Context, m *MsgMeta) ([]byte, error) {
	s.wireCalls.Add(1)
	return s.get(m)
}

func (s *fakeSource) Structure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	s.treeCalls.Add(1)
	data, err := s.get(m)
	if err != nil {
		return nil, err
	}
	return message.ParseStructure(data), nil
}

func (s *fakeSource) Envelope(ctx context.Context, m *MsgMeta) (string, error) {
	data, err := s.get(m)
	if err != nil {
		return "", err
	}
	msg, err := message.Parse(data, message.Options{})
	if err != nil {
		return "", err
	}
	return msg.Envelope(), nil
}

// add appends a message (CRLF wire form) to the mailbox.
func (s *fakeSource) add(msgs []MsgMeta, wire []byte, date time.Time) []MsgMeta {
	n := uint32(len(msgs) + 1)
	id := int64(len(s.wires) + 1)
	s.wires[id] = wire
	return append(msgs, MsgMeta{Seq: n, UID: 100 + n, PhysID: id, ModSeq: uint64(n), InternalDate: date, RFCSize: int64(len(wire))})
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// loadMbox reads one of the imaptest mbox files the way imaptest appends
// them: a message starts at a dated "From " line and keeps every line up
// to the next one (the blank separator included), with CRLF line ends;
// the From line's date is the internal date.
func loadMbox(t testing.TB, name string) (*fakeSource, []MsgMeta) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "..", "shared", "imaptest", "tests", name+".mbox")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("imaptest data missing: %v", err)
	}
	src := newFakeSource()
	var msgs []MsgMeta
	var cur bytes.Buffer
	var date time.Time
	started := false
	flush := func() {
		if started {
			msgs = src.add(msgs, bytes.Clone(cur.Bytes()), date)
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if d, ok := mboxFromDate(line); ok {
			flush()
			started, date = true, d
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\r\n")
	}
	flush()
	return src, msgs
}

// mboxFromDate parses "From sender Www Mmm dd hh:mm:ss yyyy [+zzzz]".
func mboxFromDate(line string) (time.Time, bool) {
	if !strings.HasPrefix(line, "From ") {
		return time.Time{}, false
	}
	f := strings.Fields(line)
	if len(f) < 7 {
		return time.Time{}, false
	}
	s := strings.Join(f[2:], " ")
	for _, layout := range []string{"Mon Jan 2 15:04:05 2006 -0700", "Mon Jan 2 15:04:05 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// crlf turns the LF line ends of a test literal into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// lit is the IMAP literal of s written with LF line ends.
func lit(s string) string {
	s = crlf(s)
	return "{" + strconv.Itoa(len(s)) + "}\r\n" + s
}

// parseTestCommand parses one command line (without tag) with the
// package's parser.
func parseTestCommand(t testing.TB, line string) *Command {
	t.Helper()
	cmd, err := parseCommand([]byte("t "+line), nil, false, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return cmd
}

// fetchItems parses "FETCH <set> <items>" and returns the items.
func fetchItems(t testing.TB, line string) []FetchItem {
	t.Helper()
	a, ok := parseTestCommand(t, line).Args.(*FetchArgs)
	if !ok {
		t.Fatalf("%q is not a FETCH", line)
	}
	return a.Items
}

// searchKey parses "SEARCH ..." and returns the key and charset.
func searchKey(t testing.TB, line string) (*SearchKey, string) {
	t.Helper()
	a, ok := parseTestCommand(t, line).Args.(*SearchArgs)
	if !ok {
		t.Fatalf("%q is not a SEARCH", line)
	}
	return a.Key, a.Charset
}

// renderFetch runs WriteFetch into a string.
func renderFetch(t testing.TB, src MsgSource, m MsgMeta, items []FetchItem, opt FetchOptions) (string, bool, error) {
	t.Helper()
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	enc := NewEncoder(bw)
	seen, err := WriteFetch(context.Background(), enc, &m, items, src, opt)
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	return buf.String(), seen, err
}

var errTestSource = errors.New("test source failure")

// failingSource fails every call.
type failingSource struct{}

func (failingSource) WriteWire(context.Context, *MsgMeta, io.Writer) error { return errTestSource }
func (failingSource) Wire(context.Context, *MsgMeta) ([]byte, error)       { return nil, errTestSource }
func (failingSource) Structure(context.Context, *MsgMeta) (*message.Node, error) {
	return nil, errTestSource
}
func (failingSource) Envelope(context.Context, *MsgMeta) (string, error) { return "", errTestSource }

// headerFakeSource is a fakeSource that also implements HeaderSource.
type headerFakeSource struct {
	*fakeSource
	headerCalls atomic.Int64
}

func (s *headerFakeSource) Header(ctx context.Context, m *MsgMeta) ([]byte, error) {
	s.headerCalls.Add(1)
	data, err := s.get(m)
	if err != nil {
		return nil, err
	}
	return data[:message.ParseStructure(data).BodyStart], nil
}
