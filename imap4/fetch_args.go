package imap4

import (
	"strconv"
	"strings"
)

// FetchKind names a fetch-att (RFC 3501 §6.4.5, §9).
type FetchKind uint8

const (
	FetchEnvelope      FetchKind = iota + 1
	FetchFlags                   // FLAGS
	FetchInternalDate            // INTERNALDATE
	FetchRFC822                  // RFC822 (RFC822.PEEK sets Peek, a DBMail extension)
	FetchRFC822Header            // RFC822.HEADER
	FetchRFC822Text              // RFC822.TEXT
	FetchRFC822Size              // RFC822.SIZE
	FetchUID                     // UID
	FetchBody                    // BODY (non-extensible BODYSTRUCTURE)
	FetchBodyStructure           // BODYSTRUCTURE
	FetchBodySection             // BODY[section]<partial>, BODY.PEEK[...]
	FetchBinary                  // BINARY[part]<partial>, BINARY.PEEK (RFC 3516 §4.1)
	FetchBinarySize              // BINARY.SIZE[part] (RFC 3516 §4.1)
	FetchModSeq                  // MODSEQ (RFC 7162 §3.1.4)
)

// Section is a body section spec (RFC 3501 §6.4.5): an optional part path
// and an optional specifier HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT,
// TEXT or MIME.
type Section struct {
	Part      []uint32
	Specifier string   // upper case; "" for the whole part
	Fields    []string // header field names for HEADER.FIELDS[.NOT]
}

// Partial is "<" offset "." count ">".
type Partial struct {
	Offset, Count uint32
}

// FetchItem is one requested fetch attribute.
type FetchItem struct {
	Kind    FetchKind
	Peek    bool // BODY.PEEK / BINARY.PEEK: do not set \Seen
	Section Section
	Partial *Partial
}

// FetchArgs: FETCH SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
// "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers] (RFC 3501 §6.4.5,
// RFC 4466 §2.4, CHANGEDSINCE/VANISHED RFC 7162 §3.1.4.1, §3.2.6).
type FetchArgs struct {
	Set   SeqSet
	Items []FetchItem // macros expanded
	// Macro is "ALL", "FAST" or "FULL" when a macro was used.
	Macro           string
	ChangedSince    uint64
	HasChangedSince bool
	Vanished        bool
}

func (*FetchArgs) isArgs() {}

// macroItems expands the RFC 3501 §6.4.5 macros.
func macroItems(name string) []FetchItem {
	items := []FetchItem{{Kind: FetchFlags}, {Kind: FetchInternalDate}, {Kind: FetchRFC822Size}}
	switch name {
	case "ALL":
		return append(items, FetchItem{Kind: FetchEnvelope})
	case "FULL":
		return append(items, FetchItem{Kind: FetchEnvelope}, FetchItem{Kind: FetchBody})
	}
	return items
}

func parseFetch(r *reader, uid bool) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	set, err := r.seqSet()
	if err != nil {
		return nil, err
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &FetchArgs{Set: set}
	if r.peek() == '(' && !r.eof() {
		err = r.list(false, func() error {
			item, err := r.fetchAtt()
			a.Items = append(a.Items, item)
			return err
		})
	} else {
		name := fetchName(r)
		switch name {
		case "ALL", "FAST", "FULL":
			a.Macro = name
			a.Items = macroItems(name)
		default:
			var item FetchItem
			item, err = r.fetchAttNamed(name)
			a.Items = []FetchItem{item}
		}
	}
	if err != nil {
		return nil, err
	}
	if r.maybeSP() {
		if err := parseFetchModifiers(r, a, uid); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// parseFetchModifiers: "(" fetch-modifier *(SP fetch-modifier) ")" with
// CHANGEDSINCE SP mod-sequence-valzer and VANISHED (RFC 7162 §3.1.4.1,
// §3.2.6).
func parseFetchModifiers(r *reader, a *FetchArgs, uid bool) error {
	err := r.list(false, func() error {
		name, err := r.keyword("fetch modifier")
		if err != nil {
			return err
		}
		switch name {
		case "CHANGEDSINCE":
			if err := r.sp(); err != nil {
				return err
			}
			if a.ChangedSince, err = r.number64("mod-sequence", maxModSeq); err != nil {
				return err
			}
			if a.ChangedSince == 0 {
				return r.errorf("CHANGEDSINCE must not be zero")
			}
			a.HasChangedSince = true
			return nil
		case "VANISHED":
			if !uid {
				return r.errorf("VANISHED is allowed only with UID FETCH")
			}
			a.Vanished = true
			return nil
		}
		return r.errorf("unknown fetch modifier %s", name)
	})
	if err != nil {
		return err
	}
	if a.Vanished && !a.HasChangedSince {
		return r.errorf("VANISHED requires CHANGEDSINCE")
	}
	return nil
}

// fetchName reads the name part of a fetch-att: letters, digits and dots,
// up to "[", "<", SP or ")".
func fetchName(r *reader) string {
	return upperASCII(r.span(func(c byte) bool {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
	}))
}

func (r *reader) fetchAtt() (FetchItem, error) {
	return r.fetchAttNamed(fetchName(r))
}

func (r *reader) fetchAttNamed(name string) (FetchItem, error) {
	var it FetchItem
	switch name {
	case "ENVELOPE":
		it.Kind = FetchEnvelope
	case "FLAGS":
		it.Kind = FetchFlags
	case "INTERNALDATE":
		it.Kind = FetchInternalDate
	case "RFC822":
		it.Kind = FetchRFC822
	case "RFC822.PEEK":
		it.Kind, it.Peek = FetchRFC822, true
	case "RFC822.HEADER":
		it.Kind = FetchRFC822Header
	case "RFC822.TEXT":
		it.Kind = FetchRFC822Text
	case "RFC822.SIZE":
		it.Kind = FetchRFC822Size
	case "UID":
		it.Kind = FetchUID
	case "BODYSTRUCTURE":
		it.Kind = FetchBodyStructure
	case "MODSEQ":
		it.Kind = FetchModSeq
	case "BODY", "BODY.PEEK":
		if r.peek() != '[' || r.eof() {
			if name == "BODY.PEEK" {
				return it, r.errorf("BODY.PEEK requires a section")
			}
			it.Kind = FetchBody
			break
		}
		it.Kind, it.Peek = FetchBodySection, name == "BODY.PEEK"
		var err error
		if it.Section, err = r.section(); err != nil {
			return it, err
		}
		if it.Partial, err = r.partial(); err != nil {
			return it, err
		}
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		it.Kind, it.Peek = FetchBinary, name == "BINARY.PEEK"
		if name == "BINARY.SIZE" {
			it.Kind = FetchBinarySize
		}
		var err error
		if it.Section.Part, err = r.binarySection(); err != nil {
			return it, err
		}
		if it.Kind == FetchBinary {
			if it.Partial, err = r.partial(); err != nil {
				return it, err
			}
		}
	case "":
		return it, r.errorf("expected fetch attribute, got %s", r.what())
	default:
		return it, r.errorf("unknown fetch attribute %s", name)
	}
	return it, nil
}

// section parses section = "[" [section-spec] "]" (RFC 3501 §9).
func (r *reader) section() (Section, error) {
	var s Section
	if err := r.expect('['); err != nil {
		return s, err
	}
	for {
		c := r.peek()
		if c < '0' || c > '9' || r.eof() {
			break
		}
		n, err := r.nzNumber("section part number")
		if err != nil {
			return s, err
		}
		s.Part = append(s.Part, n)
		if r.peek() != '.' {
			break
		}
		r.pos++
		if c := r.peek(); c < '0' || c > '9' {
			break // a section-text follows the dot
		}
	}
	if r.peek() != ']' {
		spec := upperASCII(r.span(func(c byte) bool {
			return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.'
		}))
		switch spec {
		case "HEADER", "TEXT":
		case "MIME":
			if len(s.Part) == 0 {
				return s, r.errorf("MIME requires a part number")
			}
		case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
			if err := r.sp(); err != nil {
				return s, err
			}
			s.Fields = []string{}
			err := r.list(false, func() error {
				f, err := r.astring("header field name")
				if err == nil && !validFieldName(f) {
					err = r.errorf("invalid header field name %q", f)
				}
				s.Fields = append(s.Fields, f)
				return err
			})
			if err != nil {
				return s, err
			}
		case "":
			return s, r.errorf("invalid section: unexpected %s", r.what())
		default:
			return s, r.errorf("invalid section specifier %s", spec)
		}
		s.Specifier = spec
	} else if n := r.pos; n > 0 && r.b[n-1] == '.' {
		return s, r.errorf("invalid section: trailing dot")
	}
	if err := r.expect(']'); err != nil {
		return s, err
	}
	return s, nil
}

// validFieldName: field-name = 1*<printable US-ASCII except ":"> (RFC 5322 §3.6.8).
func validFieldName(f string) bool {
	if f == "" {
		return false
	}
	for i := 0; i < len(f); i++ {
		if f[i] <= 0x20 || f[i] >= 0x7f || f[i] == ':' {
			return false
		}
	}
	return true
}

// binarySection parses section-binary = "[" [section-part] "]" (RFC 3516 §4.1).
func (r *reader) binarySection() ([]uint32, error) {
	if err := r.expect('['); err != nil {
		return nil, err
	}
	var part []uint32
	for r.peek() != ']' {
		if len(part) > 0 {
			if err := r.expect('.'); err != nil {
				return nil, err
			}
		}
		n, err := r.nzNumber("section part number")
		if err != nil {
			return nil, err
		}
		part = append(part, n)
	}
	r.pos++
	return part, nil
}

// partial parses the optional "<" number "." nz-number ">" (RFC 3501 §9).
func (r *reader) partial() (*Partial, error) {
	if r.peek() != '<' || r.eof() {
		return nil, nil
	}
	r.pos++
	var p Partial
	var err error
	if p.Offset, err = r.number("partial offset"); err != nil {
		return nil, err
	}
	if err = r.expect('.'); err != nil {
		return nil, err
	}
	if p.Count, err = r.nzNumber("partial length"); err != nil {
		return nil, err
	}
	if err = r.expect('>'); err != nil {
		return nil, err
	}
	return &p, nil
}

// String formats a section spec as it appears in a FETCH response, e.g.
// "1.2.HEADER.FIELDS (From To)".
func (s Section) String() string {
	var b strings.Builder
	for i, n := range s.Part {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	if s.Specifier != "" {
		if len(s.Part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Specifier)
	}
	if s.Fields != nil {
		b.WriteString(" (")
		for i, f := range s.Fields {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeAstring(&b, f)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// writeAstring writes s as an atom when it is one, else quoted; header
// field names are printable ASCII, so they never need a literal.
func writeAstring(b *strings.Builder, s string) {
	plain := s != ""
	for i := 0; i < len(s); i++ {
		if !isAstringChar(s[i]) {
			plain = false
			break
		}
	}
	if plain {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// ResponseName is the name of the item in a FETCH response (RFC 3501
// §7.4.2, RFC 3516 §4.2): "BODY[1.TEXT]", "BODY[]<512>" (only the origin
// of a partial), "BINARY.SIZE[2]", "FLAGS"; BODY.PEEK and BINARY.PEEK are
// answered without ".PEEK", RFC822.PEEK as RFC822.
func (it FetchItem) ResponseName() string {
	switch it.Kind {
	case FetchEnvelope:
		return "ENVELOPE"
	case FetchFlags:
		return "FLAGS"
	case FetchInternalDate:
		return "INTERNALDATE"
	case FetchRFC822:
		return "RFC822"
	case FetchRFC822Header:
		return "RFC822.HEADER"
	case FetchRFC822Text:
		return "RFC822.TEXT"
	case FetchRFC822Size:
		return "RFC822.SIZE"
	case FetchUID:
		return "UID"
	case FetchBody:
		return "BODY"
	case FetchBodyStructure:
		return "BODYSTRUCTURE"
	case FetchModSeq:
		return "MODSEQ"
	}
	var b strings.Builder
	switch it.Kind {
	case FetchBodySection:
		b.WriteString("BODY[")
		b.WriteString(it.Section.String())
	case FetchBinary:
		b.WriteString("BINARY[")
		b.WriteString(Section{Part: it.Section.Part}.String())
	case FetchBinarySize:
		b.WriteString("BINARY.SIZE[")
		b.WriteString(Section{Part: it.Section.Part}.String())
	default:
		return ""
	}
	b.WriteByte(']')
	if it.Partial != nil {
		b.WriteByte('<')
		b.WriteString(strconv.FormatUint(uint64(it.Partial.Offset), 10))
		b.WriteByte('>')
	}
	return b.String()
}
