package server

import (
	"crypto/tls"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func TestParseBindIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"127.0.0.1", []string{"127.0.0.1"}, true},
		{"*", []string{"0.0.0.0"}, true},
		{"0.0.0.0, ::", []string{"0.0.0.0", "::"}, true},
		{"127.0.0.1,::1  10.0.0.1", []string{"127.0.0.1", "::1", "10.0.0.1"}, true},
		{"[::1]", []string{"::1"}, true},
		{"", nil, false},
		{"localhost", nil, false},
		{"1.2.3.4.5", nil, false},
	}
	for _, tt := range tests {
		got, err := ParseBindIP(tt.in)
		if (err == nil) != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseBindIP(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseBindIP(f *testing.F) {
	for _, s := range []string{"*", "0.0.0.0, ::", "[::1]", "127.0.0.1 , ::1", "fe80::1%lo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := ParseBindIP(s)
		if err != nil {
			return
		}
		if len(out) == 0 {
			t.Fatalf("ParseBindIP(%q): no addresses and no error", s)
		}
		for _, a := range out {
			if _, err := ParseBindIP(a); err != nil {
				t.Fatalf("ParseBindIP(%q) gave %q which does not parse again: %v", s, a, err)
			}
		}
	})
}

func TestParseCiphers(t *testing.T) {
	t.Parallel()
	suites, ignored := ParseCiphers("ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA:HIGH:!aNULL")
	want := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
	if !reflect.DeepEqual(suites, want) {
		t.Errorf("suites = %x, want %x", suites, want)
	}
	if !reflect.DeepEqual(ignored, []string{"HIGH", "!aNULL"}) {
		t.Errorf("ignored = %q", ignored)
	}
	if s, _ := ParseCiphers(""); s != nil {
		t.Errorf("empty list gave %x, want nil (Go defaults)", s)
	}
}

func TestEchoTranscriptIPv4(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	// Several commands in one write, a line split over two writes, LF only.
	if err := c.send("hello\r\nworld\r\nspl"); err != nil {
		t.Fatal(err)
	}
	if err := c.expect("hello", "world"); err != nil {
		t.Fatal(err)
	}
	if err := c.send("it\nQUIT\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.expect("split", "BYE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.readLine(); err == nil {
		t.Fatal("connection still open after QUIT")
	}
	ts.expectClose(t, CloseClientQuit)
}

func TestListenIPv6(t *testing.T) {
	t.Parallel()
	ln, err := listenTCP("::1", 0, 16, true)
	if err != nil {
		t.Skipf("IPv6 loopback not available: %v", err)
	}
	ln.Close()
	// Bind through the public path: Listen with bindip ::1 and 127.0.0.1 on
	// the same free port, IPv6-only so both can be bound.
	port := freePort(t)
	cfg := testConfig(t)
	cfg.BindIP = []string{"127.0.0.1", "::1"}
	cfg.Port = port
	cfg.ReusePort = true
	p := newEchoProto()
	s, err := New(cfg, p, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	startServe(t, s)
	for _, host := range []string{"127.0.0.1", "::1"} {
		nc, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(nc)
		if err := c.expect("* OK echo ready"); err != nil {
			t.Fatal(err)
		}
		c.send("v6?\r\n")
		if err := c.expect("v6?"); err != nil {
			t.Fatal(err)
		}
		nc.Close()
	}
}

func TestListenUnixSocket(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindUnix)
	path := ts.addr(kindUnix)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSocket == 0 || fi.Mode()&fs.ModeSetgid == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("socket mode %v, want socket 02777", fi.Mode())
	}
	c := ts.dial(t, kindUnix)
	c.send("via unix\r\n")
	if err := c.expect("via unix"); err != nil {
		t.Fatal(err)
	}
	snap := ts.conn(t).Snapshot(time.Now())
	if snap.Listener != kindUnix || snap.Peer != "unix" {
		t.Errorf("snapshot listener %q peer %q", snap.Listener, snap.Peer)
	}
	ts.stop()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file not removed at shutdown: %v", err)
	}
}

func TestListenUnixRefusesNonSocket(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "file")
	os.WriteFile(path, []byte("x"), 0o600)
	if _, err := listenUnix(path, 8); err == nil {
		t.Fatal("listenUnix over a regular file succeeded")
	}
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	certFile, keyFile, pool := writeCert(t, t.TempDir(), "b", 2)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
	ts := startServer(t, cfg, Options{}, kindTLS)
	tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ts.addr(kindTLS), tlsClientConfig(pool))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := newClient(tc)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	c.send("secret echo\r\nSTARTTLS\r\n")
	if err := c.expect("secret echo", "NO TLS not available"); err != nil {
		t.Fatal(err)
	}
	if !ts.conn(t).IsTLS() {
		t.Error("IsTLS false on implicit TLS")
	}
}

func TestStartTLS(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	certFile, keyFile, roots := writeCert(t, t.TempDir(), "c", 3)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
	ts := startServer(t, cfg, Options{}, kindPlain)
	nc, err := net.Dial("tcp", ts.addr(kindPlain))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := newClient(nc)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	// Plaintext command injection after STARTTLS must be dropped (RFC 3207 §4.2).
	c.send("STARTTLS\r\ninjected\r\n")
	if err := c.expect("OK begin"); err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(nc, tlsClientConfig(roots))
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	tcl := newClient(tc)
	tcl.send("after tls\r\n")
	if err := tcl.expect("after tls"); err != nil {
		t.Fatal(err)
	}
	if !ts.conn(t).IsTLS() {
		t.Error("IsTLS false after STARTTLS")
	}
	tcl.send("STARTTLS\r\n")
	if err := tcl.expect("NO TLS not available"); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSWithoutCertificate(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testConfig(t), Options{}, kindPlain)
	c := ts.dial(t, kindPlain)
	c.send("STARTTLS\r\n")
	if err := c.expect("NO TLS not available"); err != nil {
		t.Fatal(err)
	}
}

func TestTLSHandshakeFailure(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.TLS.CertFile, cfg.TLS.KeyFile, _ = writeCert(t, t.TempDir(), "d", 4)
	ts := startServer(t, cfg, Options{}, kindTLS)
	nc, err := net.Dial("tcp", ts.addr(kindTLS))
	if err != nil {
		t.Fatal(err)
	}
	nc.Write([]byte("this is not a TLS client hello\r\n\r\n"))
	ev, err := ts.proto.waitClose(500 * time.Millisecond)
	if err == nil {
		t.Fatalf("session created and closed (%s) before the handshake", ev.reason)
	}
	buf := make([]byte, 64)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, err := nc.Read(buf); err != nil {
			break // server closed the connection
		}
	}
	nc.Close()
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

func TestTLSWakeAndTimeout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	certFile, keyFile, roots := writeCert(t, t.TempDir(), "w", 5)
	cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
	cfg.LoginTimeout = 400 * time.Millisecond
	ts := startServer(t, cfg, Options{}, kindTLS)
	tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ts.addr(kindTLS), tlsClientConfig(roots))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	c := newClient(tc)
	if err := c.expect("* OK echo ready"); err != nil {
		t.Fatal(err)
	}
	// A wake-up interrupts the read inside crypto/tls; the stream survives.
	ts.conn(t).Wake()
	if err := c.expect("* WAKE"); err != nil {
		t.Fatal(err)
	}
	c.send("after wake\r\n")
	if err := c.expect("after wake"); err != nil {
		t.Fatal(err)
	}
	if err := c.expect("* BYE timeout"); err != nil {
		t.Fatal(err)
	}
	ts.expectClose(t, CloseLoginTimeout)
}

func TestListenFromConfig(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Port, cfg.TLSPort = freePort(t), freePort(t)
	cfg.TLS.CertFile, cfg.TLS.KeyFile, _ = writeCert(t, t.TempDir(), "l", 6)
	cfg.Socket = filepath.Join(t.TempDir(), "lmtp.sock")
	s, err := New(cfg, newEchoProto(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	var got []string
	for _, a := range s.Addrs() {
		got = append(got, a.String())
	}
	want := []string{"127.0.0.1:" + strconv.Itoa(cfg.Port), "127.0.0.1:" + strconv.Itoa(cfg.TLSPort), cfg.Socket}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("bound %q, want %q", got, want)
	}
	// A second server on the same addresses fails and leaves nothing bound.
	cfg2 := cfg
	cfg2.Socket = ""
	cfg2.Port = freePort(t) // binds, then tls_port fails
	s2, err := New(cfg2, newEchoProto(), Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Listen()
	if err == nil || !isAddrInUse(err) {
		t.Fatalf("second Listen: %v, want address in use", err)
	}
	if n := len(s2.Addrs()); n != 0 {
		t.Fatalf("%d listeners left after a failed Listen", n)
	}
	ln, err := listenTCP("127.0.0.1", cfg2.Port, 8, false)
	if err != nil {
		t.Fatalf("port of the failed Listen still bound: %v", err)
	}
	ln.Close()
}

func TestSdNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	if err := sdNotify("READY=1"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "READY=1" {
		t.Fatalf("got %q %v", buf[:n], err)
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if err := sdNotify("STOPPING=1"); err != nil {
		t.Fatalf("without NOTIFY_SOCKET: %v", err)
	}
}

func FuzzParseCiphers(f *testing.F) {
	for _, s := range []string{"HIGH:!aNULL:!MD5", "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256, AES256-SHA", ""} {
		f.Add(s)
	}
	known := map[uint16]bool{}
	for _, cs := range tls.CipherSuites() {
		known[cs.ID] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		suites, ignored := ParseCiphers(s)
		for _, id := range suites {
			if !known[id] {
				t.Fatalf("ParseCiphers(%q) returned insecure or unknown suite %#x", s, id)
			}
		}
		for _, w := range ignored {
			if w == "" {
				t.Fatalf("ParseCiphers(%q): empty ignored entry", s)
			}
		}
	})
}
