package imap4

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// DefaultMaxInMemory is FetchOptions.MaxInMemory when it is zero: larger
// messages are streamed with MsgSource.WriteWire instead of being loaded.
const DefaultMaxInMemory = 1 << 20

// FetchOptions control WriteFetch.
type FetchOptions struct {
	// UIDMode is set for UID FETCH: UID is sent even when not asked (RFC
	// 3501 §6.4.8).
	UIDMode bool
	// CondStore is set once CONDSTORE is in use: MODSEQ is sent even when
	// not asked (RFC 7162 §3.1.4.1, spec 6.2).
	CondStore bool
	// MaxInMemory is the largest message loaded whole with MsgSource.Wire;
	// sections of larger messages are streamed with WriteWire. Zero means
	// DefaultMaxInMemory.
	MaxInMemory int64
	// ReadOnly is set when the mailbox was opened with EXAMINE: \Seen is
	// never set implicitly (RFC 3501 §6.3.2), so setSeen is always false.
	ReadOnly bool
}

func (o FetchOptions) maxInMemory() int64 {
	if o.MaxInMemory <= 0 {
		return DefaultMaxInMemory
	}
	return o.MaxInMemory
}

// ItemsSetSeen reports whether items fetch message content without .PEEK
// (BODY[…], BINARY[…], RFC822, RFC822.TEXT), which sets \Seen (RFC 3501
// §6.4.5). A session calls it before WriteFetch to know the flags the
// message will have.
func ItemsSetSeen(items []FetchItem) bool {
	for _, it := range items {
		switch it.Kind {
		case FetchBodySection, FetchBinary, FetchRFC822:
			if !it.Peek {
				return true
			}
		case FetchRFC822Text:
			return true
		}
	}
	return false
}

// WriteFetch writes one untagged "* n FETCH (...)" response for m (RFC
// 3501 §7.4.2), the items in the order given. With opt.UIDMode, UID comes
// first when not asked (RFC 3501 §6.4.8); with opt.CondStore, MODSEQ is
// added at the end when not asked (RFC 7162 §3.1.4.1).
//
// setSeen reports whether a non-.PEEK content item was fetched (see
// ItemsSetSeen), so the caller sets \Seen. The caller passes in m.Flags the
// flags the message has after that; FLAGS is written when items ask for it
// or when setSeen (RFC 3501 §6.4.5: the change is reported).
//
// Everything that can fail for reasons of content (a missing source, an
// *UnknownCTEError for BINARY) is resolved before the first byte is
// written, so such an error leaves the encoder untouched. Messages larger
// than opt.MaxInMemory are streamed into their literal; a failure while
// streaming poisons the encoder (enc.Err), and the caller must drop the
// connection.
func WriteFetch(ctx context.Context, enc *Encoder, m *MsgMeta, items []FetchItem, src MsgSource, opt FetchOptions) (setSeen bool, err error) {
	f := &fetchMsg{ctx: ctx, m: m, src: src, max: opt.maxInMemory()}
	setSeen = ItemsSetSeen(items) && !opt.ReadOnly
	vals := make([]fetchValue, 0, len(items)+3)
	var hasUID, hasFlags, hasModSeq bool
	for _, it := range items {
		switch it.Kind {
		case FetchUID:
			hasUID = true
		case FetchFlags:
			hasFlags = true
		case FetchModSeq:
			hasModSeq = true
		}
	}
	if opt.UIDMode && !hasUID {
		vals = append(vals, fetchValue{name: "UID", atom: strconv.FormatUint(uint64(m.UID), 10)})
	}
	for _, it := range items {
		v, err := f.resolve(it)
		if err != nil {
			return false, err
		}
		vals = append(vals, v)
	}
	if setSeen && !hasFlags {
		vals = append(vals, f.flagsValue())
	}
	if opt.CondStore && !hasModSeq {
		vals = append(vals, f.modSeqValue())
	}
	enc.Star().Number(m.Seq).Raw(" FETCH (")
	for i := range vals {
		if i > 0 {
			enc.SP()
		}
		if err := f.write(enc, &vals[i]); err != nil {
			return setSeen, err
		}
	}
	enc.Close().CRLF()
	if err := enc.Err(); err != nil {
		return setSeen, err
	}
	return setSeen, nil
}

// fetchValue is one rendered item: name, then exactly one of atom (syntax
// written verbatim), data (a literal), stream (a byte range of the wire
// form streamed into a literal), flags (a flag list) or nil.
type fetchValue struct {
	name    string
	atom    string
	data    []byte
	isData  bool
	binary  bool // literal8 (RFC 3516 §4.2) for data holding NUL
	stream  *wireRange
	isNil   bool
	flags   []string
	isFlags bool
	// binStream is BINARY data decoded while streamed (binary tells
	// literal8)
	binStream *binaryStream
}

// wireRange is the part [start, end) of a message's wire form.
type wireRange struct{ start, end int64 }

// fetchMsg holds what one WriteFetch call has loaded for its message: the
// wire form (only when small) and the structure.
type fetchMsg struct {
	ctx  context.Context
	m    *MsgMeta
	src  MsgSource
	max  int64
	wire []byte
	tree *message.Node
}

func (f *fetchMsg) flagsValue() fetchValue {
	return fetchValue{name: "FLAGS", flags: f.m.Flags, isFlags: true}
}

func (f *fetchMsg) modSeqValue() fetchValue {
	return fetchValue{name: "MODSEQ", atom: "(" + strconv.FormatUint(f.m.ModSeq, 10) + ")"}
}

// resolve renders one item (RFC 3501 §7.4.2 msg-att, RFC 3516 §4.2, RFC
// 7162 §3.1.4).
func (f *fetchMsg) resolve(it FetchItem) (fetchValue, error) {
	name := it.ResponseName()
	switch it.Kind {
	case FetchFlags:
		return f.flagsValue(), nil
	case FetchUID:
		return fetchValue{name: name, atom: strconv.FormatUint(uint64(f.m.UID), 10)}, nil
	case FetchModSeq:
		return f.modSeqValue(), nil
	case FetchInternalDate:
		return fetchValue{name: name, atom: FormatInternalDate(f.m.InternalDate)}, nil
	case FetchRFC822Size:
		return fetchValue{name: name, atom: strconv.FormatInt(f.m.RFCSize, 10)}, nil
	case FetchEnvelope:
		env, err := f.src.Envelope(f.ctx, f.m)
		if err != nil {
			return fetchValue{}, fmt.Errorf("fetch envelope of uid %d: %w", f.m.UID, err)
		}
		return fetchValue{name: name, atom: env}, nil
	case FetchBody, FetchBodyStructure:
		tree, err := f.structure()
		if err != nil {
			return fetchValue{}, err
		}
		return fetchValue{name: name, atom: tree.BodyStructure(it.Kind == FetchBodyStructure)}, nil
	case FetchRFC822:
		return f.section(name, Section{}, nil)
	case FetchRFC822Header:
		return f.section(name, Section{Specifier: "HEADER"}, nil)
	case FetchRFC822Text:
		return f.section(name, Section{Specifier: "TEXT"}, nil)
	case FetchBodySection:
		return f.section(name, it.Section, it.Partial)
	case FetchBinary, FetchBinarySize:
		return f.binary(name, it)
	}
	return fetchValue{}, fmt.Errorf("fetch: unknown item kind %d", it.Kind)
}

// FormatInternalDate formats an INTERNALDATE as DBMail does (spec 6.2):
// "DD-Mon-YYYY HH:MM:SS +0000" in UTC, quoted (RFC 3501 §9 date-time,
// 2DIGIT day).
func FormatInternalDate(t time.Time) string {
	return t.UTC().Format(`"02-Jan-2006 15:04:05 -0700"`)
}

func (f *fetchMsg) structure() (*message.Node, error) {
	if f.tree != nil {
		return f.tree, nil
	}
	tree, err := f.src.Structure(f.ctx, f.m)
	if err != nil {
		return nil, fmt.Errorf("fetch structure of uid %d: %w", f.m.UID, err)
	}
	if tree == nil {
		return nil, fmt.Errorf("fetch structure of uid %d: no structure", f.m.UID)
	}
	f.tree = tree
	return tree, nil
}

// write writes one value; literals are sized (RFC 3501 §4.3).
func (f *fetchMsg) write(enc *Encoder, v *fetchValue) error {
	enc.Raw(v.name).SP()
	switch {
	case v.isNil:
		enc.NIL()
	case v.isFlags:
		enc.FlagList(v.flags)
	case v.binStream != nil:
		if err := f.writeBinaryStream(enc, v); err != nil {
			return err
		}
	case v.stream != nil:
		var lw *LiteralWriter
		if v.binary {
			lw = enc.Literal8(v.stream.end - v.stream.start)
		} else {
			lw = enc.Literal(v.stream.end - v.stream.start)
		}
		if err := f.streamRange(*v.stream, lw); err != nil {
			_ = lw.Close()
			return err
		}
		if err := lw.Close(); err != nil {
			return err
		}
	case v.isData:
		var lw *LiteralWriter
		if v.binary {
			lw = enc.Literal8(int64(len(v.data)))
		} else {
			lw = enc.Literal(int64(len(v.data)))
		}
		if _, err := lw.Write(v.data); err != nil {
			return err
		}
		if err := lw.Close(); err != nil {
			return err
		}
	default:
		enc.Raw(v.atom)
	}
	return enc.Err()
}
