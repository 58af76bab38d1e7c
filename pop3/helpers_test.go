package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/server"
)

// env is a running dbmail-pop3d (in process) on one backend.
type env struct {
	t     testing.TB
	d     *db.DB
	proto *Protocol
	srv   *server.Server
	plain string // host:port of the plain listener
	tls   string // host:port of the implicit-TLS listener ("" without TLS)
	roots *x509.CertPool
}

type envOptions struct {
	tls           bool
	loginDisabled bool
	lease         time.Duration
	workers       int
	log           io.Writer // server log (text); discarded when nil
	beforeSMTP    bool
}

// startEnv starts a server on d with ephemeral ports.
func startEnv(t testing.TB, d *db.DB, o envOptions) *env {
	t.Helper()
	if o.workers == 0 {
		o.workers = 2 // dbtest handles have 4 connections: leave some to the test
	}
	pool := server.NewPool(d.SQL, o.workers, 100)
	t.Cleanup(pool.Close)
	p := &Protocol{Hostname: "pop.test", DB: d, Pool: pool, LoginDisabled: o.loginDisabled, LockLease: o.lease, BeforeSMTP: o.beforeSMTP,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Init(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, d: d, proto: p}
	var srv *server.Server
	for attempt := 0; ; attempt++ {
		cfg := server.Defaults("dbmail-pop3d", freePort(t))
		cfg.PidDirectory = t.TempDir()
		cfg.LoginTimeout = 20 * time.Second
		cfg.Timeout = 20 * time.Second
		cfg.WriteTimeout = 10 * time.Second
		cfg.ShutdownGrace = 2 * time.Second
		cfg.Limits.LoginFailDelay = 0
		cfg.Limits.MaxLoginFailures = 0
		cfg.MaxDBConnections = o.workers
		if o.tls {
			dir := t.TempDir()
			cfg.TLS.CertFile, cfg.TLS.KeyFile, e.roots = writeCert(t, dir)
			cfg.TLSPort = freePort(t)
		}
		var err error
		logw := o.log
		if logw == nil {
			logw = io.Discard
		}
		srv, err = server.New(cfg, p, server.Options{Logger: slog.New(slog.NewTextHandler(logw, nil)), Pool: pool, DB: d.SQL})
		if err != nil {
			t.Fatal(err)
		}
		err = srv.Listen()
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRINUSE) || attempt > 5 {
			t.Fatal(err)
		}
	}
	for i, a := range srv.Addrs() {
		if i == 0 {
			e.plain = a.String()
		} else {
			e.tls = a.String()
		}
	}
	e.srv = srv
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(sctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return e
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

func writeCert(t testing.TB, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pop.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "pop.crt"), filepath.Join(dir, "pop.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// addUser creates a user with a plain-text password and returns its id and
// INBOX id.
func addUser(t testing.TB, d *db.DB, name, pass string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	id, err := d.CreateUser(ctx, db.User{Name: name, Passwd: pass, Active: true})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	mb, err := d.FindMailbox(ctx, id, "INBOX")
	if err != nil {
		t.Fatalf("INBOX of %s: %v", name, err)
	}
	return id, mb.ID
}

// deliver stores raw into the mailbox and returns the message's wire form
// (what RETR must send).
func deliver(t testing.TB, d *db.DB, userID, mailboxID int64, raw []byte) []byte {
	t.Helper()
	m, err := message.Parse(raw, message.Options{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ctx := context.Background()
	physID, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: mailboxID, QuotaUser: userID}})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	var buf bytes.Buffer
	if _, err := d.WriteMessage(ctx, physID, &buf, message.FormCRLF); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	return buf.Bytes()
}

// corpus returns n corpus messages.
func corpus(t testing.TB, n int) [][]byte {
	t.Helper()
	files := testutil.CorpusFiles(t)
	if len(files) < n {
		t.Fatalf("corpus has %d messages, need %d", len(files), n)
	}
	out := make([][]byte, n)
	for i := range out {
		b, err := os.ReadFile(files[i*len(files)/n])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// forEachBackend runs fn on every backend with a fresh database.
func forEachBackend(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, dbtest.Open(t, b))
		})
	}
}

// client is a raw POP3 transcript client.
type client struct {
	t        testing.TB
	nc       net.Conn
	r        *bufio.Reader
	greeting string
}

func dialRaw(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// reset starts reading afresh on c.nc (after a TLS upgrade).
func (c *client) reset() { c.r = bufio.NewReader(c.nc) }

// init reads and checks the greeting.
func (c *client) init() {
	c.t.Helper()
	_ = c.nc.SetDeadline(time.Now().Add(60 * time.Second))
	c.t.Cleanup(func() { c.nc.Close() })
	c.reset()
	c.greeting = c.line()
	if !strings.HasPrefix(c.greeting, "+OK DBMAIL pop3 server ready to rock <") || !strings.HasSuffix(c.greeting, "@pop.test>") {
		c.t.Fatalf("greeting %q", c.greeting)
	}
}

func (e *env) dial(t testing.TB) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", e.plain, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

func (e *env) dialTLS(t testing.TB) *client {
	t.Helper()
	nc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", e.tls, &tls.Config{RootCAs: e.roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

func newClient(t testing.TB, nc net.Conn) *client {
	c := &client{t: t, nc: nc}
	c.init()
	return c
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, line+"\r\n"); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// line reads one response line without CRLF; it fails on a bare LF.
func (c *client) line() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, s)
	}
	if !strings.HasSuffix(s, "\r\n") {
		c.t.Fatalf("line without CRLF: %q", s)
	}
	return strings.TrimSuffix(s, "\r\n")
}

// cmd sends line and asserts the exact one-line answer.
func (c *client) cmd(line, want string) {
	c.t.Helper()
	c.send(line)
	c.expect(want)
}

func (c *client) expect(want string) {
	c.t.Helper()
	if got := c.line(); got != want {
		c.t.Fatalf("got %q, want %q", got, want)
	}
}

// multi reads a multi-line body up to ".", undoing the dot-stuffing, and
// returns it with CRLF line ends.
func (c *client) multi() []byte {
	c.t.Helper()
	var out bytes.Buffer
	for {
		s, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read body: %v", err)
		}
		if !strings.HasSuffix(s, "\r\n") {
			c.t.Fatalf("body line without CRLF: %q", s)
		}
		if s == ".\r\n" {
			return out.Bytes()
		}
		if strings.HasPrefix(s, ".") {
			if !strings.HasPrefix(s, "..") {
				c.t.Fatalf("dot line not stuffed: %q", s)
			}
			s = s[1:]
		}
		out.WriteString(s)
	}
}

// lines is multi as a list of lines.
func (c *client) lines() []string {
	c.t.Helper()
	b := c.multi()
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
}

// login runs USER/PASS and checks the greeting line of TRANSACTION.
func (c *client) login(user, pass string, n int, octets int64) {
	c.t.Helper()
	c.cmd("USER "+user, "+OK Password required for "+user)
	c.cmd("PASS "+pass, fmt.Sprintf("+OK %s has %d messages (%d octets)", user, n, octets))
}

// closed asserts the server closed the connection.
func (c *client) closed() {
	c.t.Helper()
	b, err := c.r.ReadByte()
	if err == nil {
		c.t.Fatalf("connection still open, got byte %q", b)
	}
}

func totalSize(msgs [][]byte) int64 {
	var n int64
	for _, m := range msgs {
		n += int64(len(m))
	}
	return n
}

// status reads the status column of a message row.
func status(t testing.TB, d *db.DB, mailboxID int64) []int {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT status FROM {messages} WHERE mailbox_idnr = ? ORDER BY message_idnr`, mailboxID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var s int
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
