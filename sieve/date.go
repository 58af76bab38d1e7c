package sieve

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// dateParts are the date-part names of RFC 5260 §4.2.
var dateParts = map[string]bool{
	"year": true, "month": true, "day": true, "date": true, "julian": true,
	"hour": true, "minute": true, "second": true, "time": true,
	"iso8601": true, "std11": true, "zone": true, "weekday": true,
}

// dateTest is date and currentdate (RFC 5260 §4, §5).
type dateTest struct {
	pos          Pos
	current      bool
	header       strValue
	zone         *time.Location // nil: local (Env.Now's location)
	originalZone bool
	part         strValue
	index        *indexSpec
	m            *matcher
}

// parseZone reads a "+hhmm"/"-hhmm" time-zone argument (RFC 5260 §4.1).
func parseZone(s string) (*time.Location, bool) {
	if len(s) != 5 || s[0] != '+' && s[0] != '-' {
		return nil, false
	}
	for i := 1; i < 5; i++ {
		if !isDigit(s[i]) {
			return nil, false
		}
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	mi := int(s[3]-'0')*10 + int(s[4]-'0')
	if mi > 59 {
		return nil, false
	}
	off := h*3600 + mi*60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone(s, off), true
}

func (c *compiler) date(a *astTest, what string) (test, error) {
	if err := c.need(a.pos, ExtDate, what); err != nil {
		return nil, err
	}
	current := a.name == "currentdate"
	defs, pos := tagsCurrentDate, []want{wantString, wantList}
	if !current {
		defs, pos = tagsDate, []want{wantString, wantString, wantList}
	}
	b, err := c.bind(what, a.pos, a.args, defs, pos)
	if err != nil {
		return nil, err
	}
	t := &dateTest{pos: a.pos, current: current, originalZone: b.has("originalzone")}
	if z, ok := b.tag("zone"); ok {
		zs, err := c.constString(z, "time zone")
		if err != nil {
			return nil, err
		}
		loc, ok := parseZone(zs)
		if !ok {
			return nil, z.pos.errorf("invalid time zone %q", zs)
		}
		t.zone = loc
	}
	i := 0
	if !current {
		if t.header, err = c.str(b.pos[0].pos, b.pos[0].strs[0]); err != nil {
			return nil, err
		}
		i = 1
	}
	if t.part, err = c.str(b.pos[i].pos, b.pos[i].strs[0]); err != nil {
		return nil, err
	}
	if t.part.konst && !dateParts[lowerASCII(t.part.s)] {
		return nil, b.pos[i].pos.errorf("unknown date part %q", t.part.s)
	}
	if t.index, err = c.index(b); err != nil {
		return nil, err
	}
	if t.m, err = c.matcher(b, b.pos[i+1]); err != nil {
		return nil, err
	}
	return t, nil
}

// headerDate extracts the date of a header value; for Received the date
// follows the last ";" (RFC 5260 §4).
func headerDate(name, v string) (time.Time, bool) {
	if i := strings.LastIndexByte(v, ';'); i >= 0 && name == "received" {
		v = v[i+1:]
	}
	t, err := mail.ParseDate(strings.TrimSpace(v))
	return t, err == nil
}

func (t *dateTest) eval(m *machine, f *frame) (bool, error) {
	if err := m.step(f, t.pos); err != nil {
		return false, err
	}
	var times []time.Time
	if t.current {
		times = append(times, m.env.Now())
	} else {
		name := lowerASCII(m.expand(f, t.header))
		if !validHeaderName(name) {
			return false, nil
		}
		for _, v := range t.index.pick(m.env.HeaderValues(name)) {
			// RFC 5260 §4: a value that is not a date does not match.
			if d, ok := headerDate(name, v); ok {
				times = append(times, d)
			}
		}
	}
	part := lowerASCII(m.expand(f, t.part))
	if !dateParts[part] {
		return false, nil
	}
	values := make([]string, len(times))
	for i, when := range times {
		switch {
		case t.zone != nil:
			when = when.In(t.zone)
		case t.originalZone:
		default:
			when = when.In(m.env.Now().Location())
		}
		values[i] = datePart(when, part)
	}
	return m.runMatch(f, t.m, values)
}

// datePart formats one RFC 5260 §4.2 date part.
func datePart(t time.Time, part string) string {
	switch part {
	case "year":
		return fmt.Sprintf("%04d", t.Year())
	case "month":
		return fmt.Sprintf("%02d", int(t.Month()))
	case "day":
		return fmt.Sprintf("%02d", t.Day())
	case "date":
		return t.Format("2006-01-02")
	case "julian":
		// Modified Julian Day: days since 1858-11-17.
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		epoch := time.Date(1858, 11, 17, 0, 0, 0, 0, time.UTC)
		return fmt.Sprintf("%d", int64(d.Sub(epoch).Hours())/24)
	case "hour":
		return fmt.Sprintf("%02d", t.Hour())
	case "minute":
		return fmt.Sprintf("%02d", t.Minute())
	case "second":
		return fmt.Sprintf("%02d", t.Second())
	case "time":
		return t.Format("15:04:05")
	case "iso8601":
		return t.Format("2006-01-02T15:04:05-07:00")
	case "std11":
		return t.Format("Mon, 02 Jan 2006 15:04:05 -0700")
	case "zone":
		return t.Format("-0700")
	case "weekday":
		return fmt.Sprintf("%d", int(t.Weekday()))
	}
	return ""
}
