package sieve

import (
	"net/mail"
	"net/url"
	"strings"
)

// Notify is an enotify notification (RFC 5435 §3). DBMail never sends
// notifications; the caller logs them (dbmail.md 5.10 SIEVE_NOTIFY).
type Notify struct {
	Method     string // notification URI, e.g. "mailto:alert@example.com"
	From       string
	Importance string // "1" high, "2" normal (default), "3" low
	Options    []string
	Message    string
}

func (Notify) action() {}

// notifyMethodOK reports whether uri names a supported notification
// method with valid syntax: only mailto (RFC 5436 §2, RFC 6068) is
// supported, and it needs at least one valid recipient.
func notifyMethodOK(uri string) bool {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !strings.EqualFold(scheme, "mailto") {
		return false
	}
	u, err := url.Parse("mailto:" + rest)
	if err != nil {
		return false
	}
	to := u.Opaque
	if t := u.Query().Get("to"); t != "" {
		to = strings.Trim(to+","+t, ",")
	}
	to, err = url.PathUnescape(to)
	if err != nil || to == "" {
		return false
	}
	list, err := mail.ParseAddressList(to)
	return err == nil && len(list) > 0
}

// notifyNode is notify [:from] [:importance] [:options] [:message] <method>
// (RFC 5435 §3).
type notifyNode struct {
	pos        Pos
	method     strValue
	from       *strValue
	importance string
	options    []strValue
	message    *strValue
}

func (c *compiler) notify(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtEnotify, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, []tagDef{
		{name: "from", want: wantString}, {name: "importance", want: wantString},
		{name: "options", want: wantList}, {name: "message", want: wantString},
	}, []want{wantString})
	if err != nil {
		return nil, err
	}
	n := &notifyNode{pos: a.pos, importance: "2"}
	if n.method, err = c.str(b.pos[0].pos, b.pos[0].strs[0]); err != nil {
		return nil, err
	}
	if n.method.konst && !notifyMethodOK(n.method.s) {
		// RFC 5435 §3.1: an unsupported or invalid method is an error.
		return nil, b.pos[0].pos.errorf("unsupported or invalid notification method %q", n.method.s)
	}
	if imp, ok := b.tag("importance"); ok {
		v, err := c.constString(imp, "importance")
		if err != nil {
			return nil, err
		}
		if v != "1" && v != "2" && v != "3" {
			return nil, imp.pos.errorf("importance must be \"1\", \"2\" or \"3\", not %q", v)
		}
		n.importance = v
	}
	for tag, dst := range map[string]**strValue{"from": &n.from, "message": &n.message} {
		if t, ok := b.tag(tag); ok {
			v, err := c.str(t.pos, t.strs[0])
			if err != nil {
				return nil, err
			}
			*dst = &v
		}
	}
	if o, ok := b.tag("options"); ok {
		if n.options, err = c.strList(o); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *notifyNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	method := m.expand(f, n.method)
	if !notifyMethodOK(method) {
		return ctrlNext, m.fail(f, n.pos, nil, "unsupported or invalid notification method %q", method)
	}
	a := Notify{Method: method, Importance: n.importance, Options: m.expandList(f, n.options)}
	if n.from != nil {
		a.From = m.expand(f, *n.from)
	}
	if n.message != nil {
		a.Message = m.expand(f, *n.message)
	}
	// Notify does not affect the implicit keep (RFC 5435 §3.9).
	return ctrlNext, m.addAction(f, n.pos, a)
}

// validNotifyTest is valid_notify_method <uris> (RFC 5435 §4).
type validNotifyTest struct {
	pos  Pos
	uris []strValue
}

func (c *compiler) validNotifyMethod(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtEnotify, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, nil, []want{wantList})
	if err != nil {
		return nil, err
	}
	uris, err := c.strList(b.pos[0])
	if err != nil {
		return nil, err
	}
	return &validNotifyTest{pos: a.pos, uris: uris}, nil
}

func (t *validNotifyTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	for _, u := range t.uris {
		if !notifyMethodOK(m.expand(f, u)) {
			return false, nil
		}
	}
	return true, nil
}

// notifyCapTest is notify_method_capability [COMPARATOR] [MATCH-TYPE]
// <uri> <capability> <keys> (RFC 5435 §5). The only capability is
// "online"; for mailto it is "maybe" (RFC 5436 §2.1).
type notifyCapTest struct {
	pos Pos
	uri strValue
	cap strValue
	m   *matcher
}

func (c *compiler) notifyMethodCapability(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtEnotify, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, tagsMatchCmp, []want{wantString, wantString, wantList})
	if err != nil {
		return nil, err
	}
	t := &notifyCapTest{pos: a.pos}
	if t.uri, err = c.str(b.pos[0].pos, b.pos[0].strs[0]); err != nil {
		return nil, err
	}
	if t.cap, err = c.str(b.pos[1].pos, b.pos[1].strs[0]); err != nil {
		return nil, err
	}
	if t.m, err = c.matcher(b, b.pos[2]); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *notifyCapTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	if !notifyMethodOK(m.expand(f, t.uri)) || !strings.EqualFold(m.expand(f, t.cap), "online") {
		return false, nil
	}
	return m.runMatch(f, t.m, []string{"maybe"})
}

// encodeURL is the :encodeurl modifier of "set" (RFC 5435 §6):
// percent-encoding of everything but RFC 3986 unreserved characters.
func encodeURL(s string) string {
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '~' { // "_" is in isAlpha
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
