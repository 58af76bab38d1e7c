package imaptest

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStressSilentServer: stress clients run without I/O deadlines
// (stressConn, and the lean client), so a server that stops answering must still end the run:
// RunStress cuts the silent connections off after timeout= and reports an
// error.
func TestStressSilentServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.WriteString(c, "* OK [CAPABILITY IMAP4rev1] silent test server\r\n")
				br := bufio.NewReader(c)
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				tag, _, _ := strings.Cut(line, " ")
				io.WriteString(c, tag+" OK LOGIN completed\r\n")
				io.Copy(io.Discard, br) // then never answer again
			}()
		}
	}()
	mbox := filepath.Join(t.TempDir(), "m.mbox")
	if err := os.WriteFile(mbox, []byte("From a@b Mon Nov 23 00:00:00 2026\nSubject: x\n\nbody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	// NOOP only runs on the lean client, NOOP and LIST on go-imap's.
	for _, plan := range [][]string{{"noop=100"}, {"noop=100", "list=100"}} {
		args := []string{"host=127.0.0.1", "port=" + strconv.Itoa(port), "user=u", "pass=p", "mbox=" + mbox,
			"clients=3", "secs=1", "timeout=1", "-"}
		cfg, err := ParseConfig(append(args, plan...))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		rep, err := RunStress(context.Background(), cfg, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("%v: the run took %v against a silent server", plan, d)
		}
		found := false
		for _, e := range rep.Errors {
			if strings.Contains(e, "no reply within") {
				found = true
			}
		}
		if !found {
			t.Fatalf("%v (lean %v): no timeout error reported; errors: %q", plan, rep.Lean, rep.Errors)
		}
	}
}
