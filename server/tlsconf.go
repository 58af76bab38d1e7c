package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// certStore holds the current certificate; SIGHUP swaps it atomically and
// new handshakes use the new one while open connections keep theirs.
type certStore struct {
	cert atomic.Pointer[tls.Certificate]
}

func (s *certStore) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cert.Load(), nil
}

// loadTLS reads tls_cert, tls_key and tls_cafile (spec 5.3) and returns the
// certificate and the cipher suites from tls_ciphers.
func loadTLS(f TLSFiles) (*tls.Certificate, []uint16, []string, error) {
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("tls_cert %s / tls_key %s: %w", f.CertFile, f.KeyFile, err)
	}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("tls_cafile: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, nil, nil, fmt.Errorf("tls_cafile %s: no PEM certificate", f.CAFile)
		}
	}
	suites, ignored := ParseCiphers(f.Ciphers)
	return &cert, suites, ignored, nil
}

// newTLSConfig builds the server tls.Config around the store. TLS 1.2 is
// the minimum; TLS 1.3 suites are not configurable in Go.
func newTLSConfig(store *certStore, suites []uint16) *tls.Config {
	return &tls.Config{
		GetCertificate: store.get,
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   suites,
	}
}

// ParseCiphers maps a tls_ciphers value to TLS 1.2 cipher suites. Entries
// are separated by ':', ',' or spaces and name a suite in OpenSSL spelling
// (ECDHE-RSA-AES128-GCM-SHA256) or Go/IANA spelling
// (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). OpenSSL keywords and operators
// (HIGH, !aNULL, @STRENGTH, …) cannot be expressed in Go and are returned
// as ignored; when nothing usable remains, nil selects Go's defaults.
func ParseCiphers(v string) (suites []uint16, ignored []string) {
	byName := map[string]uint16{}
	for _, cs := range tls.CipherSuites() {
		byName[cs.Name] = cs.ID
		byName[opensslName(cs.Name)] = cs.ID
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		if id, ok := byName[f]; ok {
			suites = append(suites, id)
		} else {
			ignored = append(ignored, f)
		}
	}
	return suites, ignored
}

// opensslName converts Go's IANA suite name to OpenSSL's spelling:
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 → ECDHE-RSA-AES128-GCM-SHA256,
// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 → ECDHE-ECDSA-CHACHA20-POLY1305,
// TLS_RSA_WITH_AES_128_CBC_SHA → AES128-SHA.
func opensslName(iana string) string {
	s := strings.TrimPrefix(iana, "TLS_")
	kx, enc, ok := strings.Cut(s, "_WITH_")
	if !ok {
		return iana
	}
	enc = strings.NewReplacer("AES_128", "AES128", "AES_256", "AES256", "3DES_EDE_CBC", "DES_CBC3").Replace(enc)
	enc = strings.Replace(enc, "CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305", 1)
	enc = strings.Replace(enc, "_CBC_", "_", 1)
	name := enc
	if kx != "RSA" {
		name = kx + "_" + enc
	}
	return strings.ReplaceAll(name, "_", "-")
}
