package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testConfig is a valid config with short timeouts; tests bind their own
// ephemeral listeners, so Port is only a placeholder.
func testConfig(t testing.TB) Config {
	t.Helper()
	cfg := Defaults("dbmail-test", 1)
	cfg.LoginTimeout = 5 * time.Second
	cfg.Timeout = 5 * time.Second
	cfg.WriteTimeout = 2 * time.Second
	cfg.ShutdownGrace = 2 * time.Second
	cfg.Limits.LoginFailDelay = 0
	cfg.PidDirectory = t.TempDir()
	return cfg
}

type testServer struct {
	*Server
	proto  *echoProto
	cancel context.CancelFunc
	done   chan struct{}
}

// startServer starts a server with one ephemeral listener of each kind
// given (kindPlain, kindTLS, kindUnix) and stops it at cleanup.
func startServer(t *testing.T, cfg Config, opts Options, kinds ...string) *testServer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := newEchoProto()
	s, err := New(cfg, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		var ln net.Listener
		var path string
		switch k {
		case kindUnix:
			path = filepath.Join(t.TempDir(), "s.sock")
			ln, err = listenUnix(path, 16)
		default:
			ln, err = listenTCP("127.0.0.1", 0, 16, false)
		}
		if err != nil {
			t.Fatal(err)
		}
		s.listeners = append(s.listeners, boundListener{ln: ln, kind: k, path: path})
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: s, proto: p, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(ts.done)
		if err := s.Serve(ctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	ts.cancel()
	<-ts.done
}

func (ts *testServer) addr(kind string) string {
	for _, l := range ts.listeners {
		if l.kind == kind {
			return l.ln.Addr().String()
		}
	}
	return ""
}

// dial connects to the listener of kind and reads the greeting.
func (ts *testServer) dial(t *testing.T, kind string) *client {
	t.Helper()
	network := "tcp"
	if kind == kindUnix {
		network = "unix"
	}
	nc, err := net.DialTimeout(network, ts.addr(kind), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { nc.Close() })
	c := newClient(nc)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	return c
}

// conn returns the server side of the only (or newest) session.
func (ts *testServer) conn(t *testing.T) *Conn {
	t.Helper()
	ss := ts.sessions()
	if len(ss) == 0 {
		t.Fatal("no session")
	}
	return ss[len(ss)-1]
}

// writeCert generates a self-signed ECDSA certificate for 127.0.0.1 and
// localhost and returns the PEM file paths and a pool trusting it.
func writeCert(t testing.TB, dir, name string, serial int64) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
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

func tlsClientConfig(pool *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

// expectClose waits for the next closed session and checks its reason.
func (ts *testServer) expectClose(t *testing.T, want CloseReason) {
	t.Helper()
	ev, err := ts.proto.waitClose(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ev.reason != want {
		t.Fatalf("close reason %s, want %s", ev.reason, want)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServe runs s.Serve until the test ends.
func startServe(t *testing.T, s *Server) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ctx
}
