package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
)

// binary builds dbmail-lmtpd once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lmtpd-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "dbmail-lmtpd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type lmtpd struct {
	t     *testing.T
	cmd   *exec.Cmd
	conf  string
	dir   string
	addr  string // plain listener
	d     *db.DB
	alice int64
	log   *os.File
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newDaemon prepares a database with user alice and a config; extra lines
// go into [LMTP].
func newDaemon(t *testing.T, uri string, extra string) *lmtpd {
	t.Helper()
	dir := t.TempDir()
	dm := &lmtpd{t: t, dir: dir, conf: filepath.Join(dir, "dbmail.conf")}
	port := freePort(t)
	dm.addr = fmt.Sprintf("127.0.0.1:%d", port)
	conf := fmt.Sprintf(`[DBMAIL]
dburi = %s
authdriver = sql
pid_directory = %s
logfile = %s/dbmail.log
file_logging_levels = warning
syslog_logging_levels = nothing
effective_user = root
effective_group = root
max_db_connections = 4
sendmail = /bin/false
[LMTP]
bindip = 127.0.0.1
port = %d
%s
`, uri, dir, dir, port, extra)
	if err := os.WriteFile(dm.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return dm
}

func (dm *lmtpd) start() {
	t := dm.t
	t.Helper()
	cmd := exec.Command(binary(t), "-f", dm.conf, "-D")
	var err error
	dm.log, err = os.Create(filepath.Join(dm.dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = dm.log, dm.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dm.cmd = cmd
	t.Cleanup(func() {
		if dm.cmd.ProcessState == nil {
			dm.cmd.Process.Kill()
			dm.cmd.Wait()
		}
	})
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", dm.addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(dm.log.Name())
	t.Fatalf("dbmail-lmtpd did not listen on %s:\n%s", dm.addr, out)
}

// open connects the test's own handle to the daemon's database (the
// daemon creates the schema) and adds alice.
func (dm *lmtpd) open(uri string) {
	t := dm.t
	t.Helper()
	dm.d = dbtest.Connect(t, uri, "dbmail_")
	if err := dm.d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	id, err := dm.d.CreateUser(context.Background(), db.User{Name: "alice", Passwd: "x", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	dm.alice = id
}

type conn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialConn(t *testing.T, c net.Conn) *conn {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	cc := &conn{t: t, c: c, r: bufio.NewReader(c)}
	cc.expect("220 ")
	return cc
}

func (c *conn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, s+"\r\n"); err != nil {
		c.t.Fatal(err)
	}
}

// expect reads a (possibly multi-line) reply whose last line starts with
// prefix, and returns all its lines.
func (c *conn) expect(prefix string) []string {
	c.t.Helper()
	var lines []string
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("waiting for %q (after %q): %v", prefix, lines, err)
		}
		lines = append(lines, strings.TrimRight(l, "\r\n"))
		if len(l) >= 4 && l[3] == '-' {
			continue
		}
		if !strings.HasPrefix(l, prefix) {
			c.t.Fatalf("got %q, want %q", lines, prefix)
		}
		return lines
	}
}

func (c *conn) deliver(rcpt, body string) string {
	c.t.Helper()
	c.send("MAIL FROM:<t@example.org>")
	c.expect("250 ")
	c.send("RCPT TO:<" + rcpt + ">")
	c.expect("250 ")
	c.send("DATA")
	c.expect("354 ")
	io.WriteString(c.c, body+".\r\n")
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatal(err)
	}
	return strings.TrimRight(l, "\r\n")
}

func inboxCount(t *testing.T, d *db.DB, user int64) int {
	t.Helper()
	mb, err := d.FindMailbox(context.Background(), user, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := d.MailboxMessages(context.Background(), mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

func sqliteURI(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "dbmail.db") }

// writeCert makes a self-signed certificate for 127.0.0.1.
func writeCert(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lmtp.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"lmtp.test"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(k)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	pool = x509.NewCertPool()
	c, _ := x509.ParseCertificate(der)
	pool.AddCert(c)
	return cert, key, pool
}

const hello = "Subject: hello\r\n\r\nbody\r\n"

// Implicit TLS on tls_port and STARTTLS on the plain port, with a
// certificate generated here.
func TestDaemonTLS(t *testing.T) {
	uri := sqliteURI(t)
	dir := t.TempDir()
	cert, key, pool := writeCert(t, dir)
	tlsPort := freePort(t)
	dm := newDaemon(t, uri, fmt.Sprintf("tls_port = %d\ntls_cert = %s\ntls_key = %s\ntls_cafile = %s\n", tlsPort, cert, key, cert))
	dm.start()
	dm.open(uri)
	cfg := &tls.Config{RootCAs: pool, ServerName: "lmtp.test"}

	tc, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tlsPort), cfg)
	if err != nil {
		t.Fatalf("implicit TLS: %v", err)
	}
	c := dialConn(t, tc)
	lines := func() []string { c.send("LHLO x"); return c.expect("250 ") }()
	for _, l := range lines {
		if strings.Contains(l, "STARTTLS") {
			t.Fatal("STARTTLS offered on a TLS connection")
		}
	}
	if got := c.deliver("alice", hello); !strings.HasPrefix(got, "250 2.1.5") {
		t.Fatalf("over implicit TLS: %q", got)
	}

	pc, err := net.Dial("tcp", dm.addr)
	if err != nil {
		t.Fatal(err)
	}
	c = dialConn(t, pc)
	c.send("LHLO x")
	if !strings.Contains(strings.Join(c.expect("250 "), "\n"), "250-STARTTLS") {
		t.Fatal("STARTTLS not offered on the plain port")
	}
	// A command pipelined after STARTTLS must be discarded (RFC 3207 §4.2).
	io.WriteString(pc, "STARTTLS\r\nNOOP\r\n")
	c.expect("220 2.0.0")
	sc := tls.Client(pc, cfg)
	if err := sc.Handshake(); err != nil {
		t.Fatalf("STARTTLS handshake: %v", err)
	}
	c = &conn{t: t, c: sc, r: bufio.NewReader(sc)}
	c.send("MAIL FROM:<a@b>")
	c.expect("503 5.5.1 Send LHLO first") // state was reset, the NOOP was dropped
	c.send("LHLO x")
	c.expect("250 ")
	if got := c.deliver("alice", hello); !strings.HasPrefix(got, "250 2.1.5") {
		t.Fatalf("after STARTTLS: %q", got)
	}
	if n := inboxCount(t, dm.d, dm.alice); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}

// The state dump socket prints a snapshot with one line per session.
func TestDaemonStateDump(t *testing.T) {
	uri := sqliteURI(t)
	dm := newDaemon(t, uri, "")
	dm.start()
	nc, err := net.Dial("tcp", dm.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := dialConn(t, nc)
	c.send("LHLO dumper")
	c.expect("250 ")
	sock := filepath.Join(dm.dir, "dbmail-lmtpd.state")
	uc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("state socket: %v", err)
	}
	out, _ := io.ReadAll(uc)
	text := string(out)
	for _, want := range []string{"dbmail-state 1 program=dbmail-lmtpd", " sessions=", "\nsession id=", "state=ready", "\nworkers size=4", "\ndatabase open=", "\ncache backend=", "\nend\n"} {
		if !strings.Contains(text, want) {
			t.Fatalf("state dump lacks %q:\n%s", want, text)
		}
	}
}

// SIGHUP reloads without dropping a connection; SIGTERM drains and exits 0.
func TestDaemonSignals(t *testing.T) {
	uri := sqliteURI(t)
	dm := newDaemon(t, uri, "")
	dm.start()
	dm.open(uri)
	nc, err := net.Dial("tcp", dm.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := dialConn(t, nc)
	c.send("LHLO x")
	c.expect("250 ")
	dm.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	c.send("NOOP")
	c.expect("250 2.0.0 OK")
	if got := c.deliver("alice", hello); !strings.HasPrefix(got, "250 2.1.5") {
		t.Fatalf("after SIGHUP: %q", got)
	}
	dm.cmd.Process.Signal(syscall.SIGTERM)
	c.expect("421 ") // the goodbye of a drained idle session
	done := make(chan error, 1)
	go func() { done <- dm.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20 s after SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dm.dir, "dbmail-lmtpd.pid")); !os.IsNotExist(err) {
		t.Fatalf("pid file left behind: %v", err)
	}
}

// Crash test: kill -9 in the middle of a burst of deliveries; after a
// restart every message that got a 250 is stored whole and no partial
// message exists.
func TestDaemonCrash(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			uri := b.Fresh(t)
			dm := newDaemon(t, uri, "")
			dm.start()
			dm.open(uri)
			files := testutil.CorpusFiles(t)
			var mu sync.Mutex
			acked := map[string]bool{}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					nc, err := net.Dial("tcp", dm.addr)
					if err != nil {
						return
					}
					nc.SetDeadline(time.Now().Add(60 * time.Second))
					r := bufio.NewReader(nc)
					read := func() string {
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return ""
							}
							if len(l) < 4 || l[3] != '-' {
								return l
							}
						}
					}
					read()
					io.WriteString(nc, "LHLO crash\r\n")
					read()
					for i := w; i < len(files); i += 4 {
						subject := fmt.Sprintf("crash-%d", i)
						body := "Subject: " + subject + "\r\nX-Filler: " + strings.Repeat("y", i%500) + "\r\n\r\nmessage " + subject + "\r\n"
						io.WriteString(nc, "MAIL FROM:<c@example.org>\r\nRCPT TO:<alice>\r\nDATA\r\n")
						if !strings.HasPrefix(read(), "250") || !strings.HasPrefix(read(), "250") || !strings.HasPrefix(read(), "354") {
							return
						}
						io.WriteString(nc, body+".\r\n")
						if l := read(); strings.HasPrefix(l, "250") {
							mu.Lock()
							acked[subject] = true
							mu.Unlock()
						} else {
							return
						}
					}
				}(w)
			}
			time.Sleep(1500 * time.Millisecond)
			dm.cmd.Process.Signal(syscall.SIGKILL)
			dm.cmd.Wait()
			wg.Wait()
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n == 0 {
				t.Fatal("no delivery was acknowledged before the kill")
			}
			dm.start() // restart on the same database
			ctx := context.Background()
			mb, err := dm.d.FindMailbox(ctx, dm.alice, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := dm.d.MailboxMessages(ctx, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, mi := range msgs {
				var sb strings.Builder
				if _, err := dm.d.WriteMessage(ctx, mi.PhysID, &sb, 1); err != nil {
					t.Fatal(err)
				}
				text := sb.String()
				i := strings.Index(text, "Subject: ")
				subject := strings.TrimSpace(text[i+9 : i+9+strings.Index(text[i+9:], "\r\n")])
				if !strings.HasSuffix(text, "\r\n\r\nmessage "+subject+"\r\n") || int64(len(text)) != mi.RFCSize {
					t.Fatalf("message %q is not whole after the crash: %q", subject, text)
				}
				got[subject] = true
			}
			for s := range acked {
				if !got[s] {
					t.Fatalf("%s got a 250 but is not stored", s)
				}
			}
			// Every physmessage has a message row and parts: nothing partial.
			var orphans int
			dm.d.QueryRow(ctx, `SELECT COUNT(*) FROM {physmessage} p WHERE NOT EXISTS (SELECT 1 FROM {messages} m WHERE m.physmessage_id = p.id)
				OR NOT EXISTS (SELECT 1 FROM {partlists} l WHERE l.physmessage_id = p.id)`).Scan(&orphans)
			if orphans != 0 {
				t.Fatalf("%d partial physmessages after the crash", orphans)
			}
			t.Logf("%d acknowledged before kill -9, %d stored", n, len(msgs))
		})
	}
}

// proxy forwards TCP connections to target until cut: the test's stand-in
// for a PostgreSQL restart.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); p.set(true) })
	return p
}

// set takes the "database" down (closing every connection) or up again.
func (p *proxy) set(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// PostgreSQL going away under load: the daemon answers 451 meanwhile and
// recovers by itself when the database is back.
func TestDaemonDatabaseOutage(t *testing.T) {
	var pg *dbtest.Backend
	for _, b := range dbtest.Backends(t) {
		if b.Name == "postgresql" {
			b := b
			pg = &b
		}
	}
	if pg == nil {
		t.Skip("DBMAIL_TEST_PG not set: the database outage test needs PostgreSQL")
	}
	uri := pg.Fresh(t)
	u, _ := url.Parse(uri)
	px := newProxy(t, u.Host)
	u.Host = px.ln.Addr().String()
	dm := newDaemon(t, u.String(), "")
	dm.start()
	dm.open(uri)
	nc, err := net.Dial("tcp", dm.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := dialConn(t, nc)
	c.send("LHLO x")
	c.expect("250 ")
	if got := c.deliver("alice", hello); !strings.HasPrefix(got, "250 2.1.5") {
		t.Fatalf("before the outage: %q", got)
	}
	px.set(true)
	c.send("MAIL FROM:<t@example.org>")
	c.expect("250 ")
	c.send("RCPT TO:<alice>")
	if l := c.expect("4"); !strings.HasPrefix(l[0], "451 4.3.") {
		t.Fatalf("during the outage RCPT got %q, want 451 4.3.x", l)
	}
	c.send("RSET")
	c.expect("250 ")
	px.set(false)
	// The daemon recovers by itself: retry until a delivery goes through,
	// accepting only temporary failures meanwhile.
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 1; ; attempt++ {
		c.send("MAIL FROM:<t@example.org>")
		c.expect("250 ")
		c.send("RCPT TO:<alice>")
		l := c.expect("")[0]
		if strings.HasPrefix(l, "250 2.1.5") {
			c.send("DATA")
			c.expect("354 ")
			io.WriteString(c.c, hello+".\r\n")
			if got := c.expect("")[0]; strings.HasPrefix(got, "250 2.1.5") {
				break
			} else if !strings.HasPrefix(got, "451 ") {
				t.Fatalf("after the outage DATA got %q", got)
			}
		} else if !strings.HasPrefix(l, "451 ") {
			t.Fatalf("after the outage RCPT got %q (attempt %d)", l, attempt)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery within 30 s")
		}
		c.send("RSET")
		c.expect("250 ")
		time.Sleep(200 * time.Millisecond)
	}
	if n := inboxCount(t, dm.d, dm.alice); n != 2 {
		t.Fatalf("%d messages after recovery, want 2", n)
	}
}
