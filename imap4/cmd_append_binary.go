package imap4

import (
	"bytes"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/dbmail-go/dbmail/message"
)

// encodeBinaryParts rewrites every leaf MIME part whose
// Content-Transfer-Encoding is "binary" as base64, which RFC 3516 §4.2
// lets a server do with a literal8 APPEND it cannot store as is: the
// stored message stays text (BODY[] is a normal literal) while BINARY[]
// decodes the part back to the octets the client sent. Other parts are
// copied unchanged.
func encodeBinaryParts(data []byte) []byte {
	var leaves []*message.Node
	var walk func(n *message.Node)
	walk = func(n *message.Node) {
		switch {
		case len(n.Parts) > 0:
			for _, p := range n.Parts {
				walk(p)
			}
		case n.Message != nil:
			walk(n.Message)
		case strings.EqualFold(cteToken(n.Encoding), "binary"):
			leaves = append(leaves, n)
		}
	}
	walk(message.ParseStructure(data))
	if len(leaves) == 0 {
		return data
	}
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].Start < leaves[j].Start })
	var out bytes.Buffer
	out.Grow(len(data) * 4 / 3)
	pos := int64(0)
	for _, n := range leaves {
		if n.Start < pos || n.End > int64(len(data)) || n.BodyStart > n.End {
			continue
		}
		out.Write(data[pos:n.Start])
		out.Write(replaceCTE(data[n.Start:n.BodyStart]))
		writeBase64Lines(&out, data[n.BodyStart:n.End])
		if n.End == int64(len(data)) {
			out.WriteString("\r\n")
		}
		pos = n.End
	}
	out.Write(data[pos:])
	return out.Bytes()
}

// replaceCTE sets Content-Transfer-Encoding to base64 in a header
// section, dropping the old field with its continuation lines.
func replaceCTE(h []byte) []byte {
	var out bytes.Buffer
	lines := bytes.SplitAfter(h, []byte("\n"))
	skip := false
	for _, l := range lines {
		if skip && len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			continue
		}
		skip = false
		if len(l) >= 26 && strings.EqualFold(string(l[:26]), "content-transfer-encoding:") {
			out.WriteString("Content-Transfer-Encoding: base64\r\n")
			skip = true
			continue
		}
		out.Write(l)
	}
	return out.Bytes()
}

// writeBase64Lines writes b as base64 in lines of 76 characters separated
// by CRLF (RFC 2045 §6.8), without a final line break.
func writeBase64Lines(w *bytes.Buffer, b []byte) {
	enc := base64.StdEncoding.EncodeToString(b)
	for i := 0; i < len(enc); i += 76 {
		if i > 0 {
			w.WriteString("\r\n")
		}
		w.WriteString(enc[i:min(i+76, len(enc))])
	}
}

// cteToken is the mechanism of a Content-Transfer-Encoding value without
// a trailing comment (RFC 2045 §6.1).
func cteToken(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " \t("); i >= 0 {
		v = v[:i]
	}
	return v
}
