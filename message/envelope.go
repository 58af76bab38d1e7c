package message

import (
	"strconv"
	"strings"
)

// Envelope returns the IMAP ENVELOPE of the message (RFC 3501 §7.4.2, spec
// 2.10): ("date" "subject" from sender reply-to to cc bcc "in-reply-to"
// "message-id"). Unlike DBMail's cached row it is correctly quoted: values
// are the raw header text (encoded-words are left for the client, as RFC
// 3501 wants), '"' and '\' are escaped, and a value holding CR, LF or 8-bit
// bytes is sent as a literal. Sender and Reply-To fall back to From when
// absent or empty.
func (m *Message) Envelope() string { return envelopeOf(m.header) }

// envelopeOf renders the ENVELOPE of a top-level header.
func envelopeOf(h headerList) string {
	var b strings.Builder
	b.WriteByte('(')
	b.WriteString(h.envString("date"))
	b.WriteByte(' ')
	b.WriteString(h.envString("subject"))
	from := h.envAddresses("from")
	b.WriteByte(' ')
	b.WriteString(from)
	for _, name := range []string{"sender", "reply-to"} {
		b.WriteByte(' ')
		if v := h.envAddresses(name); v != "NIL" {
			b.WriteString(v)
		} else {
			b.WriteString(from)
		}
	}
	for _, name := range []string{"to", "cc", "bcc"} {
		b.WriteByte(' ')
		b.WriteString(h.envAddresses(name))
	}
	b.WriteByte(' ')
	b.WriteString(h.envString("in-reply-to"))
	b.WriteByte(' ')
	b.WriteString(h.envString("message-id"))
	b.WriteByte(')')
	return b.String()
}

// envString is the nstring of a raw header value, NIL when absent or empty.
func (h headerList) envString(name string) string {
	v, ok := h.rawValue(name)
	if !ok || v == "" {
		return "NIL"
	}
	return IMAPString(v)
}

// envAddresses is the address-structure list of a field (RFC 3501 §7.4.2):
// ((name adl mailbox host)…), groups as (NIL NIL "group" NIL) members
// (NIL NIL NIL NIL); NIL when the field is absent or holds no address.
func (h headerList) envAddresses(name string) string {
	v, ok := h.rawValue(name)
	if !ok {
		return "NIL"
	}
	list := ParseAddressList(v)
	if len(list) == 0 {
		return "NIL"
	}
	var b strings.Builder
	b.WriteByte('(')
	for _, a := range list {
		if a.IsGroup {
			b.WriteString("(NIL NIL ")
			b.WriteString(IMAPNString(a.Name))
			b.WriteString(" NIL)")
			for _, mem := range a.Members {
				writeEnvAddress(&b, mem)
			}
			b.WriteString("(NIL NIL NIL NIL)")
			continue
		}
		writeEnvAddress(&b, a)
	}
	b.WriteByte(')')
	return b.String()
}

func writeEnvAddress(b *strings.Builder, a Address) {
	b.WriteByte('(')
	b.WriteString(IMAPNString(a.Name))
	b.WriteByte(' ')
	b.WriteString(IMAPNString(a.Route))
	b.WriteByte(' ')
	b.WriteString(IMAPString(a.Mailbox))
	b.WriteByte(' ')
	b.WriteString(IMAPNString(a.Host))
	b.WriteByte(')')
}

// IMAPNString renders s as an IMAP nstring: NIL when empty, else IMAPString.
func IMAPNString(s string) string {
	if s == "" {
		return "NIL"
	}
	return IMAPString(s)
}

// IMAPString renders s as an IMAP string (RFC 3501 §4.3): a quoted string
// with '"' and '\' escaped, or a literal "{n}\r\n…" when s holds CR, LF or
// 8-bit bytes, which quoted strings cannot carry. NUL bytes, which neither
// form may carry, are dropped.
func IMAPString(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	literal := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c >= 0x80 {
			literal = true
			break
		}
	}
	if literal {
		return "{" + strconv.Itoa(len(s)) + "}\r\n" + s
	}
	return quoteString(s)
}
