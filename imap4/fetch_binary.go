package imap4

import (
	"bytes"
	"encoding/base64"
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
		v, err := f.section(name, Section{}, it.Partial)
		if err == nil && v.isData && bytes.IndexByte(v.data, 0) >= 0 {
			v.binary = true
		}
		return v, err
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
	raw, err := f.bytes(r)
	if err != nil {
		return fetchValue{}, err
	}
	data := decodeCTE(cte, raw)
	if it.Kind == FetchBinarySize {
		return fetchValue{name: name, atom: strconv.Itoa(len(data))}, nil
	}
	data = cutPartial(data, it.Partial)
	return fetchValue{name: name, data: data, isData: true, binary: bytes.IndexByte(data, 0) >= 0}, nil
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

// decodeCTE removes a known transfer encoding leniently: characters outside
// the base64 alphabet are skipped (RFC 2045 §6.8), malformed
// quoted-printable escapes are kept as written.
func decodeCTE(cte string, data []byte) []byte {
	switch cte {
	case "base64":
		return decodeBase64Lenient(data)
	case "quoted-printable":
		return decodeQuotedPrintable(data)
	}
	return data
}

// decodeBase64Lenient decodes base64 ignoring characters outside the
// alphabet; "=" ends a quantum, and decoding continues after it, as mail
// clients do with concatenated encodings.
func decodeBase64Lenient(data []byte) []byte {
	out := make([]byte, 0, len(data)*3/4)
	var quantum [4]byte
	n := 0
	flush := func() {
		if n >= 2 {
			var dst [3]byte
			k, err := base64.RawStdEncoding.Decode(dst[:], quantum[:n])
			if err == nil {
				out = append(out, dst[:k]...)
			}
		}
		n = 0
	}
	for _, c := range data {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			quantum[n] = c
			n++
			if n == 4 {
				flush()
			}
		case c == '=':
			flush()
		}
	}
	flush()
	return out
}

// decodeQuotedPrintable decodes RFC 2045 §6.7: "=XX" escapes, soft line
// breaks ("=" at the end of a line, trailing white space allowed), and
// trailing white space on lines is removed (rule 3).
func decodeQuotedPrintable(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for len(data) > 0 {
		line := data
		var eol []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
			eol = []byte("\n")
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
				eol = []byte("\r\n")
			}
		} else {
			data = nil
		}
		line = bytes.TrimRight(line, " \t")
		soft := false
		if n := len(line); n > 0 && line[n-1] == '=' {
			line = line[:n-1]
			soft = true
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) && qpIsHex(line[i+1]) && qpIsHex(line[i+2]) {
				out = append(out, qpHexValue(line[i+1])<<4|qpHexValue(line[i+2]))
				i += 2
				continue
			}
			out = append(out, c)
		}
		if !soft {
			out = append(out, eol...)
		}
	}
	return out
}

func qpIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func qpHexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
