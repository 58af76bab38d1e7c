package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
)

// startDovecot runs a private Dovecot 2.3 IMAP server (not the system
// service) with imaptest/dovecot/run-dovecot.sh in dir on a free loopback
// port: users user1..userN with password "pass", whose maildir INBOXes
// hold the same messages as dbmail's (fill). stop kills it.
func startDovecot(o options, dir string, nusers int, fill func(u int) [][]byte) (addr string, stop func(), err error) {
	if _, err := exec.LookPath("dovecot"); err != nil {
		return "", nil, fmt.Errorf("dovecot not installed (apt-get install -y dovecot-imapd): %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "mail"), 0o755); err != nil {
		return "", nil, err
	}
	// Dovecot's auth and mail processes run as other users.
	for p := dir; p != "/" && p != "."; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o011 == 0 {
			_ = os.Chmod(p, fi.Mode().Perm()|0o011)
		}
		if p == os.TempDir() {
			break
		}
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 { // run-dovecot.sh stores mail as nobody
		nobody, err := user.Lookup("nobody")
		if err != nil {
			return "", nil, err
		}
		uid, _ = strconv.Atoi(nobody.Uid)
		gid, _ = strconv.Atoi(nobody.Gid)
	}
	start := time.Now()
	base := time.Now().Unix()
	for u := 0; u < nusers; u++ {
		md := filepath.Join(dir, "mail", fmt.Sprintf("user%d", u+1), "Maildir")
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(md, sub), 0o700); err != nil {
				return "", nil, err
			}
		}
		for i, m := range fill(u) {
			// Maildir names sort by time, then sequence: delivery order.
			name := fmt.Sprintf("%d.M%06dP1.bench,S=%d", base+int64(i), i, len(m))
			if err := os.WriteFile(filepath.Join(md, "new", name), m, 0o600); err != nil {
				return "", nil, err
			}
		}
	}
	if os.Getuid() == 0 {
		if err := filepath.Walk(filepath.Join(dir, "mail"), func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Chown(p, uid, gid)
		}); err != nil {
			return "", nil, err
		}
	}
	port, err := benchutil.FreePort()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("bash", o.dovecotScript, dir, strconv.Itoa(port), strconv.Itoa(nusers))
	cmd.Env = append(os.Environ(), fmt.Sprintf("IMAP_CLIENT_LIMIT=%d", o.dovecotClientLimit))
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		return "", nil, fmt.Errorf("%s: %w (%s)", o.dovecotScript, err, strings.TrimSpace(string(out)))
	}
	fmt.Printf("dovecot: %d users' maildirs written and server started in %v (imap client_limit %d)\n",
		nusers, time.Since(start).Round(time.Millisecond), o.dovecotClientLimit)
	pidFile := filepath.Join(dir, "run", "master.pid")
	stop = func() {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), stop, nil
}
