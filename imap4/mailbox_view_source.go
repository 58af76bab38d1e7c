package imap4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// memoMax bounds the wire form the source keeps for the message being
// rendered (several items of one FETCH read it).
const memoMax = 1 << 20

// msgSource is the session's MsgSource: message text is rebuilt from SQL
// on the worker pool (db.WriteMessage, part by part), envelopes are kept
// in the query cache by physmessage id (immutable), as are the MIME trees
// of messages larger than memoMax (scanned from a streamed pass, never
// loaded), and the last message's wire form and MIME tree are memoised
// for the items of one FETCH.
type msgSource struct {
	s        *Session
	memoID   int64
	memoWire []byte
	memoTree *message.Node
}

// WriteWire implements MsgSource: streams the CRLF wire form. The
// caller announced RFC822.SIZE bytes, so another length is an error.
func (src *msgSource) WriteWire(ctx context.Context, m *MsgMeta, w io.Writer) error {
	if src.memoID == m.PhysID && src.memoWire != nil {
		if int64(len(src.memoWire)) != m.RFCSize {
			return fmt.Errorf("message %d: wire form is %d bytes, rfcsize says %d", m.UID, len(src.memoWire), m.RFCSize)
		}
		_, err := w.Write(src.memoWire)
		return err
	}
	n, err := src.write(m, w)
	if err != nil {
		return err
	}
	if n != m.RFCSize {
		return fmt.Errorf("message %d: wire form is %d bytes, rfcsize says %d", m.UID, n, m.RFCSize)
	}
	return nil
}

// write rebuilds the wire form from SQL on the worker pool.
func (src *msgSource) write(m *MsgMeta, w io.Writer) (int64, error) {
	var n int64
	err := src.s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		n, err = d.WriteMessage(ctx, m.PhysID, w, message.FormCRLF)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("message %d: %w", m.UID, err)
	}
	return n, nil
}

// Wire implements MsgSource. Its length is the truth even when the
// stored rfcsize is wrong (old rows, spec 2.7).
func (src *msgSource) Wire(ctx context.Context, m *MsgMeta) ([]byte, error) {
	if src.memoID == m.PhysID && src.memoWire != nil {
		return src.memoWire, nil
	}
	var buf bytes.Buffer
	buf.Grow(int(min(max(m.RFCSize, 0), memoMax)))
	if _, err := src.write(m, &buf); err != nil {
		return nil, err
	}
	if buf.Len() <= memoMax {
		src.memoID, src.memoWire, src.memoTree = m.PhysID, buf.Bytes(), nil
	}
	return buf.Bytes(), nil
}

// Structure implements MsgSource. The tree of a message larger than
// memoMax is computed from a streamed pass (message.StructureScanner), so
// the message is never held, and kept in the query cache by physmessage id
// (immutable) and in the memo.
func (src *msgSource) Structure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	if src.memoID == m.PhysID && src.memoTree != nil {
		return src.memoTree, nil
	}
	if m.RFCSize > memoMax && (src.memoID != m.PhysID || src.memoWire == nil) {
		return src.bigStructure(ctx, m)
	}
	wire, err := src.Wire(ctx, m)
	if err != nil {
		return nil, err
	}
	n := message.ParseStructure(wire)
	if src.memoID == m.PhysID {
		src.memoTree = n
	}
	return n, nil
}

// bigStructure returns the tree of a big message: from the query cache,
// else scanned from the streamed wire form.
func (src *msgSource) bigStructure(ctx context.Context, m *MsgMeta) (*message.Node, error) {
	key := "imap:tree:" + strconv.FormatInt(m.PhysID, 10)
	c := src.s.cfg.Cache
	if c != nil {
		if v, ok := c.Get(ctx, key); ok {
			if n, err := message.DecodeNode(v); err == nil {
				src.memoID, src.memoWire, src.memoTree = m.PhysID, nil, n
				return n, nil
			}
		}
	}
	// the tree of the bytes there are, even when the recorded rfcsize is
	// off (old rows, spec 2.7), as Wire gives for small messages
	sc := message.NewStructureScanner()
	if _, err := src.write(m, sc); err != nil {
		return nil, fmt.Errorf("scan structure: %w", err)
	}
	n := sc.Finish()
	if c != nil {
		c.Set(ctx, key, message.EncodeNode(n))
	}
	src.memoID, src.memoWire, src.memoTree = m.PhysID, nil, n
	return n, nil
}

// scanStructure streams the wire form through a message.StructureScanner:
// the tree without holding the message (only its header sections).
func scanStructure(ctx context.Context, src MsgSource, m *MsgMeta) (*message.Node, error) {
	sc := message.NewStructureScanner()
	if err := src.WriteWire(ctx, m, sc); err != nil {
		return nil, fmt.Errorf("scan structure of message %d: %w", m.UID, err)
	}
	return sc.Finish(), nil
}

// bigEnvelope renders the ENVELOPE of a message larger than memoMax from
// its top-level header section alone (RFC 3501 §7.4.2: the envelope is
// made of header fields), read by streaming up to the blank line.
func bigEnvelope(ctx context.Context, src MsgSource, m *MsgMeta) (string, error) {
	c := &headerCapture{}
	if err := src.WriteWire(ctx, m, c); !c.done && err != nil {
		return "", fmt.Errorf("read header of message %d: %w", m.UID, err)
	}
	parsed, err := message.Parse(c.buf, message.Options{})
	if err != nil {
		return "", fmt.Errorf("message %d: %w", m.UID, err)
	}
	return parsed.Envelope(), nil
}

// Envelope implements MsgSource.
func (src *msgSource) Envelope(ctx context.Context, m *MsgMeta) (string, error) {
	key := "imap:env:" + strconv.FormatInt(m.PhysID, 10)
	c := src.s.cfg.Cache
	if c != nil {
		if v, ok := c.Get(ctx, key); ok {
			return string(v), nil
		}
	}
	var env string
	if m.RFCSize > memoMax && (src.memoID != m.PhysID || src.memoWire == nil) {
		e, err := bigEnvelope(ctx, src, m)
		if err != nil {
			return "", err
		}
		env = e
	} else {
		wire, err := src.Wire(ctx, m)
		if err != nil {
			return "", err
		}
		parsed, err := message.Parse(wire, message.Options{})
		if err != nil {
			return "", fmt.Errorf("message %d: %w", m.UID, err)
		}
		env = parsed.Envelope()
	}
	if c != nil {
		c.Set(ctx, key, []byte(env))
	}
	return env, nil
}
