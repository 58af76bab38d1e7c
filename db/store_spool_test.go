package db_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/message"
)

// twiceAttached is a CRLF message carrying the same attachment of about
// size bytes twice.
func twiceAttached(size int) []byte {
	var body bytes.Buffer
	for line := 0; body.Len() < size; line++ {
		fmt.Fprintf(&body, "%076d\r\n", line)
	}
	var b bytes.Buffer
	b.WriteString("From: twice@example.org\r\nSubject: twice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"t\"\r\n\r\n")
	for range 2 {
		b.WriteString("--t\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		b.Write(body.Bytes())
	}
	b.WriteString("--t--\r\n")
	return b.Bytes()
}

func parseSpooled(t *testing.T, raw []byte) *message.Message {
	t.Helper()
	sp, err := message.NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	if _, err := sp.Write(raw); err != nil {
		t.Fatal(err)
	}
	m, err := message.ParseSpool(sp, message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Spooled() {
		t.Fatal("no row left in the spool")
	}
	return m
}

// TestStoreSpooledMessage stores a message parsed from a spool on every
// backend: its rows are read from the file one at a time (on PostgreSQL
// outside the one-statement path), the same attachment twice is one
// sequence of mimeparts (spec 2.4), a message stored from memory before
// shares every row, two targets share one physmessage, the message reads
// back byte for byte, and a quota refusal leaves no row.
func TestStoreSpooledMessage(t *testing.T) {
	raw := twiceAttached(3 << 20)
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "spool", 0)
			_, other := newUser(t, d, "spool2", 0)
			mem := parse(t, raw)
			distinct := map[string]bool{}
			for _, p := range mem.Parts {
				distinct[string(p.Data)] = true
			}
			m := parseSpooled(t, raw)
			phys, res, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}, {MailboxID: other.ID}})
			if err != nil || res[0].Err != nil || res[1].Err != nil {
				t.Fatalf("store spooled: %v %+v", err, res)
			}
			parts := count(t, d, `SELECT COUNT(*) FROM {mimeparts}`)
			if parts != int64(len(distinct)) || 2*len(distinct) < len(mem.Parts) {
				t.Fatalf("%d mimeparts for %d rows, %d distinct", parts, len(mem.Parts), len(distinct))
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {messages} WHERE physmessage_id = ?`, phys); n != 2 {
				t.Fatalf("%d message rows on the physmessage, want 2", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM {partlists} WHERE physmessage_id = ?`, phys); n != int64(len(mem.Parts)) {
				t.Fatalf("%d partlists rows, want %d", n, len(mem.Parts))
			}
			hs := sha256.New()
			n, err := d.WriteMessage(ctx, phys, hs, message.FormCRLF)
			if err != nil {
				t.Fatal(err)
			}
			if want := sha256.Sum256(raw); n != int64(len(raw)) || !bytes.Equal(hs.Sum(nil), want[:]) {
				t.Fatalf("read back %d bytes of %d, digest equal %v", n, len(raw), bytes.Equal(hs.Sum(nil), want[:]))
			}
			// The same message from memory (one target: PostgreSQL's
			// one-statement path) shares every row.
			if _, _, err := d.StoreMessage(ctx, mem, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}}); err != nil {
				t.Fatal(err)
			}
			if after := count(t, d, `SELECT COUNT(*) FROM {mimeparts}`); after != parts {
				t.Fatalf("the copy from memory added %d mimeparts", after-parts)
			}

			// A refused delivery of a new big message writes nothing.
			poor, poorBox := newUser(t, d, "poor", 1<<20)
			fresh := parseSpooled(t, bytes.Replace(raw, []byte("Subject: twice"), []byte("Subject: fresh"), 1))
			fresh.Parts[len(fresh.Parts)-2].Size-- // make a body row differ from the stored ones
			tables := []string{"mimeparts", "partlists", "physmessage", "messages"}
			before := map[string]int64{}
			for _, tb := range tables {
				before[tb] = count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`)
			}
			_, res, err = d.StoreMessage(ctx, fresh, time.Now(), []db.Dest{{MailboxID: poorBox.ID, QuotaUser: poor}})
			if !errors.Is(err, db.ErrNothingStored) || len(res) != 1 || !errors.Is(res[0].Err, db.ErrQuota) {
				t.Fatalf("over quota: %v %+v", err, res)
			}
			for _, tb := range tables {
				if n := count(t, d, `SELECT COUNT(*) FROM {`+tb+`}`); n != before[tb] {
					t.Fatalf("refused delivery left %d rows in %s", n-before[tb], tb)
				}
			}
		})
	}
}
