package imap4

import (
	"bytes"
	"strconv"
	"strings"
)

// UnknownCTEError is returned for BINARY of a part whose
// Content-Transfer-Encoding the server cannot decode; the session answers
// "NO [UNKNOWN-CTE]" (RFC 3516 §4.3). It is returned before anything of
// the response is written.
type UnknownCTEError struct {
	Encoding string
	Part     string // section part, e.g. "1.2"
}

func (e *UnknownCTEError) Error() string {
	return "imap4: unknown content-transfer-encoding " + strconv.Quote(e.Encoding) + " in part " + e.Part
}

// binary renders BINARY[part]<partial> and BINARY.SIZE[part] (RFC 3516
// §4.2): the part's body with its Content-Transfer-Encoding removed. An
// empty part means the whole message, unchanged; composite parts
// (multipart, message) are sent as they are, they carry no encoding of
// their own (RFC 2045 §6.4).
func (f *fetchMsg) binary(name string, it FetchItem) (fetchValue, error) {
	if len(it.Section.Part) == 0 {
		if it.Kind == FetchBinarySize {
			return fetchValue{name: name, atom: strconv.FormatInt(f.m.RFCSize, 10)}, nil
		}
		// literal8 when the message holds a NUL (RFC 3516 §4.2); a
		// streamed message is scanned first
		v, err := f.section(name, Section{}, nil)
		if err != nil {
			return v, err
		}
		if v.stream != nil {
			var c decodedCounter
			if err := f.streamRange(*v.stream, &c); err != nil {
				return fetchValue{}, err
			}
			v.binary = c.nul
			r := wireRange{0, v.stream.end}.partial(it.Partial)
			v.stream = &r
			return v, nil
		}
		v.binary = bytes.IndexByte(v.data, 0) >= 0
		v.data = cutPartial(v.data, it.Partial)
		return v, nil
	}
	tree, err := f.structure()
	if err != nil {
		return fetchValue{}, err
	}
	part, ok := tree.Part(toMessageSection(Section{Part: it.Section.Part}).Path)
	if !ok {
		if it.Kind == FetchBinarySize {
			return fetchValue{name: name, atom: "0"}, nil
		}
		return fetchValue{name: name, isNil: true}, nil
	}
	cte := ""
	if !part.IsMultipart() && part.Type != "message" {
		cte = normalizeCTE(part.Encoding)
	}
	if !knownCTE(cte) {
		return fetchValue{}, &UnknownCTEError{Encoding: part.Encoding, Part: Section{Part: it.Section.Part}.String()}
	}
	r := wireRange{part.BodyStart, part.End}
	if it.Kind == FetchBinarySize && !needsDecoding(cte) {
		return fetchValue{name: name, atom: strconv.FormatInt(r.end-r.start, 10)}, nil
	}
	if r.end-r.start > f.max && f.wire == nil {
		return f.binaryStreamed(name, it, r, cte)
	}
	raw, err := f.bytes(r)
	if err != nil {
		return fetchValue{}, err
	}
	data := decodeCTE(cte, raw)
	if it.Kind == FetchBinarySize {
		return fetchValue{name: name, atom: strconv.Itoa(len(data))}, nil
	}
	// literal8 when the decoded part holds a NUL, whatever the partial
	// cuts out of it (the streamed path decides the same way)
	nul := bytes.IndexByte(data, 0) >= 0
	return fetchValue{name: name, data: cutPartial(data, it.Partial), isData: true, binary: nul}, nil
}

// normalizeCTE lower-cases a Content-Transfer-Encoding value and drops
// white space and a trailing comment (RFC 2045 §6.1).
func normalizeCTE(v string) string {
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// knownCTE: the identity encodings and the two RFC 2045 §6.7-6.8 ones.
func knownCTE(cte string) bool {
	switch cte {
	case "", "7bit", "8bit", "binary", "base64", "quoted-printable":
		return true
	}
	return false
}

func needsDecoding(cte string) bool { return cte == "base64" || cte == "quoted-printable" }

// binaryStream is a BINARY value decoded while it is streamed: the part's
// range of the wire form, its encoding, the window of the decoded bytes
// to send.
type binaryStream struct {
	r      wireRange
	cte    string
	window wireRange
}

// binaryStreamed handles a part larger than MaxInMemory: one streamed pass
// measures the decoded size (and finds NULs); the data is decoded again
// while it is written (RFC 3516 §4.2).
func (f *fetchMsg) binaryStreamed(name string, it FetchItem, r wireRange, cte string) (fetchValue, error) {
	var c decodedCounter
	dec := newCTEDecoder(cte, &c)
	if err := f.streamRange(r, dec); err != nil {
		return fetchValue{}, err
	}
	if err := dec.Close(); err != nil {
		return fetchValue{}, err
	}
	if it.Kind == FetchBinarySize {
		return fetchValue{name: name, atom: strconv.FormatInt(c.n, 10)}, nil
	}
	win := wireRange{0, c.n}.partial(it.Partial)
	return fetchValue{name: name, binary: c.nul, binStream: &binaryStream{r: r, cte: cte, window: win}}, nil
}

// writeBinaryStream decodes the part again into the announced literal.
func (f *fetchMsg) writeBinaryStream(enc *Encoder, v *fetchValue) error {
	bs := v.binStream
	size := bs.window.end - bs.window.start
	var lw *LiteralWriter
	if v.binary {
		lw = enc.Literal8(size)
	} else {
		lw = enc.Literal(size)
	}
	dec := newCTEDecoder(bs.cte, &windowWriter{w: lw, skip: bs.window.start, left: size})
	err := f.streamRange(bs.r, dec)
	if err == nil {
		err = dec.Close()
	}
	if cerr := lw.Close(); err == nil {
		err = cerr
	}
	return err
}
