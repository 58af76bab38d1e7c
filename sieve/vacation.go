package sieve

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
)

// vacationNode is the vacation action (RFC 5230 §4, RFC 6131 §2).
type vacationNode struct {
	pos       Pos
	days      int64
	seconds   int64
	useSecs   bool
	hasPeriod bool
	subject   *strValue
	from      *strValue
	addresses []strValue
	mime      bool
	handle    *strValue
	reason    strValue
}

func (c *compiler) vacation(a *astCommand, what string) (command, error) {
	if err := c.need(a.pos, ExtVacation, what); err != nil {
		return nil, err
	}
	b, err := c.bind(what, a.pos, a.args, []tagDef{
		{name: "days", group: "period", want: wantNumber},
		{name: "seconds", group: "period", want: wantNumber, ext: ExtVacationSeconds},
		{name: "subject", want: wantString}, {name: "from", want: wantString},
		{name: "addresses", want: wantList}, {name: "mime"}, {name: "handle", want: wantString},
	}, []want{wantString})
	if err != nil {
		return nil, err
	}
	n := &vacationNode{pos: a.pos, mime: b.has("mime")}
	if d, ok := b.tag("days"); ok {
		n.days, n.hasPeriod = d.num, true
	}
	if s, ok := b.tag("seconds"); ok {
		n.seconds, n.useSecs, n.hasPeriod = s.num, true, true
	}
	opt := func(tag string) (*strValue, error) {
		t, ok := b.tag(tag)
		if !ok {
			return nil, nil
		}
		v, err := c.str(t.pos, t.strs[0])
		return &v, err
	}
	if n.subject, err = opt("subject"); err != nil {
		return nil, err
	}
	if n.from, err = opt("from"); err != nil {
		return nil, err
	}
	if n.from != nil && n.from.konst {
		// RFC 5230 §4.3: :from must be a valid address.
		if _, perr := mail.ParseAddress(n.from.s); perr != nil {
			return nil, n.from.pos.errorf("invalid :from address %q", n.from.s)
		}
	}
	if n.handle, err = opt("handle"); err != nil {
		return nil, err
	}
	if al, ok := b.tag("addresses"); ok {
		if n.addresses, err = c.strList(al); err != nil {
			return nil, err
		}
	}
	if n.reason, err = c.str(b.pos[0].pos, b.pos[0].strs[0]); err != nil {
		return nil, err
	}
	return n, nil
}

// period returns the reply interval in seconds, clamped to the site limits
// (RFC 5230 §4.1; DBMail clamps :days to 1..30, dbmail.md 6.6).
func (n *vacationNode) period(o Options) int64 {
	minS, maxS := int64(o.VacationMinDays)*86400, int64(o.VacationMaxDays)*86400
	switch {
	case n.useSecs:
		// RFC 6131 §2: :seconds 0 means reply every time.
		return min(max(n.seconds, 0), maxS)
	case n.hasPeriod:
		return min(max(n.days*86400, minS), maxS)
	}
	return min(max(int64(o.VacationDefaultDays)*86400, minS), maxS)
}

func (n *vacationNode) exec(m *machine, f *frame) (ctrl, error) {
	if err := m.step(f, n.pos); err != nil {
		return ctrlNext, err
	}
	if m.vacation {
		return ctrlNext, m.fail(f, n.pos, nil, "more than one vacation action")
	}
	if m.rejected {
		return ctrlNext, m.fail(f, n.pos, nil, "vacation cannot be combined with reject")
	}
	m.vacation = true
	v := Vacation{
		Reason:    m.expand(f, n.reason),
		To:        m.env.EnvelopeFrom(),
		Addresses: m.expandList(f, n.addresses),
		Seconds:   n.period(m.opt),
		Mime:      n.mime,
	}
	if n.from != nil {
		v.From = m.expand(f, *n.from)
		if _, err := mail.ParseAddress(v.From); err != nil {
			return ctrlNext, m.fail(f, n.pos, nil, "invalid :from address %q", v.From)
		}
	}
	if n.subject != nil {
		v.Subject = m.expand(f, *n.subject)
	} else {
		// RFC 5230 §4.4: "Auto:" and the original subject.
		orig := ""
		if s := m.env.HeaderValues("subject"); len(s) > 0 {
			orig = strings.TrimSpace(s[0])
		}
		v.Subject = "Auto: " + orig
		if orig == "" {
			v.Subject = "Automated reply"
		}
	}
	if n.handle != nil {
		v.Handle = m.expand(f, *n.handle)
	} else {
		v.Handle = defaultHandle(v, n.from != nil, n.subject != nil)
	}
	if ids := m.env.RawHeaderValues("message-id"); len(ids) > 0 {
		v.InReplyTo = strings.TrimSpace(ids[0])
	}
	mine := append([]string(nil), v.Addresses...)
	if v.From != "" {
		mine = append(mine, v.From)
	}
	if ok, why := ShouldReply(m.env, mine); !ok {
		v.Skip = why
	}
	// The vacation action does not cancel the implicit keep (RFC 5230 §4;
	// DBMail's re-enabling of the keep is deliberately not reproduced).
	return ctrlNext, m.addAction(f, n.pos, v)
}

// defaultHandle derives a handle from the ARGUMENTS that shape the reply
// (RFC 5230 §4.2), so that editing the reason starts a new reply period. A
// subject the script did not give is derived from each incoming message
// ("Auto: …") and must not count, or every new subject would get a reply
// of its own within the period (§4.1).
func defaultHandle(v Vacation, hasFrom, hasSubject bool) string {
	subject, from := "", ""
	if hasSubject {
		subject = v.Subject
	}
	if hasFrom {
		from = v.From
	}
	h := sha256.New()
	for _, s := range []string{v.Reason, boolStr(hasSubject) + subject, boolStr(hasFrom) + from, boolStr(v.Mime)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ShouldReply applies the rules that decide whether an automatic reply may
// be sent for the message, as far as the message itself shows them:
// RFC 5230 §4.5 (the user must be a visible recipient; never reply to the
// user's own address), §4.6 (no replies to mailing lists and daemons) and
// RFC 3834 §2 (Auto-Submitted, null return path). mine lists the user's
// extra addresses (:addresses and :from); the envelope recipient always
// counts. The reply cache is the caller's.
func ShouldReply(env Env, mine []string) (bool, string) {
	sender := strings.Trim(strings.TrimSpace(env.EnvelopeFrom()), "<>")
	if sender == "" {
		return false, "null envelope sender"
	}
	for _, v := range env.HeaderValues("auto-submitted") {
		if !strings.EqualFold(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]), "no") {
			return false, "auto-submitted message"
		}
	}
	for _, v := range env.HeaderValues("precedence") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "bulk", "list", "junk":
			return false, "precedence " + strings.ToLower(strings.TrimSpace(v))
		}
	}
	for _, h := range []string{"list-id", "list-help", "list-subscribe", "list-unsubscribe", "list-post", "list-owner", "list-archive"} {
		if len(env.RawHeaderValues(h)) > 0 {
			return false, "mailing list message (" + h + ")"
		}
	}
	for _, h := range []string{"x-dbmail-vacation", "x-dbmail-reply"} {
		if len(env.RawHeaderValues(h)) > 0 {
			return false, "message is an automatic reply (" + h + ")"
		}
	}
	local, _, _ := strings.Cut(strings.ToLower(sender), "@")
	local, _, _ = strings.Cut(local, subaddressSeparator) // list-bounces+user=host
	switch {
	case local == "mailer-daemon", local == "postmaster", local == "listserv", local == "majordomo",
		strings.HasPrefix(local, "owner-"), strings.HasSuffix(local, "-request"),
		strings.HasSuffix(local, "-owner"), strings.HasSuffix(local, "-bounces"):
		return false, "sender is a list or daemon address"
	}
	own := map[string]bool{}
	addOwn := func(s string) {
		for _, a := range parseAddressList(s) {
			all := strings.ToLower(a.all())
			own[all] = true
			if user, _, ok := strings.Cut(a.local, subaddressSeparator); ok && a.domain != "" {
				own[strings.ToLower(user+"@"+a.domain)] = true
			}
		}
	}
	addOwn(env.EnvelopeTo())
	for _, a := range mine {
		addOwn(a)
	}
	if own[strings.ToLower(sender)] {
		return false, "message is from the user's own address"
	}
	for _, h := range []string{"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"} {
		for _, v := range env.RawHeaderValues(h) {
			for _, a := range parseAddressList(v) {
				user, _, _ := strings.Cut(a.local, subaddressSeparator)
				if own[strings.ToLower(a.all())] || a.domain != "" && own[strings.ToLower(user+"@"+a.domain)] {
					return true, ""
				}
			}
		}
	}
	return false, "user's address is not among the recipients"
}
