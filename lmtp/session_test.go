package lmtp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/lmtp"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/server"
)

type env struct {
	d     *db.DB
	addr  string
	alice int64
	bob   int64
	sent  string // file the fake sendmail appends to
}

// start runs dbmail-lmtpd's protocol on 127.0.0.1:0 over a fresh database.
func start(t *testing.T, b dbtest.Backend, maxMessage int64) *env {
	t.Helper()
	d := dbtest.Open(t, b)
	// dbtest opens 4 connections: 2 pool workers and spares, as the
	// daemon sizes them (cmd/internal/daemon).
	ctx := context.Background()
	e := &env{d: d}
	var err error
	if e.alice, err = d.CreateUser(ctx, db.User{Name: "alice", Passwd: "x", Active: true}); err != nil {
		t.Fatal(err)
	}
	if e.bob, err = d.CreateUser(ctx, db.User{Name: "bob", Passwd: "x", MaxMailSize: 10, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddAlias(ctx, "alice@example.com", fmt.Sprint(e.alice), 0); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e.sent = filepath.Join(dir, "sent")
	script := filepath.Join(dir, "sendmail")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"ARGS $*\" >> "+e.sent+"\ncat >> "+e.sent+"\n"), 0o755)
	if err := d.AddAlias(ctx, "fwd@example.com", "elsewhere@remote.example", 0); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dl := &delivery.Deliverer{DB: d, Mailer: &delivery.SendmailMailer{Command: script}, Log: log, Opt: delivery.Options{Subaddress: true}}
	proto := &lmtp.Protocol{Hostname: "mx.test", DB: d, Deliverer: dl, MaxMessage: maxMessage}
	cfg := server.Defaults("dbmail-lmtpd", 1)
	cfg.PidDirectory = t.TempDir()
	cfg.MaxDBConnections = 2
	pool := server.NewPool(d.SQL, 2, 64)
	t.Cleanup(pool.Close)
	s, err := server.New(cfg, proto, server.Options{Logger: log, Pool: pool})
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

type client struct {
	t  *testing.T
	tp *textproto.Conn
	c  net.Conn
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, tp: textproto.NewConn(c), c: c}
	cl.expect("220 mx.test LMTP")
	return cl
}

func (c *client) send(line string) {
	c.t.Helper()
	if err := c.tp.PrintfLine("%s", line); err != nil {
		c.t.Fatal(err)
	}
}

// expect reads one reply line and compares it exactly.
func (c *client) expect(want string) {
	c.t.Helper()
	got, err := c.tp.ReadLine()
	if err != nil {
		c.t.Fatalf("waiting for %q: %v", want, err)
	}
	if got != want {
		c.t.Fatalf("got %q, want %q", got, want)
	}
}

func (c *client) lhlo() {
	c.t.Helper()
	c.send("LHLO client.test")
	for _, l := range []string{"250-mx.test", "250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-SMTPUTF8"} {
		c.expect(l)
	}
	if l, _ := c.tp.ReadLine(); !strings.HasPrefix(l, "250 SIZE") {
		c.t.Fatalf("last LHLO line %q", l)
	}
}

const msg = "From: sender@example.org\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nHello.\r\n.. a line starting with a dot\r\n"

func stored(t *testing.T, d *db.DB, owner int64) [][]byte {
	t.Helper()
	ctx := context.Background()
	mb, err := d.FindMailbox(ctx, owner, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := d.MailboxMessages(ctx, mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, mi := range msgs {
		var b bytes.Buffer
		if _, err := d.WriteMessage(ctx, mi.PhysID, &b, message.FormCRLF); err != nil {
			t.Fatal(err)
		}
		if int64(b.Len()) != mi.RFCSize {
			t.Fatalf("RFC822.SIZE %d, wire form %d bytes", mi.RFCSize, b.Len())
		}
		out = append(out, b.Bytes())
	}
	return out
}

// The RFC 2033 §4.2 transaction: one reply per accepted recipient after DATA.
func TestTranscript(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := start(t, b, 0)
			c := dial(t, e.addr)
			c.lhlo()
			c.send("MAIL FROM:<sender@example.org> BODY=8BITMIME")
			c.expect("250 2.1.0 Sender <sender@example.org> OK")
			c.send("RCPT TO:<alice@example.com>")
			c.expect("250 2.1.5 Recipient <alice@example.com> OK")
			c.send("RCPT TO:<nosuch@example.com>")
			c.expect("550 5.1.1 Recipient <nosuch@example.com> unknown")
			c.send("RCPT TO:<alice+Work@example.com>")
			c.expect("250 2.1.5 Recipient <alice+Work@example.com> OK")
			c.send("DATA")
			c.expect("354 Start mail input; end with <CRLF>.<CRLF>")
			c.c.Write([]byte(strings.ReplaceAll(msg, "\r\n..", "\r\n...") + ".\r\n"))
			c.expect("250 2.1.5 Recipient <alice@example.com> OK")
			c.expect("250 2.1.5 Recipient <alice+Work@example.com> OK")
			c.send("QUIT")
			c.expect("221 2.0.0 mx.test Service closing transmission channel")

			got := stored(t, e.d, e.alice)
			want := "Return-Path: <sender@example.org>\r\n" + msg
			if len(got) != 2 || string(got[0]) != want || string(got[1]) != want {
				t.Fatalf("stored %d messages: %q", len(got), got)
			}
			var phys int64
			e.d.QueryRow(context.Background(), `SELECT COUNT(DISTINCT physmessage_id) FROM {messages}`).Scan(&phys)
			if phys != 1 {
				t.Fatalf("%d physmessages for one transaction, want 1", phys)
			}
		})
	}
}

// All commands of a transaction in one write (RFC 2920 PIPELINING).
func TestPipelining(t *testing.T) {
	e := start(t, dbtest.Backends(t)[0], 0)
	c := dial(t, e.addr)
	c.c.Write([]byte("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice>\r\nRCPT TO:<bob>\r\nDATA\r\n" + msg + ".\r\nRSET\r\nQUIT\r\n"))
	for i := 0; i < 6; i++ {
		c.tp.ReadLine() // LHLO reply
	}
	c.expect("250 2.1.0 Sender <> OK")
	c.expect("250 2.1.5 Recipient <alice> OK")
	c.expect("250 2.1.5 Recipient <bob> OK")
	c.expect("354 Start mail input; end with <CRLF>.<CRLF>")
	c.expect("250 2.1.5 Recipient <alice> OK")
	c.expect("552 5.2.2 Recipient <bob> Mailbox full") // bob's quota is 10 bytes
	c.expect("250 2.0.0 OK")
	c.expect("221 2.0.0 mx.test Service closing transmission channel")
	if got := stored(t, e.d, e.bob); len(got) != 0 {
		t.Fatalf("bob got %d messages over quota", len(got))
	}
}

func TestErrors(t *testing.T) {
	e := start(t, dbtest.Backends(t)[0], 100)
	c := dial(t, e.addr)
	c.send("MAIL FROM:<a@b>")
	c.expect("503 5.5.1 Send LHLO first")
	c.lhlo()
	c.send("RCPT TO:<alice>")
	c.expect("503 5.5.1 Send MAIL first")
	c.send("MAIL FROM:<a@b> SIZE=1000")
	c.expect("552 5.3.4 Message size exceeds fixed maximum message size")
	c.send("MAIL FROM:<a@b>")
	c.expect("250 2.1.0 Sender <a@b> OK")
	c.send("VRFY alice")
	c.expect("502 5.5.1 Command not implemented")
	c.send("RCPT TO:<alice>")
	c.expect("250 2.1.5 Recipient <alice> OK")
	c.send("DATA")
	c.expect("354 Start mail input; end with <CRLF>.<CRLF>")
	c.c.Write([]byte(strings.Repeat("x", 200) + "\r\n.\r\n"))
	c.expect("552 5.3.4 Message size exceeds fixed maximum message size")
	c.send("NOOP")
	c.expect("250 2.0.0 OK")
	c.send("BOGUS") // the third error: DBMail drops the client
	c.expect("500 5.5.2 Command not recognized")
	c.expect("421 4.7.0 Too many errors, closing connection")
	if _, err := c.tp.ReadLine(); err == nil {
		t.Fatal("connection still open after too many errors")
	}
	c = dial(t, e.addr)
	c.send("HELO x")
	c.expect("500 5.5.1 This is an LMTP server: use LHLO")
}

// A recipient whose aliases only forward externally is accepted and the
// message forwarded (DBMail rejected it: spec 4.5).
func TestForwardOnlyAlias(t *testing.T) {
	e := start(t, dbtest.Backends(t)[0], 0)
	c := dial(t, e.addr)
	c.lhlo()
	c.send("MAIL FROM:<s@example.org>")
	c.expect("250 2.1.0 Sender <s@example.org> OK")
	c.send("RCPT TO:<fwd@example.com>")
	c.expect("250 2.1.5 Recipient <fwd@example.com> OK")
	c.send("DATA")
	c.expect("354 Start mail input; end with <CRLF>.<CRLF>")
	c.c.Write([]byte(msg + ".\r\n"))
	c.expect("250 2.1.5 Recipient <fwd@example.com> OK")
	out, err := os.ReadFile(e.sent)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("ARGS -i -f s@example.org elsewhere@remote.example")) || !bytes.Contains(out, []byte("Subject: hi")) {
		t.Fatalf("fake sendmail got %q", out)
	}
}

// Python's smtplib.LMTP, a real client library, delivers through the daemon.
func TestPythonLMTP(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	e := start(t, dbtest.Backends(t)[0], 0)
	host, port, _ := net.SplitHostPort(e.addr)
	script := `
import smtplib, sys
s = smtplib.LMTP(sys.argv[1], int(sys.argv[2]))
refused = s.sendmail("py@example.org", ["alice@example.com", "nobody@example.com"], "Subject: from python\r\n\r\nbody\r\n")
print(sorted(refused.items()))
s.quit()
`
	out, err := exec.Command(py, "-c", script, host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "nobody@example.com") || !strings.Contains(string(out), "550") {
		t.Fatalf("python reported %s", out)
	}
	got := stored(t, e.d, e.alice)
	if len(got) != 1 || !bytes.Contains(got[0], []byte("Subject: from python")) {
		t.Fatalf("stored %q", got)
	}
}

func TestLineTooLong(t *testing.T) {
	e := start(t, dbtest.Backends(t)[0], 0)
	c := dial(t, e.addr)
	w := bufio.NewWriter(c.c)
	w.WriteString("NOOP " + strings.Repeat("a", 70000) + "\r\nNOOP\r\n")
	w.Flush()
	c.expect("500 5.5.2 Line too long")
	c.expect("250 2.0.0 OK")
}
