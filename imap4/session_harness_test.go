package imap4

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
)

// sessEnv is a running dbmail-imapd core on a private database.
type sessEnv struct {
	t     testing.TB
	d     *db.DB
	proto *Protocol
	addr  string
}

// startIMAP serves the IMAP protocol on a Unix socket over a fresh
// database of backend b with users "alice" and "bob" (password "secret").
func startIMAP(t testing.TB, b dbtest.Backend) *sessEnv {
	t.Helper()
	return startIMAPWith(t, b, func(*server.Config, *Config) {})
}

// startIMAPWith is startIMAP with a hook to adjust the configuration.
func startIMAPWith(t testing.TB, b dbtest.Backend, adjust func(*server.Config, *Config)) *sessEnv {
	t.Helper()
	d := dbtest.Open(t, b)
	ctx := context.Background()
	for _, u := range []string{"alice", "bob"} {
		if _, err := d.CreateUser(ctx, db.User{Name: u, Passwd: "secret", Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := server.Defaults("dbmail-imapd-test", 0)
	cfg.BindIP = nil
	cfg.Socket = filepath.Join(t.TempDir(), "imap.sock")
	cfg.PidDirectory = t.TempDir()
	cfg.Limits.LoginFailDelay = 0
	cfg.LoginTimeout, cfg.Timeout = 20*time.Second, 20*time.Second
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pcfg := Config{DB: d, Log: log, Banner: "test ready"}
	adjust(&cfg, &pcfg)
	proto := NewProtocol(pcfg)
	pool := server.NewPool(d.SQL, 2, 64) // dbtest allows 4 connections: leave some for the test itself
	srv, err := server.New(cfg, proto, server.Options{Logger: log, Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(sctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		pool.Close()
	})
	return &sessEnv{t: t, d: d, proto: proto, addr: cfg.Socket}
}

// rawClient speaks raw lines to the server.
type rawClient struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func (e *sessEnv) dial() *rawClient {
	e.t.Helper()
	c, err := net.Dial("unix", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: e.t, c: c, br: bufio.NewReader(c)}
	if g := rc.line(); !strings.HasPrefix(g, "* OK [CAPABILITY IMAP4rev1 ") {
		e.t.Fatalf("greeting %q", g)
	}
	return rc
}

// login dials and logs in as user.
func (e *sessEnv) login(user string) *rawClient {
	rc := e.dial()
	rc.cmd("L LOGIN " + user + " secret")
	return rc
}

func (rc *rawClient) line() string {
	rc.t.Helper()
	_ = rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	l, err := rc.br.ReadString('\n')
	if err != nil {
		rc.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

func (rc *rawClient) send(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		rc.t.Fatal(err)
	}
}

// cmd sends one line "tag ..." and returns every line up to and including
// the tagged completion.
func (rc *rawClient) cmd(line string) []string {
	rc.t.Helper()
	tag, _, _ := strings.Cut(line, " ")
	rc.send(line + "\r\n")
	return rc.until(tag)
}

// until reads lines up to the tagged completion of tag.
func (rc *rawClient) until(tag string) []string {
	rc.t.Helper()
	var out []string
	for {
		l := rc.line()
		out = append(out, l)
		if strings.HasPrefix(l, tag+" ") {
			return out
		}
	}
}

// expect runs a command and compares its whole response.
func (rc *rawClient) expect(line string, want ...string) {
	rc.t.Helper()
	got := rc.cmd(line)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		rc.t.Fatalf("%s:\n got: %q\nwant: %q", line, got, want)
	}
}

// forBackends runs f on every configured backend.
func forBackends(t *testing.T, f func(t *testing.T, e *sessEnv)) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			f(t, startIMAP(t, b))
		})
	}
}

// reply reads the response to an already sent command and compares it.
func (rc *rawClient) reply(tag string, want ...string) {
	rc.t.Helper()
	got := rc.until(tag)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		rc.t.Fatalf("reply to %s:\n got: %q\nwant: %q", tag, got, want)
	}
}

// aliceID returns the user id of alice.
func (e *sessEnv) aliceID(t testing.TB) int64 {
	t.Helper()
	u, err := e.d.UserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
