package db_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

func parse(t testing.TB, raw []byte) *message.Message {
	t.Helper()
	m, err := message.Parse(raw, message.Options{MaxDepth: 64})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m
}

func newUser(t testing.TB, d *db.DB, name string, quota int64) (int64, *db.Mailbox) {
	t.Helper()
	ctx := context.Background()
	id, err := d.CreateUser(ctx, db.User{Name: name, Passwd: "secret", MaxMailSize: quota, Active: true})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	mb, err := d.FindMailbox(ctx, id, "INBOX")
	if err != nil {
		t.Fatalf("INBOX of %s: %v", name, err)
	}
	return id, mb
}

func count(t testing.TB, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func original(t testing.TB, d *db.DB, mi db.MessageInfo) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := d.WriteMessage(context.Background(), mi.PhysID, &buf, db.OriginalForm(mi.MessageSize, mi.RFCSize))
	if err != nil {
		t.Fatalf("rebuild uid %d: %v", mi.UID, err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("rebuild uid %d: reported %d bytes, wrote %d", mi.UID, n, buf.Len())
	}
	return buf.Bytes()
}

// TestCorpusRoundTrip delivers every corpus message and reads each back
// byte-exact, on every backend (issue: conformance suite).
func TestCorpusRoundTrip(t *testing.T) {
	files := testutil.CorpusFiles(t)
	if testing.Short() {
		files = files[:200]
	}
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "corpus", 0)
			want := make(map[int64][]byte, len(files))
			var total int64
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				m := parse(t, raw)
				_, res, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
				if err != nil {
					t.Fatalf("store %s: %v", f, err)
				}
				want[res[0].UID] = testutil.StripFromLine(raw)
				total += m.MessageSize
			}
			msgs, err := d.MailboxMessages(ctx, inbox.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(files) {
				t.Fatalf("%d messages listed, %d delivered", len(msgs), len(files))
			}
			for _, mi := range msgs {
				got := original(t, d, mi)
				if !bytes.Equal(got, want[mi.UID]) {
					t.Fatalf("uid %d: rebuilt %d bytes differ from the %d delivered", mi.UID, len(got), len(want[mi.UID]))
				}
				var wire bytes.Buffer
				if _, err := d.WriteMessage(ctx, mi.PhysID, &wire, message.FormCRLF); err != nil {
					t.Fatal(err)
				}
				if int64(wire.Len()) != mi.RFCSize {
					t.Fatalf("uid %d: RFC822.SIZE %d but the wire form has %d bytes", mi.UID, mi.RFCSize, wire.Len())
				}
			}
			used, _, err := d.QuotaUsage(ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			if used != total {
				t.Fatalf("curmail_size %d, want %d", used, total)
			}
		})
	}
}

const twoUserMsg = "From: a@example.org\r\nTo: b@example.org, c@example.org\r\nSubject: hello both\r\nMessage-ID: <1@example.org>\r\n\r\nbody\r\n"

// TestSingleInstance: one message to two users is one physmessage; the same
// attachment in two messages is one mimepart row.
func TestSingleInstance(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			u1, in1 := newUser(t, d, "one", 0)
			u2, in2 := newUser(t, d, "two", 0)
			phys, res, err := d.StoreMessage(ctx, parse(t, []byte(twoUserMsg)), time.Now(),
				[]db.Dest{{MailboxID: in1.ID, QuotaUser: u1}, {MailboxID: in2.ID, QuotaUser: u2}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].UID == res[1].UID || res[0].Err != nil || res[1].Err != nil {
				t.Fatalf("results %+v", res)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {physmessage}`); n != 1 {
				t.Fatalf("%d physmessages, want 1", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {messages} WHERE physmessage_id = ?`, phys); n != 2 {
				t.Fatalf("%d message rows on the physmessage, want 2", n)
			}

			attachment := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 200)
			mk := func(subject, text string) []byte {
				return []byte("From: a@example.org\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n" +
					"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n" + text +
					"\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
					attachment + "--b1--\r\n")
			}
			for i, body := range []string{"first text", "second, different text"} {
				if _, _, err := d.StoreMessage(ctx, parse(t, mk(fmt.Sprint("att ", i), body)), time.Now(), []db.Dest{{MailboxID: in1.ID, QuotaUser: u1}}); err != nil {
					t.Fatal(err)
				}
			}
			stored := strings.ReplaceAll(attachment, "\r\n", "\n")
			stored = strings.TrimSuffix(stored, "\n") // the delimiter owns the line break before it
			var rows int64
			for _, cand := range []string{stored, stored + "\n"} {
				rows += count(t, d, `SELECT COUNT(*) FROM {mimeparts} WHERE `+d.QuoteIdent("size")+` = ?`, len(cand))
			}
			if rows != 1 {
				t.Fatalf("attachment stored in %d mimepart rows, want 1", rows)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {partlists} l JOIN {mimeparts} p ON p.id = l.part_id WHERE p.`+d.QuoteIdent("size")+` >= ?`, len(stored)); n != 2 {
				t.Fatalf("attachment referenced by %d partlists, want 2", n)
			}
		})
	}
}

// TestConcurrentWriters: 8 writers x 300 messages into one mailbox. UIDs are
// unique, MODSEQ grows with UID (both are taken under the mailbox lock, so
// UID order is commit order), a concurrent observer never sees a UID appear
// below one it has already seen, and curmail_size is exact.
func TestConcurrentWriters(t *testing.T) {
	const writers = 8
	per := 300
	if testing.Short() {
		per = 30
	}
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "busy", 0)
			stop := make(chan struct{})
			obsErr := make(chan error, 1)
			go func() { obsErr <- observe(ctx, d, inbox.ID, stop) }()
			var wg sync.WaitGroup
			var mu sync.Mutex
			var size int64
			errs := make(chan error, writers)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; i < per; i++ {
						raw := fmt.Sprintf("From: w%d@example.org\r\nSubject: writer %d message %d\r\n\r\n%s\r\n", w, w, i, strings.Repeat("x", i))
						m, err := message.Parse([]byte(raw), message.Options{MaxDepth: 64})
						if err != nil {
							errs <- err
							return
						}
						if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}}); err != nil {
							errs <- err
							return
						}
						mu.Lock()
						size += m.MessageSize
						mu.Unlock()
					}
				}(w)
			}
			wg.Wait()
			close(stop)
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if err := <-obsErr; err != nil {
				t.Fatal(err)
			}
			msgs, err := d.MailboxMessages(ctx, inbox.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != writers*per {
				t.Fatalf("%d messages, want %d", len(msgs), writers*per)
			}
			for i := 1; i < len(msgs); i++ {
				if msgs[i].UID <= msgs[i-1].UID {
					t.Fatalf("UIDs not strictly increasing at %d: %d then %d", i, msgs[i-1].UID, msgs[i].UID)
				}
				if msgs[i].ModSeq <= msgs[i-1].ModSeq {
					t.Fatalf("UID %d has MODSEQ %d but the earlier UID %d has %d: UID order is not commit order",
						msgs[i].UID, msgs[i].ModSeq, msgs[i-1].UID, msgs[i-1].ModSeq)
				}
			}
			used, _, err := d.QuotaUsage(ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			if used != size {
				t.Fatalf("curmail_size %d, want %d", used, size)
			}
		})
	}
}

// observe lists the mailbox over and over: once a UID has been seen, no
// smaller new UID may appear later (what an IMAP client relies on).
func observe(ctx context.Context, d *db.DB, mailboxID int64, stop <-chan struct{}) error {
	seen := map[int64]bool{}
	var max int64
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		msgs, err := d.MailboxMessages(ctx, mailboxID)
		if err != nil {
			return err
		}
		var newMax int64 = max
		for _, m := range msgs {
			if !seen[m.UID] {
				if m.UID < max {
					return fmt.Errorf("UID %d appeared after UID %d was already visible", m.UID, max)
				}
				seen[m.UID] = true
			}
			if m.UID > newMax {
				newMax = m.UID
			}
		}
		max = newMax
		time.Sleep(time.Millisecond)
	}
}

// TestOverQuota: a delivery over maxmail_size is refused and leaves no row.
func TestOverQuota(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "small", 100)
			tables := []string{"physmessage", "messages", "mimeparts", "partlists", "header", "headervalue", "envelope", "referencesfield"}
			before := map[string]int64{}
			for _, tb := range tables {
				before[tb] = count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`)
			}
			big := "From: a@example.org\r\nSubject: too big\r\nReferences: <r@x>\r\n\r\n" + strings.Repeat("0123456789\r\n", 50)
			_, res, err := d.StoreMessage(ctx, parse(t, []byte(big)), time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			if !errors.Is(err, db.ErrNothingStored) || len(res) != 1 || !errors.Is(res[0].Err, db.ErrQuota) {
				t.Fatalf("err %v, results %+v: want ErrNothingStored with ErrQuota", err, res)
			}
			for _, tb := range tables {
				if n := count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`); n != before[tb] {
					t.Fatalf("%s has %d rows after the refused delivery, had %d", tb, n, before[tb])
				}
			}
			if used, _, _ := d.QuotaUsage(ctx, uid); used != 0 {
				t.Fatalf("curmail_size %d after refusal", used)
			}
			// A mailbox deleted meanwhile: not found, nothing written.
			gone := "From: b@example.org\r\nSubject: nowhere\r\n\r\nx\r\n"
			if _, _, err := d.StoreMessage(ctx, parse(t, []byte(gone)), time.Now(), []db.Dest{{MailboxID: inbox.ID + 1000, QuotaUser: uid}}); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("delivery to a missing mailbox: %v, want ErrNotFound", err)
			}
			for _, tb := range tables {
				if n := count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`); n != before[tb] {
					t.Fatalf("%s has %d rows after a delivery to a missing mailbox, had %d", tb, n, before[tb])
				}
			}
			if used, _, _ := d.QuotaUsage(ctx, uid); used != 0 {
				t.Fatalf("curmail_size %d after a delivery to a missing mailbox", used)
			}
			small := "Subject: fits\r\n\r\nok\r\n"
			if _, _, err := d.StoreMessage(ctx, parse(t, []byte(small)), time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}}); err != nil {
				t.Fatalf("a message within quota: %v", err)
			}
		})
	}
}

// TestMalformedRoundTrip: broken MIME, NUL bytes, 8-bit headers, a 1 MB
// header line and nesting deeper than 64 are stored and come back byte-exact.
func TestMalformedRoundTrip(t *testing.T) {
	deep := &strings.Builder{}
	deep.WriteString("Subject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 0; i < 70; i++ {
		fmt.Fprintf(deep, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i, i+1)
	}
	deep.WriteString("--b70\r\nContent-Type: text/plain\r\n\r\nbottom\r\n--b70--\r\n")
	for i := 69; i >= 0; i-- {
		fmt.Fprintf(deep, "--b%d--\r\n", i)
	}
	cases := map[string]string{
		"missing closing boundary": "Subject: x\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
		"no boundary parameter":    "Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--zz\r\n\r\nhello\r\n--zz--\r\n",
		"boundary never used":      "Subject: x\r\nContent-Type: multipart/alternative; boundary=\"q\"\r\n\r\njust text\r\n",
		"NUL bytes":                "Subject: nul\r\n\r\nbefore\x00after\r\n\x00\r\n",
		"8-bit header":             "Subject: caf\xe9 \xff\r\nFrom: J\xfcrgen <j@example.org>\r\n\r\nbody\r\n",
		"1 MB header line":         "Subject: long\r\nX-Long: " + strings.Repeat("a", 1<<20) + "\r\n\r\nbody\r\n",
		"LF only":                  "Subject: lf\n\nline one\nline two\n",
		"mixed line endings":       "Subject: mixed\r\n\nline\r\nline\n",
		"header only":              "Subject: header only\r\n",
		"no header":                "\r\njust a body\r\n",
		"nesting deeper than 64":   deep.String(),
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "odd", 0)
			for _, name := range names {
				raw := []byte(cases[name])
				m, err := message.Parse(raw, message.Options{MaxDepth: 64})
				if err != nil {
					t.Fatalf("%s: refused: %v", name, err)
				}
				_, res, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
				if err != nil {
					t.Fatalf("%s: store: %v", name, err)
				}
				msgs, err := d.MailboxMessages(ctx, inbox.ID)
				if err != nil {
					t.Fatal(err)
				}
				var mi *db.MessageInfo
				for i := range msgs {
					if msgs[i].UID == res[0].UID {
						mi = &msgs[i]
					}
				}
				if mi == nil {
					t.Fatalf("%s: stored uid %d not listed", name, res[0].UID)
				}
				if got := original(t, d, *mi); !bytes.Equal(got, raw) {
					t.Fatalf("%s: rebuilt %q…, want %q…", name, trunc(got), trunc(raw))
				}
			}
		})
	}
}

func trunc(b []byte) []byte {
	if len(b) > 120 {
		return b[:120]
	}
	return b
}

// TestNewHeaderNameRace delivers, from several processes at once (separate
// handles, each with its own header-name cache), messages that carry the
// same header names nobody has stored yet: every delivery succeeds and each
// name gets one headername row.
func TestNewHeaderNameRace(t *testing.T) {
	const procs, rounds = 4, 5
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			uri := b.Fresh(t)
			first := dbtest.Connect(t, uri, "dbmail_")
			ctx := context.Background()
			if err := first.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			uid, inbox := newUser(t, first, "racer", 0)
			handles := []*db.DB{first}
			for len(handles) < procs {
				handles = append(handles, dbtest.Connect(t, uri, "dbmail_"))
			}
			for _, h := range handles {
				h.Store.HeaderCacheReadonly = false // header_cache_readonly = no
			}
			for r := 0; r < rounds; r++ {
				var wg sync.WaitGroup
				errs := make(chan error, procs)
				start := make(chan struct{})
				for p, h := range handles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						raw := fmt.Sprintf("From: a@example.com\r\nSubject: race %d/%d\r\nX-Fresh-Name-%d: value from %d\r\n\r\nbody\r\n", r, p, r, p)
						m := parse(t, []byte(raw))
						<-start
						_, _, err := h.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
						errs <- err
					}()
				}
				close(start)
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatalf("round %d: %v", r, err)
					}
				}
				if n := count(t, first, `SELECT COUNT(*) FROM {headername} WHERE headername = ?`, fmt.Sprintf("x-fresh-name-%d", r)); n != 1 {
					t.Fatalf("round %d: %d headername rows for one name", r, n)
				}
			}
			if n := count(t, first, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ?`, inbox.ID); n != procs*rounds {
				t.Fatalf("%d messages stored, want %d", n, procs*rounds)
			}
		})
	}
}
