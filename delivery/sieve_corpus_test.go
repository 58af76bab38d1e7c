package delivery

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/sieve"
)

// corpusEnvs parses every corpus message and builds the Sieve view of it.
func corpusEnvs(tb testing.TB) ([]*sieveEnv, []*message.Message) {
	tb.Helper()
	var envs []*sieveEnv
	var msgs []*message.Message
	for _, f := range testutil.CorpusFiles(tb) {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		m, err := message.Parse(raw, message.Options{})
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		env := SortEnv{Message: m, Raw: raw, EnvelopeFrom: "sender@example.org", EnvelopeTo: "rcpt@example.com", Mailbox: "INBOX"}
		envs = append(envs, newSieveEnv(context.Background(), nil, 1, env, "", time.Unix(0, 0)))
		msgs = append(msgs, m)
	}
	return envs, msgs
}

// TestSieveEnvCorpus checks the Sieve view of every corpus message against
// the message package: decoded header values agree, and a single-part
// unencoded text/plain message's body text is its raw body.
func TestSieveEnvCorpus(t *testing.T) {
	envs, msgs := corpusEnvs(t)
	plain := 0
	for i, e := range envs {
		for _, h := range []string{"subject", "from", "to", "message-id", "list-id"} {
			got, want := e.HeaderValues(h), msgs[i].HeaderValues(h)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("message %d %s: sieve sees %q, message package %q", i, h, got, want)
			}
		}
		texts, err := e.Body(sieve.BodyText, nil)
		if err != nil {
			t.Fatalf("message %d: Body: %v", i, err)
		}
		ct := strings.ToLower(fieldValue(e.header, "content-type"))
		cte := strings.ToLower(fieldValue(e.header, "content-transfer-encoding"))
		if (ct == "" || strings.HasPrefix(ct, "text/plain") && !strings.Contains(ct, "charset") ||
			strings.HasPrefix(ct, "text/plain") && (strings.Contains(ct, "us-ascii") || strings.Contains(ct, "utf-8"))) &&
			(cte == "" || cte == "7bit" || cte == "8bit") {
			plain++
			if len(texts) != 1 || texts[0] != string(e.body) {
				t.Errorf("message %d: plain body text differs from the raw body", i)
			}
		}
	}
	if plain == 0 {
		t.Fatal("no plain single-part message in the corpus: the body check ran on nothing")
	}
	t.Logf("%d messages, %d plain single-part", len(envs), plain)
}

// BenchmarkSieveRunCorpus runs a header, address and body script over the
// corpus through the delivery-side Env.
func BenchmarkSieveRunCorpus(b *testing.B) {
	envs, _ := corpusEnvs(b)
	sc, err := sieve.Parse("bench", []byte(`require ["fileinto", "body", "imap4flags"];
if anyof (header :contains "subject" ["viagra", "winner"], address :domain :is "from" "example.net") {
  fileinto :flags "\\Seen" "Junk";
} elsif body :text :contains "unsubscribe" {
  fileinto "Lists";
}`), sieve.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sc.Run(ctx, envs[i%len(envs)]); err != nil {
			b.Fatal(err)
		}
	}
}
