package server

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// WakeAt calls OnWake once its time has come, on waiting plain-text (parked
// on Linux) and TLS connections; a later call moves it, a zero time
// cancels it.
func TestWakeAt(t *testing.T) {
	certFile, keyFile, roots := writeCert(t, t.TempDir(), "wakeat", 11)
	for _, kind := range []string{kindPlain, kindTLS} {
		t.Run(kind, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.TLS.CertFile, cfg.TLS.KeyFile = certFile, keyFile
			ts := startServer(t, cfg, Options{ParkAfter: -1}, kind)
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
			cl := newClient(nc)
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			if err := cl.expect("* OK echo ready"); err != nil {
				t.Fatal(err)
			}
			c := ts.conn(t)

			// Not before its time: nothing within 100 ms of a wake-up
			// asked for in 2 s.
			c.WakeAt(time.Now().Add(2 * time.Second))
			_ = nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if l, err := cl.readLine(); err == nil {
				t.Fatalf("got %q before the wake-up time", l)
			}
			cl.r.Reset(nc)
			// Moved earlier, it comes.
			c.WakeAt(time.Now().Add(20 * time.Millisecond))
			_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			if err := cl.expect("* WAKE"); err != nil {
				t.Fatal(err)
			}
			// Cancelled, it does not; the connection still answers.
			c.WakeAt(time.Now().Add(50 * time.Millisecond))
			c.WakeAt(time.Time{})
			time.Sleep(150 * time.Millisecond)
			if err := cl.send("ping\r\n"); err != nil {
				t.Fatal(err)
			}
			if err := cl.expect("ping"); err != nil {
				t.Fatal(err)
			}
			ts.wakeTimers.mu.Lock()
			left := len(ts.wakeTimers.h)
			ts.wakeTimers.mu.Unlock()
			if left != 0 {
				t.Fatalf("%d wake-ups still pending after cancel", left)
			}
		})
	}
}
