package message

import (
	"strings"
)

// maxStructureLevel bounds the nesting the structure parser follows; deeper
// multiparts are shown as text/plain leaves.
const maxStructureLevel = 100

// Param is one Content-Type or Content-Disposition parameter (name
// lower-case, value unquoted).
type Param struct{ Name, Value string }

// Node is one MIME entity of a message in its CRLF wire form, with exact
// byte offsets: the header section including its blank line is
// wire[Start:BodyStart] (BODY[n.MIME], or BODY[HEADER] of a message), the
// body is wire[BodyStart:End] (BODY[n], BODY[TEXT]) (RFC 3501 §6.4.5).
type Node struct {
	Start, BodyStart, End int64
	Lines                 int64 // text lines of the body

	Type, Subtype string // lower-case
	Params        []Param
	ID            string
	Description   string
	Encoding      string // Content-Transfer-Encoding as written, "" when absent
	MD5           string
	Disposition   string // disposition type, "" when absent
	DispParams    []Param
	Language      []string
	Location      string

	Parts    []*Node // children of a multipart
	Message  *Node   // the encapsulated message of a message/rfc822 part
	envelope string  // ENVELOPE of Message
}

// ParseStructure parses a message in its CRLF wire form (what FormCRLF
// emits) into its MIME tree. The tree does not keep the bytes.
func ParseStructure(wire []byte) *Node {
	return buildNode(wire, scanMessage(wire, maxStructureLevel))
}

func buildNode(data []byte, e *entity) *Node {
	n := newNode(data[e.Start:e.HdrEnd], e.Media, int64(e.Start), int64(e.BodyStart), int64(e.End), countLines(data[e.BodyStart:e.End]))
	for _, c := range e.Parts {
		n.Parts = append(n.Parts, buildNode(data, c))
	}
	if e.Inner != nil {
		n.Message = buildNode(data, e.Inner)
		n.envelope = envelopeOf(parseHeaderList(data[e.Inner.Start:e.Inner.HdrEnd]))
	}
	finishNode(n)
	return n
}

// newNode builds a node without children from its header block (up to
// HdrEnd), its media type and its ranges.
func newNode(hdr []byte, media mediaType, start, bodyStart, end, lines int64) *Node {
	n := &Node{Start: start, BodyStart: bodyStart, End: end, Lines: lines}
	n.Type, n.Subtype = media.Type, media.Subtype
	for _, p := range media.List {
		n.Params = append(n.Params, Param(p))
	}
	if !media.Explicit && n.Type == "text" {
		n.Params = []Param{{Name: "charset", Value: "us-ascii"}}
	}
	for _, f := range parseHeaderList(hdr) {
		v := strings.TrimSpace(f.Value)
		switch strings.ToLower(f.Name) {
		case "content-transfer-encoding":
			n.Encoding = v
		case "content-id":
			n.ID = v
		case "content-description":
			n.Description = v
		case "content-md5":
			n.MD5 = v
		case "content-location":
			n.Location = v
		case "content-language":
			for _, l := range strings.Split(v, ",") {
				if l = strings.TrimSpace(l); l != "" {
					n.Language = append(n.Language, l)
				}
			}
		case "content-disposition":
			head, rest, _ := strings.Cut(v, ";")
			n.Disposition = strings.TrimSpace(head)
			for _, p := range parseParams(rest) {
				n.DispParams = append(n.DispParams, Param(p))
			}
		}
	}
	return n
}

// finishNode shows a multipart without parts (no boundary, no delimiter or
// too deep) as text, once its children are known.
func finishNode(n *Node) {
	if n.Type == "multipart" && len(n.Parts) == 0 {
		n.Type, n.Subtype = "text", "plain"
		n.Params = []Param{{Name: "charset", Value: "us-ascii"}}
	}
}

// countLines counts the lines of a body: its line breaks, plus a final
// line without one.
func countLines(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// IsMultipart reports whether the node has child parts.
func (n *Node) IsMultipart() bool { return n.Type == "multipart" }

// IsMessage reports whether the node is a message/rfc822 part with an
// encapsulated message.
func (n *Node) IsMessage() bool { return n.Message != nil }

// Size is the body's length in octets.
func (n *Node) Size() int64 { return n.End - n.BodyStart }

// Part resolves an IMAP part number (RFC 3501 §6.4.5) from the root: a
// multipart's parts are numbered from 1; a non-multipart message has only
// part 1, itself; below a message/rfc822 part the numbers refer to its
// encapsulated message.
func (n *Node) Part(path []int) (*Node, bool) {
	cur := n
	for i, k := range path {
		target := cur
		if i > 0 {
			switch {
			case cur.Message != nil:
				target = cur.Message
			case !cur.IsMultipart():
				return nil, false // a leaf has no sub-parts
			}
		}
		switch {
		case target.IsMultipart():
			if k < 1 || k > len(target.Parts) {
				return nil, false
			}
			cur = target.Parts[k-1]
		case k == 1:
			cur = target
		default:
			return nil, false
		}
	}
	return cur, true
}

// BodyStructure renders the node as an RFC 3501 §7.4.2 body: BODY when
// extended is false, BODYSTRUCTURE (with the extension data) when true.
func (n *Node) BodyStructure(extended bool) string {
	var b strings.Builder
	n.writeBody(&b, extended)
	return b.String()
}

func (n *Node) writeBody(b *strings.Builder, ext bool) {
	b.WriteByte('(')
	if n.IsMultipart() {
		for _, p := range n.Parts {
			p.writeBody(b, ext)
		}
		b.WriteByte(' ')
		b.WriteString(IMAPString(strings.ToUpper(n.Subtype)))
		if ext {
			b.WriteByte(' ')
			writeParams(b, n.Params)
			n.writeExtTail(b)
		}
		b.WriteByte(')')
		return
	}
	b.WriteString(IMAPString(strings.ToUpper(n.Type)))
	b.WriteByte(' ')
	b.WriteString(IMAPString(strings.ToUpper(n.Subtype)))
	b.WriteByte(' ')
	writeParams(b, n.Params)
	b.WriteByte(' ')
	b.WriteString(IMAPNString(n.ID))
	b.WriteByte(' ')
	b.WriteString(IMAPNString(n.Description))
	b.WriteByte(' ')
	enc := strings.ToUpper(n.Encoding)
	if enc == "" {
		enc = "7BIT"
	}
	b.WriteString(IMAPString(enc))
	b.WriteByte(' ')
	b.WriteString(itoa64(n.Size()))
	switch {
	case n.Type == "message" && n.Subtype == "rfc822":
		b.WriteByte(' ')
		if n.Message != nil {
			b.WriteString(n.envelope)
			b.WriteByte(' ')
			n.Message.writeBody(b, ext)
		} else {
			b.WriteString("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)")
		}
		b.WriteByte(' ')
		b.WriteString(itoa64(n.Lines))
	case n.Type == "text":
		b.WriteByte(' ')
		b.WriteString(itoa64(n.Lines))
	}
	if ext {
		b.WriteByte(' ')
		b.WriteString(IMAPNString(n.MD5))
		n.writeExtTail(b)
	}
	b.WriteByte(')')
}

// writeExtTail writes body-fld-dsp, body-fld-lang and body-fld-loc.
func (n *Node) writeExtTail(b *strings.Builder) {
	b.WriteByte(' ')
	if n.Disposition == "" {
		b.WriteString("NIL")
	} else {
		b.WriteByte('(')
		b.WriteString(IMAPString(strings.ToUpper(n.Disposition)))
		b.WriteByte(' ')
		writeParams(b, n.DispParams)
		b.WriteByte(')')
	}
	b.WriteByte(' ')
	switch len(n.Language) {
	case 0:
		b.WriteString("NIL")
	case 1:
		b.WriteString(IMAPString(n.Language[0]))
	default:
		b.WriteByte('(')
		for i, l := range n.Language {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(IMAPString(l))
		}
		b.WriteByte(')')
	}
	b.WriteByte(' ')
	b.WriteString(IMAPNString(n.Location))
}

// writeParams writes body-fld-param: NIL or ("NAME" "value" …).
func writeParams(b *strings.Builder, params []Param) {
	if len(params) == 0 {
		b.WriteString("NIL")
		return
	}
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(IMAPString(strings.ToUpper(p.Name)))
		b.WriteByte(' ')
		b.WriteString(IMAPString(p.Value))
	}
	b.WriteByte(')')
}
