package server

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStateDumpFormat(t *testing.T) {
	t.Parallel()
	p := NewPoolWithLogger(openSQLite(t), 2, 5, discard())
	defer p.Close()
	db := openSQLite(t)
	cache := func() CacheStats {
		return CacheStats{Backend: "lru", Items: 3, Bytes: 1024, Hits: 10, Misses: 2, Evictions: 1}
	}
	ts := startServer(t, testConfig(t), Options{Pool: p, DB: db, Cache: cache}, kindPlain)
	c1 := ts.dial(t, kindPlain)
	c1.send("LOGIN bob ok\r\nSET SELECTED Sent/2026\r\n")
	if err := c1.expect("OK", "OK"); err != nil {
		t.Fatal(err)
	}
	c2 := ts.dial(t, kindPlain)
	c2.send(`SET AUTHORIZATION "my box"` + "\r\n")
	if err := c2.expect("OK"); err != nil {
		t.Fatal(err)
	}
	c1.send("QUERY 0\r\n")
	if err := c1.expect("OK 42"); err != nil {
		t.Fatal(err)
	}

	// The byte counters are updated when the server's write returns, which
	// can be just after the client has read the reply.
	waitFor(t, func() bool {
		var out []uint64
		for _, c := range ts.sessions() {
			out = append(out, c.Snapshot(time.Now()).BytesOut)
		}
		return len(out) == 2 && out[0] == 32 && out[1] == 21
	})
	path := filepath.Join(t.TempDir(), "dbmail-test.state")
	stop, err := ts.ServeState(path)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state socket mode: %v %v", fi.Mode(), err)
	}
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var lines []string
	sc := bufio.NewScanner(nc)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 8 {
		t.Fatalf("dump has %d lines:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	ts1 := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`
	peer := `127\.0\.0\.1:\d+`
	want := []string{
		fmt.Sprintf(`^dbmail-state 1 program=dbmail-test pid=%d started=%s uptime=\d+ sessions=2 draining=no$`, os.Getpid(), ts1),
		`^session id=\d+ peer=` + peer + ` listener=plain tls=no user=bob state=SELECTED mailbox=Sent/2026 command=- cmd_ms=0 idle=0 in=47 out=32 pipelined=0 since=` + ts1 + `$`,
		`^session id=\d+ peer=` + peer + ` listener=plain tls=no user=- state=AUTHORIZATION mailbox="\\"my box\\"" command=- cmd_ms=0 idle=0 in=28 out=21 pipelined=0 since=` + ts1 + `$`,
		`^workers size=2 busy=0 queued=0 queue_max=5 submitted=1 completed=1 failed=0 rejected=0 cancelled=0 reconnects=1 wait_p50_us=\d+ wait_p99_us=\d+ wait_max_us=\d+ run_p50_us=\d+ run_p99_us=\d+ run_max_us=\d+$`,
		`^database open=\d+ in_use=0 idle=\d+ max_open=0 wait_count=0 wait_ms=0$`,
		`^commands count=4 p50_us=\d+ p90_us=\d+ p99_us=\d+ max_us=\d+$`,
		`^cache backend=lru items=3 bytes=1024 hits=10 misses=2 evictions=1$`,
		`^end$`,
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d:\n got  %s\n want %s", i+1, lines[i], w)
		}
	}
	stop()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("state socket not removed")
	}
}

func TestStateDumpEmpty(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	var b strings.Builder
	if err := ts.WriteState(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	tail := strings.Join(lines[1:], "\n")
	want := "workers none\ndatabase none\ncommands count=0 p50_us=0 p90_us=0 p99_us=0 max_us=0\ncache none\nend"
	if tail != want {
		t.Fatalf("got\n%s\nwant\n%s", tail, want)
	}
}

func TestSnapshotCommandInProgress(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("SLEEP 300\r\n")
	conn := ts.conn(t)
	waitFor(t, func() bool { return conn.Snapshot(time.Now()).Command == "SLEEP" })
	if s := conn.Snapshot(time.Now()); s.Pipelined != 1 {
		t.Errorf("pipelined %d while running", s.Pipelined)
	}
	if err := c.expect("OK slept"); err != nil {
		t.Fatal(err)
	}
	if s := conn.Snapshot(time.Now()); s.Command != "" || s.Pipelined != 0 {
		t.Errorf("after command: %+v", s)
	}
}

func TestDumpQuoting(t *testing.T) {
	t.Parallel()
	tests := map[string]string{"": "-", "-": `"-"`, "INBOX": "INBOX", "a b": `"a b"`, "x=y": `"x=y"`}
	for in, want := range tests {
		if got := q(in); got != want {
			t.Errorf("q(%q) = %s, want %s", in, got, want)
		}
	}
}
