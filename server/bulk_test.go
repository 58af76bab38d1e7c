package server

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBulkTransfer sends a long line (many reads, large buffer class,
// several TLS records) and asks for output bigger than the outbound budget
// (direct writes), over plain TCP and TLS, and checks every byte.
func TestBulkTransfer(t *testing.T) {
	t.Parallel()
	certFile, keyFile, roots := writeCert(t, t.TempDir(), "bulk", 8)
	for _, kind := range []string{kindPlain, kindTLS} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t)
			cfg.Limits.MaxLineLength = 4 << 20
			cfg.Limits.MaxOutbound = 16 << 10
			cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
			ts := startServer(t, cfg, Options{}, kind)
			var nc net.Conn
			var err error
			if kind == kindTLS {
				nc, err = tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ts.addr(kind), tlsClientConfig(roots))
			} else {
				nc, err = net.Dial("tcp", ts.addr(kind))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(30 * time.Second))
			c := newClient(nc)
			if err := c.expect("* OK echo ready"); err != nil {
				t.Fatal(err)
			}
			var line strings.Builder
			for i := 0; line.Len() < 3<<20; i++ {
				line.WriteString(strconv.Itoa(i))
				line.WriteByte(' ')
			}
			go c.send(line.String() + "\r\n")
			got, err := c.readLine()
			if err != nil || got != line.String() {
				t.Fatalf("echo of %d bytes: got %d bytes, %v", line.Len(), len(got), err)
			}
			const big = 1<<20 + 123
			c.send("BIG " + strconv.Itoa(big) + "\r\n")
			buf := make([]byte, big+2)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf[:big], bytes.Repeat([]byte("x"), big)) || string(buf[big:]) != "\r\n" {
				t.Fatal("BIG output corrupted")
			}
			c.send("QUIT\r\n")
			if err := c.expect("BYE"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
