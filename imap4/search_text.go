package imap4

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/dbmail-go/dbmail/message"
	"golang.org/x/text/encoding/htmlindex"
)

// foldedText is a search string prepared for case-insensitive substring
// matching (RFC 3501 §6.4.4: "case-insensitive substring"): lower-cased,
// with a fast path when it is pure ASCII.
type foldedText struct {
	s     string
	ascii bool
}

func foldText(s string) foldedText {
	f := foldedText{s: strings.ToLower(strings.ToValidUTF8(s, "\uFFFD")), ascii: true}
	for i := 0; i < len(f.s); i++ {
		if f.s[i] >= utf8.RuneSelf {
			f.ascii = false
			break
		}
	}
	return f
}

func (f foldedText) empty() bool { return f.s == "" }

// in reports whether hay contains the text, ignoring case.
func (f foldedText) in(hay string) bool {
	if f.ascii {
		return indexASCIIFold(hay, f.s) >= 0
	}
	return strings.Contains(strings.ToLower(hay), f.s)
}

// inBytes is in for a byte slice.
func (f foldedText) inBytes(hay []byte) bool {
	if f.ascii {
		return indexASCIIFoldBytes(hay, f.s) >= 0
	}
	return bytes.Contains(bytes.ToLower(hay), []byte(f.s))
}

func lowerASCIIByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexASCIIFold finds the lower-case ASCII needle in hay, ignoring the
// case of hay's ASCII letters.
func indexASCIIFold(hay, needle string) int {
	if needle == "" {
		return 0
	}
	first := needle[0]
	for i := 0; i+len(needle) <= len(hay); i++ {
		if lowerASCIIByte(hay[i]) != first {
			continue
		}
		j := 1
		for j < len(needle) && lowerASCIIByte(hay[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
	}
	return -1
}

func indexASCIIFoldBytes(hay []byte, needle string) int {
	if needle == "" {
		return 0
	}
	first := needle[0]
	upper := first
	if first >= 'a' && first <= 'z' {
		upper = first - ('a' - 'A')
	}
	for i := 0; i+len(needle) <= len(hay); {
		// jump to the next candidate for the first byte in either case
		rest := hay[i : len(hay)-len(needle)+1]
		k := bytes.IndexByte(rest, first)
		if upper != first {
			if u := bytes.IndexByte(rest, upper); u >= 0 && (k < 0 || u < k) {
				k = u
			}
		}
		if k < 0 {
			return -1
		}
		i += k
		j := 1
		for j < len(needle) && lowerASCIIByte(hay[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
		i++
	}
	return -1
}

// searchTextUTF8 converts a search string from the command's CHARSET
// (RFC 3501 §6.4.4) to UTF-8.
func searchTextUTF8(s, charset string) (string, error) {
	switch strings.ToUpper(charset) {
	case "", "UTF-8", "US-ASCII", "UTF8", "ASCII":
		return s, nil
	}
	enc, err := htmlindex.Get(strings.ToLower(charset))
	if err != nil {
		return "", &BadCharsetError{Charset: charset}
	}
	out, err := enc.NewDecoder().String(s)
	if err != nil {
		return "", &BadCharsetError{Charset: charset}
	}
	return out, nil
}

// decodeValue decodes a raw header value (RFC 2047, spec 2.9 step 3).
func decodeValue(raw, charset string) string { return message.DecodeHeader(raw, charset) }

// partTextUTF8 converts text from a part's charset; unknown charsets and text
// that does not convert are searched as they are.
func partTextUTF8(b []byte, charset string) []byte {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return b
	}
	enc, err := htmlindex.Get(strings.ToLower(strings.TrimSpace(charset)))
	if err != nil {
		return b
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// bodyContains is BODY (RFC 3501 §6.4.4): the text of the message body —
// every text part, transfer-decoded (base64, quoted-printable) and
// converted from its charset, and the header of every attached message
// (decoded, "Name: value"). Non-text leaves (images, archives) and
// multipart preambles are not searched.
func (d *msgData) bodyContains(needle foldedText) (bool, error) {
	tree, err := d.content()
	if err != nil {
		return false, err
	}
	if needle.empty() {
		return true, nil
	}
	return d.nodeContains(tree, needle)
}

// nodeContains searches the body of n (the header of n itself belongs to
// TEXT, not BODY).
func (d *msgData) nodeContains(n *message.Node, needle foldedText) (bool, error) {
	switch {
	case n.IsMultipart():
		for _, p := range n.Parts {
			if ok, err := d.nodeContains(p, needle); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	case n.Message != nil:
		inner := n.Message
		hdr, err := d.part(inner.Start, inner.BodyStart)
		if err != nil {
			return false, err
		}
		h := parseHeaderFields(hdr)
		for _, f := range h.fields {
			if needle.in(f.Name + ": " + decodeValue(f.Value, h.charset)) {
				return true, nil
			}
		}
		return d.nodeContains(inner, needle)
	}
	if n.Type != "text" && n.Type != "message" && n.Type != "" {
		return false, nil
	}
	body, err := d.part(n.BodyStart, n.End)
	if err != nil {
		return false, err
	}
	if cte := normalizeCTE(n.Encoding); needsDecoding(cte) {
		body = decodeCTE(cte, body)
	}
	for _, p := range n.Params {
		if p.Name == "charset" {
			body = partTextUTF8(body, p.Value)
			break
		}
	}
	return needle.inBytes(body), nil
}
