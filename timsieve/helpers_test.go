package timsieve

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
	"github.com/dbmail-go/dbmail/sieve"
)

// testImpl is the IMPLEMENTATION capability the test servers send.
const testImpl = "DBMail sieved test"

// env is a running ManageSieve server over a fresh database.
type env struct {
	t     testing.TB
	b     dbtest.Backend
	d     *db.DB
	addr  string
	alice int64
	bob   int64
	proto *Protocol
}

// options tune start.
type options struct {
	tls       bool  // configure a certificate (STARTTLS advertised)
	maxScript int64 // Protocol.MaxScriptSize
}

// forEachBackend runs fn on SQLite and on every server backend configured.
func forEachBackend(t *testing.T, fn func(t *testing.T, b dbtest.Backend)) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// start runs the ManageSieve protocol on 127.0.0.1:0 with users alice
// (password "secret") and bob ("hunter2").
func start(t testing.TB, b dbtest.Backend, o options) *env {
	t.Helper()
	d := dbtest.Open(t, b)
	ctx := context.Background()
	e := &env{t: t, b: b, d: d}
	var err error
	if e.alice, err = d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true}); err != nil {
		t.Fatal(err)
	}
	if e.bob, err = d.CreateUser(ctx, db.User{Name: "bob", Passwd: "hunter2", Active: true}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.proto = &Protocol{DB: d, Implementation: testImpl, Sieve: sieve.Options{}, MaxScriptSize: o.maxScript, Log: log}
	cfg := server.Defaults("dbmail-timsieved", 1)
	cfg.PidDirectory = t.TempDir()
	cfg.MaxDBConnections = 2
	cfg.Limits.LoginFailDelay = 0
	cfg.Limits.MaxLoginFailures = 0 // no lockout: the fuzzer logs in after failures
	cfg.LoginTimeout = 20 * time.Second
	if o.tls {
		cfg.TLS.CertFile, cfg.TLS.KeyFile = writeCert(t)
	}
	pool := server.NewPool(d.SQL, 2, 16)
	t.Cleanup(pool.Close)
	s, err := server.New(cfg, e.proto, server.Options{Logger: log, Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Adopt(ln, false)
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(sctx) }()
	t.Cleanup(func() { cancel(); <-done })
	e.addr = ln.Addr().String()
	return e
}

// writeCert writes a self-signed certificate for 127.0.0.1 and returns
// the PEM file paths.
func writeCert(t testing.TB) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// client is a raw ManageSieve client for transcripts.
type client struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func (e *env) dial() *client {
	e.t.Helper()
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	e.t.Cleanup(func() { c.Close() })
	return &client{t: e.t, c: c, r: bufio.NewReader(c)}
}

// capabilities is the capability block the test server sends before
// authentication (tls: STARTTLS offered).
func capabilities(starttls bool) []string {
	sasl := `"SASL" "PLAIN LOGIN"`
	if starttls {
		sasl = `"SASL" ""` // plain-text logins wait for STARTTLS
	}
	out := []string{
		`"IMPLEMENTATION" "` + testImpl + `"`,
		sasl,
		`"SIEVE" "` + strings.Join(sieve.Extensions(sieve.Options{}), " ") + `"`,
	}
	if starttls {
		out = append(out, `"STARTTLS"`)
	}
	return append(out, `"MAXREDIRECTS" "4"`, `"UNAUTHENTICATE"`, `"VERSION" "1.0"`)
}

// greeting reads the greeting and checks it.
func (c *client) greeting(starttls bool) {
	c.t.Helper()
	c.expect(append(capabilities(starttls), `OK "DBMail ManageSieve ready."`)...)
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, s); err != nil {
		c.t.Fatal(err)
	}
}

// line reads one response line without its CRLF.
func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	if !strings.HasSuffix(l, "\r\n") {
		c.t.Fatalf("line %q does not end in CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// expect reads len(want) lines and compares them exactly.
func (c *client) expect(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if got := c.line(); got != w {
			c.t.Fatalf("got %q, want %q", got, w)
		}
	}
}

// do sends a command line (CRLF added) and expects the lines.
func (c *client) do(cmd string, want ...string) {
	c.t.Helper()
	c.send(cmd + "\r\n")
	c.expect(want...)
}

// expectEOF checks that the server closed the connection.
func (c *client) expectEOF() {
	c.t.Helper()
	if l, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("got %q, want the connection closed", l)
	}
}

func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// login authenticates as alice.
func (c *client) login() {
	c.t.Helper()
	c.do(`AUTHENTICATE "PLAIN" "`+plain("alice", "secret")+`"`, `OK "Logged in."`)
}

// startTLS upgrades the connection, trusting any certificate.
func (c *client) startTLS() {
	c.t.Helper()
	tc := tls.Client(c.c, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.c = tc
	c.r = bufio.NewReader(tc)
}
