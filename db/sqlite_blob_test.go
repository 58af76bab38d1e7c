package db_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/internal/testutil"
)

// TestPartChunks reads every body row of a big message in slices with
// POP3PartChunk (incremental blob I/O on SQLite, SUBSTR elsewhere) and
// compares them with the stored bytes, including slices that cross and
// pass the end; a missing part is ErrNotFound. On SQLite the blob reads
// must be available with the driver in go.mod: if a driver upgrade hides
// the connection handle, reads silently fall back to SUBSTR, so this
// fails to make that visible.
func TestPartChunks(t *testing.T) {
	for _, b := range dbtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			d := dbtest.Open(t, b)
			ctx := context.Background()
			if b.Dialect == db.SQLite {
				ok, err := d.SQLiteBlobAvailable(ctx)
				if err != nil || !ok {
					t.Fatalf("incremental blob reads unavailable (%v): check sqlite_blob.go against the modernc.org/sqlite driver", err)
				}
			}
			uid, inbox := newUser(t, d, "chunks", 0)
			m := parse(t, testutil.BigMessage(3<<20, "epilogue\r\n"))
			phys, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: inbox.ID, QuotaUser: uid}})
			if err != nil {
				t.Fatal(err)
			}
			parts, err := d.POP3Parts(ctx, phys, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(m.Parts) {
				t.Fatalf("%d parts, want %d", len(parts), len(m.Parts))
			}
			var buf []byte
			for i, p := range parts {
				want := m.Parts[i].Data
				for _, size := range []int64{100 << 10, 333333} {
					var got []byte
					for off := int64(0); ; {
						buf, err = d.POP3PartChunk(ctx, p, off, size, buf)
						if err != nil {
							t.Fatalf("part %d at %d: %v", i, off, err)
						}
						got = append(got, buf...)
						off += int64(len(buf))
						if int64(len(buf)) < size {
							break
						}
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("part %d in slices of %d: %d bytes, want %d", i, size, len(got), len(want))
					}
				}
				if buf, err = d.POP3PartChunk(ctx, p, int64(len(want))+10, 100, buf); err != nil || len(buf) != 0 {
					t.Fatalf("part %d past its end: %d bytes, %v", i, len(buf), err)
				}
			}
			missing := parts[len(parts)-1]
			missing.ID += 1000000
			if _, err := d.POP3PartChunk(ctx, missing, 0, 100, buf); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("missing part: %v", err)
			}
		})
	}
}
