package imap4

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// DBSource is a MsgSource that reads messages straight from a database
// handle, for tools that evaluate IMAP SEARCH keys outside a session
// (dbmail-export -s). It keeps nothing between messages.
type DBSource struct {
	DB *db.DB
}

// WriteWire implements MsgSource.
func (s DBSource) WriteWire(ctx context.Context, m *MsgMeta, w io.Writer) error {
	if _, err := s.DB.WriteMessage(ctx, m.PhysID, w, message.FormCRLF); err != nil {
		return fmt.Errorf("message %d: %w", m.UID, err)
	}
	return nil
}

// Wire implements MsgSource.
func (s DBSource) Wire(ctx context.Context, m *MsgMeta) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.WriteWire(ctx, m, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Structure implements MsgSource; a message larger than memoMax is
// scanned streamed instead of loaded.
func (s DBSource) Structure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	if m.RFCSize > memoMax {
		return scanStructure(ctx, s, m)
	}
	wire, err := s.Wire(ctx, m)
	if err != nil {
		return nil, err
	}
	return message.ParseStructure(wire), nil
}

// Envelope implements MsgSource; for a message larger than memoMax only
// its header section is read.
func (s DBSource) Envelope(ctx context.Context, m *MsgMeta) (string, error) {
	if m.RFCSize > memoMax {
		return bigEnvelope(ctx, s, m)
	}
	wire, err := s.Wire(ctx, m)
	if err != nil {
		return "", err
	}
	parsed, err := message.Parse(wire, message.Options{})
	if err != nil {
		return "", fmt.Errorf("message %d: %w", m.UID, err)
	}
	return parsed.Envelope(), nil
}
