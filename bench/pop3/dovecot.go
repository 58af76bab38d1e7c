package main

import (
	"bytes"
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
)

// startDovecot runs a private Dovecot POP3 server (dovecot-pop3d, not the
// system service) on a loopback high port: a passwd-file with the same
// users and password, and a maildir per user holding the same messages in
// the same order, stored in their wire form so that RETR must return the
// same bytes. stop kills it and removes its directory.
func startDovecot(want []userMail) (addr string, stop func(), err error) {
	if _, err := exec.LookPath("dovecot"); err != nil {
		return "", nil, fmt.Errorf("dovecot not installed (apt-get install -y dovecot-pop3d): %w", err)
	}
	dir, err := os.MkdirTemp("", "pop3bench-dovecot")
	if err != nil {
		return "", nil, err
	}
	// Dovecot's auth and mail processes run as other users.
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	fail := func(err error) (string, func(), error) {
		os.RemoveAll(dir)
		return "", nil, err
	}
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 { // Dovecot refuses UID 0 for mail access
		nobody, err := user.Lookup("nobody")
		if err != nil {
			return fail(err)
		}
		uid, _ = strconv.Atoi(nobody.Uid)
		gid, _ = strconv.Atoi(nobody.Gid)
	}
	var pw bytes.Buffer
	for _, u := range want {
		home := filepath.Join(dir, "mail", u.name)
		fmt.Fprintf(&pw, "%s:{PLAIN}pass:%d:%d::%s::\n", u.name, uid, gid, home)
		md := filepath.Join(home, "Maildir")
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(md, sub), 0o755); err != nil {
				return fail(err)
			}
		}
		base := time.Now().Unix()
		for i, m := range u.msgs {
			// Maildir names sort by time, then sequence: delivery order.
			name := fmt.Sprintf("%d.M%06dP1.bench,S=%d:2,", base+int64(i), i, len(m))
			if err := os.WriteFile(filepath.Join(md, "cur", name), m, 0o600); err != nil {
				return fail(err)
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
			return fail(err)
		}
	}
	passwd := filepath.Join(dir, "passwd")
	if err := os.WriteFile(passwd, pw.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	internal, login := "dovecot", "dovenull"
	if _, err := user.Lookup(internal); err != nil {
		internal = "nobody"
	}
	if _, err := user.Lookup(login); err != nil {
		login = "nobody"
	}
	conf := filepath.Join(dir, "dovecot.conf")
	text := fmt.Sprintf(`protocols = pop3
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/run/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = %[2]d
first_valid_gid = %[3]d
default_internal_user = %[4]s
default_login_user = %[5]s
mail_location = maildir:~/Maildir
mail_max_userip_connections = 10000
pop3_uidl_format = %%08Xu%%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[6]s
}
userdb {
  driver = passwd-file
  args = %[6]s
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = %[7]d
  }
  inet_listener pop3s {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
}
service pop3 {
  process_limit = 256
}
protocol pop3 {
  mail_max_userip_connections = 10000
}
`, dir, uid, gid, internal, login, passwd, port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "run", "state"), 0o755); err != nil {
		return fail(err)
	}
	// The master daemonises: give it a log file, not pipes its children
	// would hold open.
	logf, err := os.Create(filepath.Join(dir, "startup.log"))
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command("dovecot", "-c", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	err = cmd.Run()
	logf.Close()
	if err != nil {
		out, _ := os.ReadFile(filepath.Join(dir, "startup.log"))
		return fail(fmt.Errorf("start: %v: %s", err, out))
	}
	pidFile := filepath.Join(dir, "run", "master.pid")
	stop = func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGTERM)
				for i := 0; i < 50; i++ {
					if syscall.Kill(pid, 0) != nil {
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		if os.Getenv("POP3BENCH_KEEP_DOVECOT") == "" {
			os.RemoveAll(dir)
		}
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; ; i++ {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			nc.Close()
			return addr, stop, nil
		}
		if i > 100 {
			stop()
			return "", nil, fmt.Errorf("not listening on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
