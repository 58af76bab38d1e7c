package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

func buildDaemon(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dbmail-imapd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDaemon runs the binary on a config for uri and waits for it to
// accept connections; it is stopped with SIGTERM at cleanup.
func startDaemon(t testing.TB, bin, uri, dir string) string {
	t.Helper()
	addr, _ := startProcess(t, bin, uri, dir)
	return addr
}

// startProcess is startDaemon returning the process too.
func startProcess(t testing.TB, bin, uri, dir string) (string, *os.Process) {
	t.Helper()
	port := freePort(t)
	conf := filepath.Join(dir, "dbmail.conf")
	text := fmt.Sprintf(`[DBMAIL]
authdriver = sql
dburi = %s
logfile = %s
errorlog = %s
pid_directory = %s
effective_user = root
effective_group = root
max_db_connections = 4

[IMAP]
bindip = 127.0.0.1
port = %d
login_disabled = no
`, uri, filepath.Join(dir, "imap.log"), filepath.Join(dir, "imap.err"), dir, port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-f", conf, "-D")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("dbmail-imapd did not stop on SIGTERM")
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(60 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			nc.Close()
			return addr, cmd.Process
		}
		select {
		case err := <-exited:
			t.Fatalf("dbmail-imapd exited: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dbmail-imapd not listening on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDaemon runs the real binary on every backend: greeting, LOGIN,
// APPEND, SELECT, FETCH and LOGOUT over TCP.
func TestDaemon(t *testing.T) {
	bin := buildDaemon(t)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			d := dbtest.Connect(t, uri, "dbmail_")
			ctx := context.Background()
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true}); err != nil {
				t.Fatal(err)
			}
			addr := startDaemon(t, bin, uri, t.TempDir())
			nc := dialWire(t, addr, 30*time.Second)
			read, until := nc.read, nc.until
			if g := read(); g != "* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5 SASL-IR ID LITERAL+ ENABLE] dbmail-go ready." {
				t.Fatalf("greeting %q", g)
			}
			fmt.Fprintf(nc, "a LOGIN alice secret\r\n")
			if got := until("a"); !strings.HasPrefix(got[0], "a OK [CAPABILITY IMAP4rev1 ") {
				t.Fatalf("LOGIN: %q", got)
			}
			msg := "Subject: daemon\r\n\r\nhello\r\n"
			fmt.Fprintf(nc, "b APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg)
			if got := until("b"); !strings.HasPrefix(got[0], "b OK [APPENDUID ") {
				t.Fatalf("APPEND: %q", got)
			}
			fmt.Fprintf(nc, "c SELECT INBOX\r\n")
			if got := until("c"); got[0] != "* 1 EXISTS" || got[len(got)-1] != "c OK [READ-WRITE] SELECT completed" {
				t.Fatalf("SELECT: %q", got)
			}
			fmt.Fprintf(nc, "d FETCH 1 (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n")
			got := until("d")
			if !strings.HasPrefix(got[0], fmt.Sprintf("* 1 FETCH (RFC822.SIZE %d BODY[HEADER.FIELDS (SUBJECT)] {", len(msg))) || got[len(got)-1] != "d OK FETCH completed" {
				t.Fatalf("FETCH: %q", got)
			}
			fmt.Fprintf(nc, "e LOGOUT\r\n")
			if got := until("e"); got[0] != "* BYE Requested" || got[1] != "e OK LOGOUT completed" {
				t.Fatalf("LOGOUT: %q", got)
			}
		})
	}
}
