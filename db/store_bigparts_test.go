package db_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
	"github.com/dbmail-go/dbmail/message"
)

// TestStoreBigMessage stores a 25 MB message on every backend (on MariaDB
// with its default 16 MiB max_allowed_packet): the attachment becomes
// consecutive body rows of at most message.DefaultMaxRowSize bytes under
// one part_key, each its own deduplicated mimepart, and the message reads
// back byte for byte with the sizes of spec 2.7. Storing it again reuses
// every part row (spec 2.4).
func TestStoreBigMessage(t *testing.T) {
	raw := testutil.BigMessage(25<<20, "epilogue\r\n")
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			uid, inbox := newUser(t, d, "big", 0)
			m := parse(t, raw)
			phys, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			if err != nil {
				t.Fatalf("store %d bytes: %v", len(raw), err)
			}
			size := d.QuoteIdent("size")
			rows, err := d.Query(ctx, `SELECT l.is_header, l.part_key, l.part_depth, l.part_order, p.id, p.hash, p.`+size+`
				FROM {partlists} l JOIN {mimeparts} p ON p.id = l.part_id
				WHERE l.physmessage_id = ? ORDER BY l.part_key, l.part_order, l.part_depth DESC`, phys)
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				header            bool
				key, depth, order int
				id, size          int64
				hash              string
			}
			var got []row
			for rows.Next() {
				var r row
				var h int64
				if err := rows.Scan(&h, &r.key, &r.depth, &r.order, &r.id, &r.hash, &r.size); err != nil {
					t.Fatal(err)
				}
				r.header = h != 0
				got = append(got, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(m.Parts) {
				t.Fatalf("%d partlists rows, message has %d parts", len(got), len(m.Parts))
			}
			var attach []row
			for i, r := range got {
				p := m.Parts[i]
				if r.header != p.IsHeader || r.key != p.Key || r.depth != p.Depth || r.order != p.Order || r.size != int64(len(p.Data)) {
					t.Fatalf("row %d is %+v, want part (%d,%d,%d,%v) of %d bytes", i, r, p.Key, p.Depth, p.Order, p.IsHeader, len(p.Data))
				}
				h := db.NewPartHash("")
				h.Write(p.Data)
				if want := fmt.Sprintf("%x", h.Sum(nil)); stripBlanks(r.hash) != want {
					t.Fatalf("row %d: hash %q, want %q", i, r.hash, want)
				}
				if !r.header && r.size > message.DefaultMaxRowSize {
					t.Fatalf("row %d: %d bytes", i, r.size)
				}
				if r.key == 3 && r.depth == 1 && !r.header {
					attach = append(attach, r)
				}
			}
			if len(attach) < 25<<20/message.DefaultMaxRowSize {
				t.Fatalf("attachment in %d rows", len(attach))
			}
			for i, r := range attach {
				if r.order != i+1 {
					t.Fatalf("attachment row %d at order %d", i, r.order)
				}
			}
			// The top epilogue follows under the same key, its order
			// continuing after the attachment's rows (spec 2.3).
			if e := got[len(got)-1]; e.key != 3 || e.depth != 0 || e.order != attach[len(attach)-1].order+2 || e.size != int64(len("epilogue\n")) {
				t.Fatalf("epilogue row %+v", e)
			}

			var mi db.MessageInfo
			list, err := d.MailboxMessages(ctx, inbox.ID)
			if err != nil || len(list) != 1 {
				t.Fatalf("messages: %v %d", err, len(list))
			}
			mi = list[0]
			if mi.MessageSize != int64(len(raw)) || mi.RFCSize != int64(len(raw)) {
				t.Fatalf("messagesize %d rfcsize %d, want %d", mi.MessageSize, mi.RFCSize, len(raw))
			}
			hs := sha256.New()
			n, err := d.WriteMessage(ctx, phys, hs, message.FormCRLF)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(raw)) || !bytes.Equal(hs.Sum(nil), sha(raw)) {
				t.Fatalf("rebuilt %d bytes of %d, digest equal %v", n, len(raw), bytes.Equal(hs.Sum(nil), sha(raw)))
			}

			before := count(t, d, `SELECT COUNT(*) FROM {mimeparts}`)
			phys2, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			if err != nil {
				t.Fatal(err)
			}
			if after := count(t, d, `SELECT COUNT(*) FROM {mimeparts}`); after != before {
				t.Fatalf("second store added %d mimeparts", after-before)
			}
			if diff := count(t, d, `SELECT COUNT(*) FROM {partlists} a JOIN {partlists} b
				ON b.physmessage_id = ? AND b.part_key = a.part_key AND b.part_depth = a.part_depth AND b.part_order = a.part_order
				WHERE a.physmessage_id = ? AND a.part_id <> b.part_id`, phys2, phys); diff != 0 {
				t.Fatalf("%d rows of the copy point at other parts", diff)
			}
		})
	}
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func stripBlanks(s string) string { return string(bytes.TrimRight([]byte(s), " ")) }
