package imap4

import (
	"bufio"
	"context"
	"io"
	"testing"
)

// BenchmarkWriteFetch renders what mail clients ask for when they list a
// mailbox, and a whole-message fetch, over 200 corpus messages held in
// memory (the source's cost is not measured).
func BenchmarkWriteFetch(b *testing.B) {
	disk, msgs := corpusMailbox(b, 200)
	src := newFakeSource()
	var mem []MsgMeta
	for i := range msgs {
		w, err := disk.Wire(context.Background(), &msgs[i])
		if err != nil {
			b.Fatal(err)
		}
		mem = src.add(mem, w, msgs[i].InternalDate)
	}
	for _, c := range []struct{ name, cmd string }{
		{"list", "FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (From To Subject Date Message-ID)])"},
		{"bodystructure", "FETCH 1 (BODYSTRUCTURE)"},
		{"body", "FETCH 1 (BODY.PEEK[])"},
	} {
		items := fetchItems(b, c.cmd)
		b.Run(c.name, func(b *testing.B) {
			enc := NewEncoder(bufio.NewWriter(io.Discard))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m := mem[i%len(mem)]
				if _, err := WriteFetch(context.Background(), enc, &m, items, src, FetchOptions{UIDMode: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
