package imap4

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/message"
)

// BenchmarkIdleDelivery measures the time from a delivery's commit (the
// message stored and the hub told, as dbmail-lmtpd does) to the "* n
// EXISTS" line read by a client in IDLE on another connection. It
// reports the median and the 90th percentile.
func BenchmarkIdleDelivery(b *testing.B) {
	be := dbtest.Backends(b)[0] // SQLite: always available
	e := startIMAP(b, be)
	c := e.login("alice")
	c.cmd("s SELECT INBOX")
	c.send("i IDLE\r\n")
	if l := c.line(); l != "+ idling" {
		b.Fatalf("IDLE: %q", l)
	}
	ctx := context.Background()
	inbox, err := e.d.FindMailbox(ctx, e.aliceID(b), "INBOX")
	if err != nil {
		b.Fatal(err)
	}
	m, err := message.Parse([]byte("Subject: ping\r\n\r\nping\r\n"), message.Options{})
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := e.d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, Flags: db.Flags{Recent: true}}}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		e.proto.Hub().Publish(inbox.ID)
		want := fmt.Sprintf("* %d EXISTS", i+1)
		for {
			l := c.line()
			if l == want {
				break
			}
			if strings.HasSuffix(l, " EXISTS") {
				b.Fatalf("got %q want %q", l, want)
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "ms-p90")
	c.send("DONE\r\n")
	c.until("i")
}
