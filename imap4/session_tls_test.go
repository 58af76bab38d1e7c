package imap4

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
)

// selfSigned writes a throwaway certificate and key for localhost.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
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

// TestSessionStartTLS: with TLS configured and login_disabled, a plain
// connection shows STARTTLS LOGINDISABLED and refuses LOGIN; after
// STARTTLS the AUTH= items appear and LOGIN works (RFC 3501 §6.2.1,
// spec 6.2).
func TestSessionStartTLS(t *testing.T) {
	cert, key := selfSigned(t)
	e := startIMAPWith(t, dbtest.Backends(t)[0], func(sc *server.Config, pc *Config) {
		sc.TLS = server.TLSFiles{CertFile: cert, KeyFile: key}
		pc.LoginDisabled = true
	})
	c := e.dial()
	c.expect("a CAPABILITY", "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED ID LITERAL+ ENABLE", "a OK CAPABILITY completed")
	c.expect("b LOGIN alice secret", "b NO [PRIVACYREQUIRED] try STARTTLS first")
	// Input pipelined after STARTTLS must be dropped, not run after the
	// handshake (RFC 3501 §6.2.1).
	c.send("c STARTTLS\r\nd LOGIN alice secret\r\n")
	if l := c.line(); l != "c OK Begin TLS now" {
		t.Fatalf("STARTTLS: %q", l)
	}
	tc := tls.Client(c.c, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	c.c, c.br = tc, bufio.NewReader(tc)
	c.expect("e CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5 SASL-IR ID LITERAL+ ENABLE", "e OK CAPABILITY completed")
	c.expect("f STARTTLS", "f NO TLS already active")
	got := c.cmd("g LOGIN alice secret")
	if len(got) != 1 || got[0] != "g OK [CAPABILITY "+postLoginCaps+"] User alice authenticated" {
		t.Fatalf("LOGIN over TLS: %q", got)
	}
}
