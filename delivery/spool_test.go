package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/message"
)

// deliverSpooled delivers raw to alice through a spool (DeliverSpool, the
// LMTP path for messages above message.SpoolThreshold).
func (e *sieveEnvT) deliverSpooled(sender, raw string) DSN {
	e.t.Helper()
	ctx := context.Background()
	res, err := e.d.ResolveRecipient(ctx, "alice@example.com")
	if err != nil {
		e.t.Fatal(err)
	}
	sp, err := message.NewSpool(e.t.TempDir())
	if err != nil {
		e.t.Fatal(err)
	}
	defer sp.Close()
	if _, err := sp.Write([]byte(raw)); err != nil {
		e.t.Fatal(err)
	}
	out, err := e.dl.DeliverSpool(ctx, sp, sender, []Recipient{{Address: "alice@example.com", Resolution: res}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out[0].DSN
}

// TestDeliverSpoolSieve: a spooled message meets the Sieve script exactly
// as one delivered from memory (RFC 5228 body/size tests, RFC 5173, and a
// redirect that sends the whole message), on every backend.
func TestDeliverSpoolSieve(t *testing.T) {
	big := strings.Repeat(strings.Repeat("x", 76)+"\r\n", (2<<20)/78)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newSieveTest(t, b, allOn)
			e.activate(`require ["body", "fileinto"];
if body :contains "needle at the end" { fileinto "Found"; }
elsif size :over 1M { fileinto "Big"; }
if header :contains "subject" "redirect" { redirect "carol@example.net"; keep; }`)
			for _, tc := range []struct{ subject, body, box string }{
				{"one", big + "needle at the end", "Found"},
				{"two", big, "Big"},
				{"three redirect", big, "Big"},
			} {
				raw := msg(tc.subject, "", tc.body)
				eq(t, tc.subject+" DSN", e.deliverSpooled("bob@example.org", raw), DSNDelivered)
				eq(t, tc.subject+" DSN from memory", e.deliver("bob@example.org", raw), DSNDelivered)
			}
			eq(t, "Found", e.box("Found"), []string{"one []", "one []"})
			eq(t, "Big", e.box("Big"), []string{"two []", "two []", "three redirect []", "three redirect []"})
			eq(t, "redirects", e.outgoing(), []string{"-i -f bob@example.org carol@example.net", "-i -f bob@example.org carol@example.net"})
			sent := e.sentText()
			if n := strings.Count(sent, "needle"); n != 0 || strings.Count(sent, strings.Repeat("x", 76)) != 2*strings.Count(big, strings.Repeat("x", 76)) {
				t.Errorf("redirected text is not the two whole messages (%d bytes)", len(sent))
			}
		})
	}
}
