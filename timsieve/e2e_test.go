package timsieve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/delivery"
	"github.com/dbmail-go/dbmail/lmtp"
	"github.com/dbmail-go/dbmail/server"
)

// startLMTP runs dbmail-lmtpd's protocol over e's database with Sieve on
// (SIEVE = yes, SIEVE_VACATION = yes) and a fake sendmail that appends
// its arguments and input to the returned file.
func startLMTP(t *testing.T, e *env) (addr, sent string) {
	t.Helper()
	// Both servers' workers hold a connection each, and the SieveSorter
	// queries through the pool beside the LMTP worker's connection (as the
	// daemons' extra connections allow): leave room for it.
	e.d.SQL.SetMaxOpenConns(16)
	ctx := context.Background()
	if err := e.d.AddAlias(ctx, "alice@example.com", fmt.Sprint(e.alice), 0); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sent = filepath.Join(dir, "sent")
	script := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"ARGS $*\" >> "+sent+"\ncat >> "+sent+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mailer := &delivery.SendmailMailer{Command: script}
	dl := &delivery.Deliverer{DB: e.d, Mailer: mailer, Log: log}
	dl.Sorter = delivery.NewSieveSorter(e.d, mailer, log, delivery.SieveOptions{Enabled: true, Vacation: true})
	proto := &lmtp.Protocol{Hostname: "mx.test", DB: e.d, Deliverer: dl}
	cfg := server.Defaults("dbmail-lmtpd", 1)
	cfg.PidDirectory = t.TempDir()
	pool := server.NewPool(e.d.SQL, 2, 16)
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
	return ln.Addr().String(), sent
}

// lmtpDeliver sends one message to alice over LMTP and checks the
// per-recipient reply.
func lmtpDeliver(t *testing.T, addr, from, msg, wantRcpt string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	read := func() string {
		t.Helper()
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("lmtp read: %v", err)
		}
		return strings.TrimRight(l, "\r\n")
	}
	read() // greeting
	fmt.Fprintf(c, "LHLO client.test\r\n")
	for l := read(); !strings.HasPrefix(l, "250 "); l = read() {
	}
	fmt.Fprintf(c, "MAIL FROM:<%s>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n", from)
	for _, want := range []string{"250 2.1.0", "250 2.1.5", "354 "} {
		if l := read(); !strings.HasPrefix(l, want) {
			t.Fatalf("lmtp: got %q, want %q…", l, want)
		}
	}
	fmt.Fprintf(c, "%s.\r\nQUIT\r\n", msg)
	if l := read(); l != wantRcpt {
		t.Fatalf("lmtp DATA reply %q, want %q", l, wantRcpt)
	}
}

// TestEndToEnd uploads a script over ManageSieve, activates it, delivers
// over LMTP and finds each message where the script put it, with the
// flags it set; vacation answers once per sender.
func TestEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b dbtest.Backend) {
		e := start(t, b, options{})
		lmtpAddr, sent := startLMTP(t, e)
		script := "require [\"fileinto\", \"imap4flags\", \"vacation\", \"reject\"];\r\n" +
			"if header :contains \"List-Id\" \"dev.example.org\" {\r\n" +
			"  fileinto :flags [\"\\\\Flagged\", \"Dev\"] \"Lists/dev\";\r\n" +
			"  stop;\r\n" +
			"}\r\n" +
			"if header :is \"subject\" \"go away\" { reject \"not wanted\"; stop; }\r\n" +
			"vacation :days 3 :addresses \"alice@example.com\" \"On holiday.\";\r\n"
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(fmt.Sprintf("PUTSCRIPT \"main\" {%d+}\r\n%s", len(script), script), `OK "Script successfully received."`)
		c.do(`SETACTIVE "main"`, `OK "Script activated."`)
		c.do("LOGOUT", `OK "Bye."`)

		list := "From: Dev List <dev@example.org>\r\nTo: dev@example.org\r\nList-Id: Developers <dev.example.org>\r\nSubject: release\r\n\r\nhi\r\n"
		lmtpDeliver(t, lmtpAddr, "dev-bounces@example.org", list, "250 2.1.5 Recipient <alice@example.com> OK")
		personal := "From: Bob <bob@example.org>\r\nTo: alice@example.com\r\nSubject: lunch\r\nMessage-ID: <lunch@example.org>\r\n\r\nlunch?\r\n"
		lmtpDeliver(t, lmtpAddr, "bob@example.org", personal, "250 2.1.5 Recipient <alice@example.com> OK")
		lmtpDeliver(t, lmtpAddr, "bob@example.org", strings.Replace(personal, "lunch", "dinner", -1), "250 2.1.5 Recipient <alice@example.com> OK")
		rejected := "From: Eve <eve@example.net>\r\nTo: alice@example.com\r\nSubject: go away\r\n\r\nx\r\n"
		lmtpDeliver(t, lmtpAddr, "eve@example.net", rejected, "550 5.7.1 Recipient <alice@example.com> Rejected by the recipient's filter")

		ctx := context.Background()
		check := func(box string, want []string) {
			t.Helper()
			mb, err := e.d.FindMailbox(ctx, e.alice, box)
			if err != nil {
				t.Fatalf("mailbox %s: %v", box, err)
			}
			msgs, err := e.d.MailboxMessages(ctx, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			kws, err := e.d.Keywords(ctx, mb.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, fmt.Sprintf("flagged=%v seen=%v kw=%v", m.Flags.Flagged, m.Flags.Seen, kws[m.UID]))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %v, want %v", box, got, want)
			}
		}
		check("Lists/dev", []string{"flagged=true seen=false kw=[Dev]"})
		check("INBOX", []string{"flagged=false seen=false kw=[]", "flagged=false seen=false kw=[]"})
		out, err := os.ReadFile(sent)
		if err != nil {
			t.Fatalf("no vacation reply sent: %v", err)
		}
		if n := strings.Count(string(out), "ARGS "); n != 1 || !strings.Contains(string(out), "ARGS -i -f alice@example.com bob@example.org\n") {
			t.Errorf("outgoing mail: %d messages:\n%s", n, out)
		}
		if _, _, err := e.d.ActiveSieveScript(ctx, e.alice); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := e.d.QueryRow(ctx, `SELECT COUNT(*) FROM {sievescripts} WHERE owner_idnr = ? AND active = 1`, e.alice).Scan(&n); err != nil || n != 1 {
			t.Errorf("active rows = %d, %v", n, err)
		}
	})
}
