package server

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/server/logging"
)

type fakeLog struct {
	mu      sync.Mutex
	applied []logging.Config
	reopens int
}

func (f *fakeLog) Apply(c logging.Config) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, c)
	return nil
}

func (f *fakeLog) Reopen() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reopens++
	return nil
}

func serverCertSerial(t *testing.T, addr string, roots *tls.Config) int64 {
	t.Helper()
	tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, roots)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	return tc.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

func TestReloadThroughHangup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert1, key1, pool1 := writeCert(t, dir, "one", 11)
	cert2, key2, pool2 := writeCert(t, dir, "two", 22)
	cfg := testConfig(t)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = cert1, key1
	cfg.LoginTimeout = 10 * time.Second

	next := cfg
	next.TLS.CertFile, next.TLS.KeyFile = cert2, key2
	next.LoginTimeout = 200 * time.Millisecond
	next.Limits.MaxConnections = 7
	next.Log.FileMask = logging.MaskAll
	next.Port = 9999           // listener change: ignored
	next.MaxDBConnections = 99 // pool size change: ignored
	next.Trace = logging.TraceOn | logging.TraceSecrets

	fl := &fakeLog{}
	reloadErr := error(nil)
	opts := Options{Log: fl, Reload: func() (Config, error) { return next, reloadErr }}
	ts := startServer(t, cfg, opts, kindPlain, kindTLS)

	if got := serverCertSerial(t, ts.addr(kindTLS), tlsClientConfig(pool1)); got != 11 {
		t.Fatalf("serial before reload %d", got)
	}
	ts.proto.waitClose(5 * time.Second) // the TLS probe session
	idle := ts.dial(t, kindPlain)

	// A failing Reload hook changes nothing.
	reloadErr = errors.New("bad config")
	if err := ts.hangup(); err == nil {
		t.Fatal("hangup ignored the reload error")
	}
	reloadErr = nil
	if err := ts.hangup(); err != nil {
		t.Fatal(err)
	}
	cur := ts.Config()
	if cur.LoginTimeout != 200*time.Millisecond || cur.Limits.MaxConnections != 7 || cur.Trace != next.Trace {
		t.Fatalf("new values not applied: %+v", cur)
	}
	if cur.Port != cfg.Port || cur.MaxDBConnections != cfg.MaxDBConnections {
		t.Fatalf("restart-only values changed: port %d pool %d", cur.Port, cur.MaxDBConnections)
	}
	fl.mu.Lock()
	if fl.reopens != 1 || len(fl.applied) != 1 || fl.applied[0].FileMask != logging.MaskAll {
		t.Fatalf("logging: reopens %d applied %+v", fl.reopens, fl.applied)
	}
	fl.mu.Unlock()
	// New handshakes get the new certificate.
	if got := serverCertSerial(t, ts.addr(kindTLS), tlsClientConfig(pool2)); got != 22 {
		t.Fatalf("serial after reload %d", got)
	}
	ts.proto.waitClose(5 * time.Second)
	// The idle connection stayed open and its login_timeout is now the new one.
	if err := idle.expect("* BYE timeout"); err != nil {
		t.Fatal(err)
	}
	ts.expectClose(t, CloseLoginTimeout)
}

func TestReloadRejectsInvalid(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	bad := testConfig(t)
	bad.Backlog = 0
	if err := ts.Reload(bad); err == nil {
		t.Fatal("invalid config accepted")
	}
	bad = testConfig(t)
	bad.TLS.CertFile, bad.TLS.KeyFile = "/nonexistent.crt", "/nonexistent.key"
	if err := ts.Reload(bad); err == nil {
		t.Fatal("missing certificate accepted")
	}
	if ts.Config().TLS.Enabled() {
		t.Fatal("failed reload changed the config")
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	base := Defaults("dbmail-imapd", 143)
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"no program", func(c *Config) { c.Program = "" }},
		{"no listener", func(c *Config) { c.Port = 0 }},
		{"port range", func(c *Config) { c.Port = 70000 }},
		{"tls_port without cert", func(c *Config) { c.TLSPort = 993 }},
		{"backlog", func(c *Config) { c.Backlog = 0 }},
		{"timeout", func(c *Config) { c.Timeout = 0 }},
		{"login_timeout", func(c *Config) { c.LoginTimeout = -1 }},
		{"pool", func(c *Config) { c.MaxDBConnections = 0 }},
		{"line", func(c *Config) { c.Limits.MaxLineLength = 10 }},
		{"pipeline", func(c *Config) { c.Limits.MaxPipeline = 0 }},
		{"outbound", func(c *Config) { c.Limits.MaxOutbound = 1 }},
		{"window", func(c *Config) { c.Limits.LoginFailWindow = 0 }},
		{"bindip", func(c *Config) { c.BindIP = nil }},
	}
	for _, tt := range tests {
		c := base
		tt.mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if base.pidFile() != "/var/run/dbmail/dbmail-imapd.pid" || base.stateSocket() != "/var/run/dbmail/dbmail-imapd.state" {
		t.Errorf("defaults: %s %s", base.pidFile(), base.stateSocket())
	}
}

func TestCloseReasonNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for r := CloseNone; r <= CloseServiceUnavailable; r++ {
		n := r.String()
		if n == "" || n == "unknown" || seen[n] {
			t.Errorf("reason %d name %q", r, n)
		}
		seen[n] = true
	}
	if CloseReason(200).String() != "unknown" {
		t.Error("out of range reason")
	}
}

// *logging.Output is what a daemon passes as Options.Log.
var _ LogControl = (*logging.Output)(nil)
