package imap4

import (
	"context"
	"io"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// MsgMeta is one message of the selected mailbox as the session knows it.
type MsgMeta struct {
	Seq          uint32
	UID          uint32 // message_idnr (DBMail UIDs are global ids; they fit in 32 bits for any real database — check and refuse to select otherwise)
	PhysID       int64
	Flags        []string // system flags with backslash (\Seen …, \Recent) and keywords, as the client should see them
	ModSeq       uint64
	InternalDate time.Time
	RFCSize      int64 // length of the CRLF wire form
}

// MsgSource gives the renderers access to message content. Implementations
// cache immutable per-physmessage data (cache.Cache) and read through the
// worker pool.
type MsgSource interface {
	// WriteWire streams the whole CRLF wire form (RFC822.SIZE bytes).
	WriteWire(ctx context.Context, m *MsgMeta, w io.Writer) error
	// Wire returns the wire form in memory, for messages small enough (the
	// caller decides; use WriteWire for BODY[] of big messages).
	Wire(ctx context.Context, m *MsgMeta) ([]byte, error)
	// Structure returns the MIME tree of the wire form (what
	// message.ParseStructure gives), cached; a big message's tree comes
	// from a streamed pass (message.StructureScanner), never from Wire.
	Structure(ctx context.Context, m *MsgMeta) (*message.Node, error)
	// Envelope returns the ENVELOPE list text, cached.
	Envelope(ctx context.Context, m *MsgMeta) (string, error)
}
