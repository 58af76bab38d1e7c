package imaptest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	c, err := ParseConfig(strings.Fields("host=h port=1143 user=user%d pass=p users=1-500 mbox=/m clients=50 secs=20 checkpoint=5 delay=10 rampup=7 - status=50 noop=50 logout=0"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr() != "h:1143" || c.UsersFrom != 1 || c.UsersTo != 500 || c.Clients != 50 || c.Secs != 20 || c.Checkpoint != 5 || c.DelayMS != 10 || c.RampUp != 7 || c.ScriptMode() {
		t.Errorf("config = %+v", c)
	}
	var w Weights
	w[CmdStatus], w[CmdNoop] = 50, 50
	if c.Weights != w {
		t.Errorf("weights = %v, want %v", c.Weights, w)
	}
	d, err := ParseConfig(strings.Fields("test=/tests user=u pass=p user2=v box=b select"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.ScriptMode() || d.TestPath != "/tests" || d.TestFile != "select" || d.User2 != "v" || d.Box != "b" || !d.BoxSet || d.Weights != DefaultWeights() {
		t.Errorf("script config = %+v", d)
	}
	for _, bad := range []string{"user=u port=0", "user=u noop=101", "user=u users=5-2", "user=u bogus=1", "pass=p", "user=u a b"} {
		if _, err := ParseConfig(strings.Fields(bad)); err == nil {
			t.Errorf("ParseConfig(%q) accepted", bad)
		}
	}
}

func TestMailboxView(t *testing.T) {
	t.Parallel()
	v := newView("u", 3, 9)
	if err := v.setUID(1, 10); err != nil {
		t.Fatal(err)
	}
	if err := v.setUID(3, 30); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		err  error
		want string
	}{
		{v.setUID(2, 5), "UIDs not ascending: seq 1 has UID 10, seq 2 has UID 5"},
		{v.setUID(2, 31), "UIDs not ascending: seq 2 has UID 31, seq 3 has UID 30"},
		{v.setUID(1, 11), "sequence 1 changed UID from 10 to 11 without EXPUNGE"},
		{v.setUID(4, 40), "FETCH for sequence 4 but only 3 messages exist"},
		{v.setUID(2, 0), "FETCH for sequence 2 has UID 0"},
		{v.exists(2), "EXISTS 2 after 3 without EXPUNGE (message count dropped)"},
	}
	for i, c := range checks {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("check %d: %v, want %q", i, c.err, c.want)
		}
	}
	if uid, err := v.expunge(1); err != nil || uid != 10 {
		t.Fatalf("expunge = %d, %v", uid, err)
	}
	if !v.expunged[10] || len(v.uids) != 2 || v.uids[1] != 30 {
		t.Errorf("after expunge: %v expunged %v", v.uids, v.expunged)
	}
	if _, err := v.expunge(3); err == nil || err.Error() != "EXPUNGE 3 with only 2 messages" {
		t.Errorf("expunge beyond: %v", err)
	}
	if err := v.exists(4); err != nil || len(v.uids) != 4 {
		t.Errorf("exists grow: %v %v", err, v.uids)
	}
}

func TestCompareSnapshots(t *testing.T) {
	t.Parallel()
	a := viewSnapshot{client: 1, user: "u", uidValidity: 1, uids: []imap.UID{1, 2}, flags: map[imap.UID]flagSet{1: {`\seen`: true}}}
	b := viewSnapshot{client: 2, user: "u", uidValidity: 1, uids: []imap.UID{1, 3}, flags: map[imap.UID]flagSet{1: {}}}
	errs := compareSnapshots(a, b)
	if len(errs) != 1 || errs[0] != "checkpoint u: seq 2 is UID 2 for client 1, UID 3 for client 2" {
		t.Errorf("uid mismatch: %q", errs)
	}
	b.uids = []imap.UID{1, 2}
	errs = compareSnapshots(a, b)
	if len(errs) != 1 || errs[0] != `checkpoint u: UID 1 has flags (\seen) for client 1, () for client 2` {
		t.Errorf("flag mismatch: %q", errs)
	}
	b.uids = []imap.UID{1}
	if errs := compareSnapshots(a, b); len(errs) != 1 || !strings.Contains(errs[0], "client 1 sees 2 messages, client 2 sees 1") {
		t.Errorf("count mismatch: %q", errs)
	}
}

func TestDescribeMessage(t *testing.T) {
	t.Parallel()
	single := []byte("Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>\r\n")
	mi := describeMessage(single)
	if mi.mimeType != "text/html" || mi.bodySize != 11 || mi.size != int64(len(single)) || mi.parts != 0 {
		t.Errorf("single = %+v", mi)
	}
	multi := []byte("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npre\r\n--b1\r\n\r\none\r\n--b1\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b1--\r\n--b1\r\n")
	mi = describeMessage(multi)
	if mi.mimeType != "multipart/mixed" || mi.parts != 2 {
		t.Errorf("multi = %+v", mi)
	}
	bs := &imap.BodyStructureMultiPart{Subtype: "MIXED", Children: []imap.BodyStructure{
		&imap.BodyStructureSinglePart{Type: "TEXT", Subtype: "PLAIN"},
	}}
	if err := mi.checkBodyStructure(bs); err == nil || err.Error() != "BODYSTRUCTURE has 1 parts, message has 2" {
		t.Errorf("parts check: %v", err)
	}
	plain := describeMessage([]byte("Subject: x\r\n\r\nbody\r\n"))
	if err := plain.checkBodyStructure(&imap.BodyStructureSinglePart{Type: "TEXT", Subtype: "PLAIN", Size: 6}); err != nil {
		t.Errorf("default text/plain: %v", err)
	}
	if err := plain.checkBodyStructure(&imap.BodyStructureSinglePart{Type: "TEXT", Subtype: "PLAIN", Size: 5}); err == nil {
		t.Error("wrong size accepted")
	}
}

func TestProgressAndReport(t *testing.T) {
	t.Parallel()
	var d [numCmds]int64
	d[CmdLogin], d[CmdNoop] = 3, 40
	if got := progressLine(7, d, 12); got != "   7s    12 conns  login=3 noop=40" {
		t.Errorf("progress = %q", got)
	}
	l := &latencies{}
	for i := 1; i <= 100; i++ {
		l.add(CmdNoop, time.Duration(i)*time.Millisecond)
	}
	stats := buildStats([]*latencies{l}, 10*time.Second)
	if len(stats) != 1 || stats[0].Total != 100 || stats[0].PerS != 10 || stats[0].P50 != 50*time.Millisecond || stats[0].P99 != 99*time.Millisecond {
		t.Errorf("stats = %+v", stats)
	}
	rep := &StressReport{Duration: 10 * time.Second, Stats: stats, Errors: []string{"client 1 (u) FETCH: x"}, NErrors: 3}
	var out bytes.Buffer
	rep.Print(&out)
	for _, want := range []string{"noop            100       10.0       50ms       99ms", "3 errors", "  error: client 1 (u) FETCH: x", "... 2 more errors not listed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestMboxCorpus checks the mbox reader on real mail: every corpus file
// is one message whose data is the file without its From line, CRLF.
func TestMboxCorpus(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "..", "shared", "corpus", "ham")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus missing at %s: %v", dir, err)
	}
	if len(files) > 200 {
		files = files[:200]
	}
	var all []byte
	var want [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
		_, body, _ := bytes.Cut(data, []byte("\n"))
		want = append(want, body)
	}
	msgs, err := ParseMbox(all)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(files) {
		t.Fatalf("%d messages from %d files", len(msgs), len(files))
	}
	for i, m := range msgs {
		if !bytes.Equal(m.Data, want[i]) {
			t.Errorf("%s: message data differs (%d vs %d bytes)", files[i], len(m.Data), len(want[i]))
		}
		if m.Time.IsZero() {
			t.Errorf("%s: no From-line time", files[i])
		}
	}
}

func TestParseMbox(t *testing.T) {
	t.Parallel()
	data := "From a@b  Fri Feb 22 02:00:00 2008\nSubject: 1\n\nbody\n\nFrom a@b  Sat Mar 24 23:00:00 2007 +0200\nSubject: 2\n\nx\n"
	msgs, err := ParseMbox([]byte(data))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("ParseMbox = %d, %v", len(msgs), err)
	}
	if string(msgs[0].Data) != "Subject: 1\r\n\r\nbody\r\n\r\n" || imapDate(msgs[0].Time) != "22-Feb-2008 02:00:00 +0000" {
		t.Errorf("msg 1 = %q %s", msgs[0].Data, imapDate(msgs[0].Time))
	}
	if string(msgs[1].Data) != "Subject: 2\r\n\r\nx\r\n" || imapDate(msgs[1].Time) != "24-Mar-2007 23:00:00 +0200" {
		t.Errorf("msg 2 = %q %s", msgs[1].Data, imapDate(msgs[1].Time))
	}
	src := NewMessageSource(msgs)
	if src.Next().Time != msgs[0].Time || src.EOF() || src.Next().Time != msgs[1].Time || !src.EOF() || src.Next().Time != msgs[0].Time {
		t.Error("message source does not wrap")
	}
	if _, err := ParseMbox([]byte("Subject: no from line\n")); err == nil {
		t.Error("non-mbox accepted")
	}
}
