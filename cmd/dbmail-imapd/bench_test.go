package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/cmd/internal/daemontest"
	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/notify"
)

// BenchmarkCrossProcessIdle measures a delivery made by another process
// (this test process, storing and publishing as dbmail-lmtpd would, with
// its own notify.Relay on the daemon's pid_directory) reaching an IDLE client of
// the real dbmail-imapd binary as "* n EXISTS" (SQLite). It reports the
// median and 90th percentile from commit to the client reading the line.
func BenchmarkCrossProcessIdle(b *testing.B) {
	bin := daemontest.Build(b, "dbmail-imapd")
	be := dbtest.Backends(b)[0]
	uri, d := dbtest.OpenURI(b, be)
	ctx := context.Background()
	uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "secret", Active: true})
	if err != nil {
		b.Fatal(err)
	}
	inbox, err := d.FindMailbox(ctx, uid, "INBOX")
	if err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "imapd") // short: socket paths are limited
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	addr := startDaemon(b, bin, uri, dir).Addr
	// The publisher is another process's relay, as dbmail-lmtpd has.
	relay, err := notify.New(notify.Config{Dir: dir, Program: "bench", Namespace: notify.NamespaceOf(uri, "dbmail_"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer relay.Close()

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	line := func() string {
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		l, err := r.ReadString('\n')
		if err != nil {
			b.Fatalf("read: %v", err)
		}
		return strings.TrimSuffix(l, "\r\n")
	}
	line()
	fmt.Fprintf(nc, "a LOGIN alice secret\r\nb SELECT INBOX\r\nc IDLE\r\n")
	for line() != "+ idling" {
	}
	// Let the daemon's socket appear before the first publish.
	time.Sleep(1500 * time.Millisecond)
	m, err := message.Parse([]byte("Subject: ping\r\n\r\nping\r\n"), message.Options{})
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID}}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		relay.Publish(inbox.ID)
		want := fmt.Sprintf("* %d EXISTS", i+1)
		for line() != want {
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "ms-p90")
	fmt.Fprintf(nc, "DONE\r\n")
}
