package imaptest

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// startDovecot runs imaptest/dovecot/run-dovecot.sh in a temporary
// directory on a free port and stops it when the test ends.
func startDovecot(t *testing.T, users int) string {
	t.Helper()
	if os.Getenv("DBMAIL_TEST_DOVECOT") == "" {
		t.Skip("DBMAIL_TEST_DOVECOT not set: skipping the runs against a private Dovecot (needs dovecot-imapd)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// Not t.TempDir: Dovecot's unprivileged processes must be able to
	// reach the passwd file, and t.TempDir's parent is mode 0700.
	dir, err := os.MkdirTemp("", "imaptest-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(repoRoot(t), "imaptest", "dovecot", "run-dovecot.sh")
	out, err := exec.Command(script, dir, strconv.Itoa(port), strconv.Itoa(users)).CombinedOutput()
	if err != nil {
		t.Fatalf("run-dovecot.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		pidData, err := os.ReadFile(filepath.Join(dir, "run", "master.pid"))
		if err != nil {
			t.Errorf("dovecot pid: %v", err)
			return
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(pidData)))
		if pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGTERM)
			for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove %s: %v", dir, err)
		}
	})
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// TestDovecotScripts runs every shared script against Dovecot 2.3, which
// passes them all (tests needing capabilities Dovecot lacks are skipped).
func TestDovecotScripts(t *testing.T) {
	addr := startDovecot(t, 0)
	tests, err := LoadTests(filepath.Join(repoRoot(t), "..", "shared", "imaptest", "tests"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum := RunScripts(context.Background(), ScriptConfig{
		Addr: addr, User: "testuser", Pass: "testpass", User2: "testuser2", Pass2: "testpass",
		Host: "127.0.0.1", Timeout: 30 * time.Second, Out: &out,
	}, tests)
	t.Logf("%s", out.String())
	if sum.Failed != 0 || sum.Passed+sum.Skipped != 61 {
		t.Fatalf("against Dovecot: %s", sum)
	}
	for _, r := range sum.Results {
		if r.Outcome == Skipped && !strings.HasPrefix(r.Reason, "server lacks capability") {
			t.Errorf("%s skipped for another reason: %s", r.Name, r.Reason)
		}
	}
}

// TestDovecotStress is a short mixed run with checkpoints that must
// report no error.
func TestDovecotStress(t *testing.T) {
	addr := startDovecot(t, 50)
	host, port, _ := net.SplitHostPort(addr)
	mbox := filepath.Join(t.TempDir(), "stress.mbox")
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "..", "shared", "corpus", "ham", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus missing: %v", err)
	}
	var data []byte
	for _, f := range files[:100] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	if err := os.WriteFile(mbox, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Dovecot creates a user's INBOX on first use; when several sessions
	// race to create it, STATUS may report UIDVALIDITY 0. Create them first.
	for i := 1; i <= 20; i++ {
		c, err := imapclient.DialInsecure(addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login("user"+strconv.Itoa(i), "pass").Wait(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Logout().Wait(); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	cfg, err := ParseConfig([]string{"host=" + host, "port=" + port, "user=user%d", "pass=pass",
		"users=1-20", "mbox=" + mbox, "clients=20", "secs=10", "checkpoint=3"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := RunStress(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.String())
	if rep.ErrorCount() != 0 {
		t.Fatalf("%d errors against Dovecot", rep.ErrorCount())
	}
	var total int64
	for _, s := range rep.Stats {
		total += s.Total
	}
	if total == 0 {
		t.Fatal("no command completed")
	}
}
