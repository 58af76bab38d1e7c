package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// setting is one value as a service sees it after the section fallback of
// spec 5.1.
type setting struct {
	service string // section the caller asked for
	name    string // key the caller asked for
	section string // section it was found in
	key     string // key as written in the file
	line    int
	text    string
	found   bool
}

// set reports whether the key is present with a non-empty value; DBMail
// treats an empty value like an absent key almost everywhere.
func (s setting) set() bool { return s.found && s.text != "" }

// reader pulls typed values out of a keyFile and collects every problem, so
// that one load reports all bad values at once.
type reader struct {
	kf       *keyFile
	errs     []error
	warnings []warning
	quiet    bool // record no errors (sections DBMail does not read in this setup)
}

func (r *reader) get(service, name string) setting {
	s := setting{service: service, name: name}
	if e, sec, ok := r.kf.lookup(service, name); ok {
		s.section, s.key, s.line, s.text, s.found = sec, e.key, e.line, e.value, true
	}
	return s
}

// fail records a bad value; the message ends with the offending text.
func (r *reader) fail(s setting, format string, args ...any) {
	if r.quiet {
		return
	}
	msg := fmt.Sprintf(format, args...)
	r.errs = append(r.errs, &Error{
		File: r.kf.path, Line: s.line, Section: s.section, Service: s.service,
		Key: s.key, Msg: fmt.Sprintf("%s, got %q", msg, s.text),
	})
}

// missing records a required key that is absent.
func (r *reader) missing(section, key, msg string) {
	if r.quiet {
		return
	}
	r.errs = append(r.errs, &Error{File: r.kf.path, Section: section, Key: key, Msg: msg})
}

func (r *reader) warn(s setting, format string, args ...any) {
	if r.quiet {
		return
	}
	r.warnings = append(r.warnings, warning{s.line, fmt.Sprintf("%s:%d: [%s] %s: %s", r.kf.path, s.line, s.section, s.key, fmt.Sprintf(format, args...))})
}

// str returns the value, or def when unset or empty.
func (r *reader) str(service, name, def string) string {
	if s := r.get(service, name); s.set() {
		return s.text
	}
	return def
}

// yesNo reads a DBMail boolean (spec 5.1): "yes" or "no" in any case; def
// when unset or empty. With trueFalse, "true" and "false" are accepted too
// (header_cache_readonly). Any other word is an error: DBMail would silently
// read it as the opposite of what "true", "on" or "1" suggest.
func (r *reader) yesNo(service, name string, def, trueFalse bool) bool {
	s := r.get(service, name)
	if !s.set() {
		return def
	}
	switch {
	case strings.EqualFold(s.text, "yes"), trueFalse && strings.EqualFold(s.text, "true"):
		return true
	case strings.EqualFold(s.text, "no"), trueFalse && strings.EqualFold(s.text, "false"):
		return false
	}
	if trueFalse {
		r.fail(s, `must be "yes", "no", "true" or "false"`)
	} else {
		r.fail(s, `must be "yes" or "no"`)
	}
	return def
}

// tri reads a yes/no key whose absence means something of its own.
func (r *reader) tri(service, name string) TriState {
	s := r.get(service, name)
	if !s.set() {
		return Unset
	}
	switch {
	case strings.EqualFold(s.text, "yes"):
		return Yes
	case strings.EqualFold(s.text, "no"):
		return No
	}
	r.fail(s, `must be "yes" or "no"`)
	return Unset
}

// integer reads a decimal integer that must satisfy ok; def when unset.
func (r *reader) integer(service, name string, def int, ok func(int) bool, rule string) int {
	s := r.get(service, name)
	if !s.set() {
		return def
	}
	n, err := strconv.Atoi(s.text)
	if err != nil {
		r.fail(s, "must be %s", rule)
		return def
	}
	if ok != nil && !ok(n) {
		r.fail(s, "must be %s", rule)
		return def
	}
	return n
}

// greater reads an integer that must be greater than min (DBMail's
// "value for TIMEOUT is invalid" checks).
func (r *reader) greater(service, name string, def, min int) int {
	return r.integer(service, name, def, func(n int) bool { return n > min }, fmt.Sprintf("greater than %d", min))
}

// between reads an integer in [lo, hi].
func (r *reader) between(service, name string, def, lo, hi int) int {
	return r.integer(service, name, def, func(n int) bool { return n >= lo && n <= hi }, fmt.Sprintf("an integer from %d to %d", lo, hi))
}

// oneOf reads an integer that must be one of the listed values.
func (r *reader) oneOf(service, name string, def int, allowed ...int) int {
	words := make([]string, len(allowed))
	for i, a := range allowed {
		words[i] = strconv.Itoa(a)
	}
	rule := words[0]
	if n := len(words); n > 1 {
		rule = strings.Join(words[:n-1], ", ") + " or " + words[n-1]
	}
	return r.integer(service, name, def, func(n int) bool {
		for _, a := range allowed {
			if n == a {
				return true
			}
		}
		return false
	}, rule)
}

// seconds reads a non-negative number of seconds.
func (r *reader) seconds(service, name string, def int) time.Duration {
	return time.Duration(r.integer(service, name, def, func(n int) bool { return n >= 0 }, "a number of seconds (0 or more)")) * time.Second
}

// port reads a TCP port number; 0 when unset.
func (r *reader) port(service, name string) int {
	return r.between(service, name, 0, 1, 65535)
}

// bytes reads a size in bytes: a decimal number with an optional K, M or G
// suffix (powers of 1024, case-insensitive, optional trailing "B" or "iB").
// It is used only for dbmail-go's own keys.
func (r *reader) bytes(service, name string, def int64) int64 {
	s := r.get(service, name)
	if !s.set() {
		return def
	}
	n, err := parseByteSize(s.text)
	if err != nil {
		r.fail(s, "must be a size in bytes (e.g. 65536, 64M, 1G)")
		return def
	}
	return n
}

func parseByteSize(text string) (int64, error) {
	t := strings.TrimSpace(text)
	u := strings.ToUpper(t)
	u = strings.TrimSuffix(u, "IB")
	u = strings.TrimSuffix(u, "B")
	mult := int64(1)
	if u != "" {
		switch u[len(u)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			u = strings.TrimSpace(u[:len(u)-1])
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a size: %q", text)
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("size too large: %q", text)
	}
	return n * mult, nil
}

// list splits a value on the given separator characters, dropping empty
// items and trimming each.
func splitList(text, seps string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if f = trimASCIISpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
