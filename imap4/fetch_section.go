package imap4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dbmail-go/dbmail/message"
)

// errRangeDone stops MsgSource.WriteWire once the wanted bytes arrived.
var errRangeDone = errors.New("imap4: wire range complete")

// section renders BODY[section]<partial> and the RFC822 items (RFC 3501
// §6.4.5): the byte range of the section in the wire form, HEADER.FIELDS
// filtered, cut to the partial; NIL when the part does not exist.
func (f *fetchMsg) section(name string, sec Section, partial *Partial) (fetchValue, error) {
	var r wireRange
	hs, haveHeaders := f.src.(HeaderSource)
	switch {
	case len(sec.Part) == 0 && sec.Specifier == "":
		// BODY[], RFC822: no structure needed; a message loaded in memory
		// is sent whole even when its recorded size is off (rfcsize 0 on
		// old rows, spec 7.2)
		r = wireRange{0, f.m.RFCSize}
		if f.wire != nil || f.m.RFCSize <= f.max {
			if err := f.loadWire(); err != nil {
				return fetchValue{}, err
			}
			r.end = int64(len(f.wire))
		}
	case len(sec.Part) == 0 && strings.HasPrefix(sec.Specifier, "HEADER") && haveHeaders && f.wire == nil:
		hdr, err := hs.Header(f.ctx, f.m)
		if err != nil {
			return fetchValue{}, fmt.Errorf("fetch header of uid %d: %w", f.m.UID, err)
		}
		if sec.Specifier != "HEADER" {
			hdr = message.HeaderFields(hdr, sec.Fields, sec.Specifier == "HEADER.FIELDS.NOT")
		}
		return fetchValue{name: name, data: cutPartial(hdr, partial), isData: true}, nil
	default:
		tree, err := f.structure()
		if err != nil {
			return fetchValue{}, err
		}
		ms := toMessageSection(sec)
		start, end, filter, ok := tree.Locate(ms)
		if !ok {
			return fetchValue{name: name, isNil: true}, nil
		}
		r = wireRange{start, end}
		if filter {
			hdr, err := f.bytes(r)
			if err != nil {
				return fetchValue{}, err
			}
			data := message.HeaderFields(hdr, ms.Fields, ms.Specifier == "HEADER.FIELDS.NOT")
			return fetchValue{name: name, data: cutPartial(data, partial), isData: true}, nil
		}
	}
	r = r.partial(partial)
	if r.end-r.start > f.max && f.wire == nil {
		return fetchValue{name: name, stream: &r}, nil
	}
	data, err := f.bytes(r)
	if err != nil {
		return fetchValue{}, err
	}
	return fetchValue{name: name, data: data, isData: true}, nil
}

// toMessageSection converts the parser's section to the message package's.
func toMessageSection(sec Section) message.Section {
	ms := message.Section{Specifier: sec.Specifier, Fields: sec.Fields}
	for _, p := range sec.Part {
		ms.Path = append(ms.Path, int(p))
	}
	return ms
}

// partial cuts the range to "<offset.count>" (RFC 3501 §6.4.5): an offset
// past the end gives an empty range.
func (r wireRange) partial(p *Partial) wireRange {
	if p == nil {
		return r
	}
	s := r.start + int64(p.Offset)
	if s > r.end {
		s = r.end
	}
	e := s + int64(p.Count)
	if e > r.end {
		e = r.end
	}
	return wireRange{s, e}
}

// cutPartial applies "<offset.count>" to data in memory.
func cutPartial(data []byte, p *Partial) []byte {
	r := wireRange{0, int64(len(data))}.partial(p)
	return data[r.start:r.end]
}

// bytes returns the range in memory: sliced from the wire form when it is
// loaded or small enough to load, else streamed out of WriteWire.
func (f *fetchMsg) bytes(r wireRange) ([]byte, error) {
	if f.wire == nil && f.m.RFCSize <= f.max {
		if err := f.loadWire(); err != nil {
			return nil, err
		}
	}
	if f.wire != nil {
		if r.start < 0 || r.end > int64(len(f.wire)) || r.start > r.end {
			return nil, fmt.Errorf("fetch message uid %d: range %d-%d outside its %d bytes", f.m.UID, r.start, r.end, len(f.wire))
		}
		return f.wire[r.start:r.end], nil
	}
	var buf bytes.Buffer
	buf.Grow(int(r.end - r.start))
	if err := f.streamRange(r, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadWire loads the whole wire form once per WriteFetch.
func (f *fetchMsg) loadWire() error {
	if f.wire != nil {
		return nil
	}
	wire, err := f.src.Wire(f.ctx, f.m)
	if err != nil {
		return fmt.Errorf("fetch message uid %d: %w", f.m.UID, err)
	}
	if wire == nil {
		wire = []byte{}
	}
	f.wire = wire
	return nil
}

// streamRange copies the range of the wire form to w with WriteWire,
// stopping the stream once the range is complete.
func (f *fetchMsg) streamRange(r wireRange, w io.Writer) error {
	rw := &rangeWriter{w: w, skip: r.start, left: r.end - r.start}
	if rw.left == 0 {
		return nil
	}
	err := f.src.WriteWire(f.ctx, f.m, rw)
	if rw.left == 0 && rw.err == nil {
		return nil
	}
	if rw.err != nil {
		return rw.err
	}
	if err != nil {
		return fmt.Errorf("stream message uid %d: %w", f.m.UID, err)
	}
	return fmt.Errorf("stream message uid %d: %d bytes missing", f.m.UID, rw.left)
}

// rangeWriter passes on the bytes [skip, skip+left) of what is written to
// it and then refuses more with errRangeDone.
type rangeWriter struct {
	w          io.Writer
	skip, left int64
	err        error // the error of w
}

func (rw *rangeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if rw.skip > 0 {
		if int64(len(p)) <= rw.skip {
			rw.skip -= int64(len(p))
			return n, nil
		}
		p = p[rw.skip:]
		rw.skip = 0
	}
	if rw.left == 0 {
		return 0, errRangeDone
	}
	if int64(len(p)) > rw.left {
		p = p[:rw.left]
	}
	if _, err := rw.w.Write(p); err != nil {
		rw.err = err
		return 0, err
	}
	rw.left -= int64(len(p))
	if rw.left == 0 {
		return n, errRangeDone
	}
	return n, nil
}
