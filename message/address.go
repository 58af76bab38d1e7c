package message

import (
	"strings"
)

// Address is one entry of an address list (RFC 5322 §3.4): a mailbox, or a
// group with its members. Name is the display name as written (quotes
// removed, encoded-words not decoded).
type Address struct {
	Name    string
	Mailbox string // local part
	Host    string // domain, "" when absent
	Route   string // obsolete source route ("@a,@b", RFC 5322 §4.4), "" when absent
	IsGroup bool
	Members []Address // for a group
}

// addrToken is one lexical token of an address list.
type addrToken struct {
	text   string
	quoted bool // a quoted-string
	sep    byte // one of , : ; < > @ for separators, '(' for a comment, 0 for words
	space  bool // white space or a comment came before the token
}

// tokenizeAddresses splits an address list into words, separators and
// comments (RFC 5322 §3.2.2).
func tokenizeAddresses(s string) []addrToken {
	var toks []addrToken
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')':
			// white space, or a stray closing parenthesis
			space = true
			i++
		case c == '(':
			depth := 0
			start := i
			for i < len(s) {
				switch s[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				}
				i++
				if depth == 0 {
					break
				}
			}
			text := s[start+1 : i]
			if depth == 0 {
				text = s[start+1 : i-1]
			}
			toks = append(toks, addrToken{text: strings.TrimSpace(text), sep: '(', space: space})
			space = true
		case c == '"':
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++
			toks = append(toks, addrToken{text: b.String(), quoted: true, space: space})
			space = false
		case strings.IndexByte(",:;<>@", c) >= 0:
			toks = append(toks, addrToken{text: string(c), sep: c, space: space})
			space = false
			i++
		default:
			start := i
			for i < len(s) && strings.IndexByte(" \t\r\n()\",:;<>@", s[i]) < 0 {
				i++
			}
			toks = append(toks, addrToken{text: s[start:i], space: space})
			space = false
		}
	}
	return toks
}

// ParseAddressList parses an address list leniently (RFC 5322 §3.4, with
// the obsolete forms of §4.4): groups, display names, angle addresses with
// routes, bare addr-specs, missing commas inside names and stray
// separators are all accepted.
func ParseAddressList(s string) []Address {
	p := addrParser{toks: tokenizeAddresses(s)}
	var list []Address
	for p.pos < len(p.toks) {
		if a, ok := p.entry(true); ok {
			list = append(list, a)
		}
	}
	return list
}

type addrParser struct {
	toks []addrToken
	pos  int
}

// entry parses one mailbox or group up to and including its ','; inside a
// group (top == false) it stops before ';'.
func (p *addrParser) entry(top bool) (Address, bool) {
	var words []addrToken
	comment := ""
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		switch t.sep {
		case '(':
			// a comment names a mailbox that has no display name
			if comment == "" {
				comment = t.text
			}
			p.pos++
		case ',':
			p.pos++
			return mailboxFromWords(words, comment)
		case ';':
			if !top {
				return mailboxFromWords(words, comment)
			}
			p.pos++ // stray ';' at the top level
		case ':':
			p.pos++
			if !top {
				// a route or a nested group: ignore the colon
				continue
			}
			g := Address{IsGroup: true, Name: joinPhrase(words)}
			for p.pos < len(p.toks) && p.toks[p.pos].sep != ';' {
				if m, ok := p.entry(false); ok {
					g.Members = append(g.Members, m)
				}
			}
			if p.pos < len(p.toks) { // the ';'
				p.pos++
			}
			if p.pos < len(p.toks) && p.toks[p.pos].sep == ',' {
				p.pos++
			}
			return g, true
		case '<':
			p.pos++
			a := p.angle()
			a.Name = joinPhrase(words)
			// skip anything up to the end of this entry
			for p.pos < len(p.toks) && p.toks[p.pos].sep != ',' && (top || p.toks[p.pos].sep != ';') {
				if p.toks[p.pos].sep == '(' && comment == "" {
					comment = p.toks[p.pos].text
				}
				p.pos++
			}
			if a.Name == "" {
				a.Name = comment
			}
			if p.pos < len(p.toks) && p.toks[p.pos].sep == ',' {
				p.pos++
			}
			return a, true
		default:
			words = append(words, t)
			p.pos++
		}
	}
	return mailboxFromWords(words, comment)
}

// angle parses the inside of "<...>" after the '<', dropping a route
// ("@a,@b:", RFC 5322 §4.4).
func (p *addrParser) angle() Address {
	var spec []addrToken
	route := ""
	for p.pos < len(p.toks) && p.toks[p.pos].sep != '>' {
		t := p.toks[p.pos]
		switch {
		case t.sep == ':':
			// everything before was the route
			var b strings.Builder
			for _, r := range spec {
				if r.sep != '(' {
					b.WriteString(r.text)
				}
			}
			route, spec = b.String(), spec[:0]
		case t.sep != '(':
			spec = append(spec, t)
		}
		p.pos++
	}
	if p.pos < len(p.toks) {
		p.pos++ // '>'
	}
	local, host := splitAddrSpec(spec)
	return Address{Mailbox: local, Host: host, Route: route}
}

// mailboxFromWords reads a bare addr-spec (no angle brackets); a comment
// beside it gives the display name.
func mailboxFromWords(words []addrToken, comment string) (Address, bool) {
	if len(words) == 0 {
		return Address{}, false
	}
	local, host := splitAddrSpec(words)
	return Address{Name: comment, Mailbox: local, Host: host}, true
}

// splitAddrSpec joins addr-spec tokens and splits them at the last '@'.
func splitAddrSpec(toks []addrToken) (local, host string) {
	at := -1
	for i, t := range toks {
		if t.sep == '@' {
			at = i
		}
	}
	join := func(ts []addrToken) string {
		var b strings.Builder
		for _, t := range ts {
			if t.sep == 0 || t.sep == '@' {
				b.WriteString(t.text)
			}
		}
		return b.String()
	}
	if at < 0 {
		return join(toks), ""
	}
	return join(toks[:at]), join(toks[at+1:])
}

// joinPhrase joins display-name words with single spaces.
func joinPhrase(words []addrToken) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 && (w.space || w.quoted || words[i-1].quoted) {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// Addr returns "mailbox@host" (or just the mailbox without a host).
func (a Address) Addr() string {
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}
