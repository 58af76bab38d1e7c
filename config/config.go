package config

import (
	"errors"
	"sort"
)

// Config is a loaded dbmail.conf. The typed fields carry DBMail's defaults
// for every unset key; Get gives raw access with DBMail's lookup rules.
type Config struct {
	Path string

	DBMail   DBMail
	IMAP     IMAP
	POP      POP
	LMTP     Service
	SIEVE    Service
	HTTP     HTTP
	Delivery Delivery
	LDAP     LDAP

	// Warnings lists keys and sections no program reads, deprecated keys
	// and truncated values, each prefixed with file:line.
	Warnings []string

	kf      *keyFile
	logging map[string]Logging
}

// Parse reads a dbmail.conf from data; path is used in messages only. Every
// bad value is reported: the error is a join of *Error values.
func Parse(path string, data []byte) (*Config, error) {
	kf, err := parseKeyFile(path, data)
	if err != nil {
		return nil, err
	}
	r := &reader{kf: kf}
	c := &Config{Path: path, kf: kf}
	c.DBMail = r.readDBMail()
	c.IMAP = r.readIMAP()
	c.POP = r.readPOP()
	c.LMTP = r.readService(SectionLMTP)
	if c.LMTP.Banner == "" {
		c.LMTP.Banner = "LMTP"
	}
	c.SIEVE = r.readService(SectionSieve)
	c.HTTP = r.readHTTP()
	c.Delivery = r.readDelivery()
	c.logging = map[string]Logging{}
	for _, sec := range []string{SectionDBMail, SectionDelivery, SectionUsers, SectionUtil, SectionExport, SectionSievecmd} {
		c.logging[sec] = r.readLogging(sec)
	}
	for _, svc := range []*Service{&c.IMAP.Service, &c.POP.Service, &c.LMTP, &c.SIEVE, &c.HTTP.Service} {
		c.logging[svc.Name] = svc.Logging
	}
	// [LDAP] is read only with authdriver = ldap; otherwise its values are
	// kept but not validated, as DBMail never looks at them.
	r.quiet = !c.DBMail.UseLDAP()
	c.LDAP = r.readLDAP()
	r.quiet = false

	c.Warnings = collectWarnings(kf.warnings, r.warnings, unknownKeys(kf))
	if err := joinErrors(r.errs); err != nil {
		return nil, err
	}
	return c, nil
}

// Get looks key up for section the way DBMail's config_get_value does: in
// [section] as written, upper-case, lower-case, then the same in [DBMAIL].
// The value is already cut at '#', trimmed and at most 1023 bytes; ok is
// false when the key is absent (an empty value is present).
func (c *Config) Get(section, key string) (value string, ok bool) {
	e, _, ok := c.kf.lookup(section, key)
	if !ok {
		return "", false
	}
	return e.value, true
}

// Service returns the common settings of a daemon section (IMAP, POP,
// LMTP, SIEVE, HTTP), or nil for any other name.
func (c *Config) Service(name string) *Service {
	switch name {
	case SectionIMAP:
		return &c.IMAP.Service
	case SectionPOP:
		return &c.POP.Service
	case SectionLMTP:
		return &c.LMTP
	case SectionSieve:
		return &c.SIEVE
	case SectionHTTP:
		return &c.HTTP.Service
	}
	return nil
}

// CheckDaemon reports what the daemon of service (IMAP, POP, LMTP, SIEVE,
// HTTP) cannot start without, though the tools can: effective_user and
// effective_group (spec 5.2; fatal in DBMail).
func (c *Config) CheckDaemon(service string) error {
	r := &reader{kf: c.kf}
	for _, key := range []string{"effective_user", "effective_group"} {
		s := r.get(service, key)
		switch {
		case s.set():
		case s.found:
			r.errs = append(r.errs, &Error{File: c.Path, Line: s.line, Section: s.section, Service: service, Key: s.key, Msg: "required by the daemon but empty"})
		default:
			r.missing(service, key, "required by the daemon but missing")
		}
	}
	return joinErrors(r.errs)
}

// Logging returns the log settings a program reading section uses: a
// daemon's own section, or a tool's pseudo-section (DELIVERY, USERS, UTIL,
// EXPORT, SIEVECMD, DBMAIL), each falling back to [DBMAIL] (spec 5.1, 7.0).
// Sections not validated at load are read now; a bad value there is an error.
func (c *Config) Logging(section string) (Logging, error) {
	if g, ok := c.logging[section]; ok {
		return g, nil
	}
	r := &reader{kf: c.kf}
	g := r.readLogging(section)
	return g, joinErrors(r.errs)
}

// collectWarnings merges warning lists in file order, dropping duplicates
// (a [DBMAIL] key read by several services is reported once).
func collectWarnings(lists ...[]warning) []string {
	var all []warning
	for _, l := range lists {
		all = append(all, l...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].line < all[j].line })
	out := []string{}
	seen := map[string]bool{}
	for _, w := range all {
		if !seen[w.text] {
			seen[w.text] = true
			out = append(out, w.text)
		}
	}
	return out
}

// joinErrors combines errors in file order, reporting each text once.
func joinErrors(errs []error) error {
	seen := map[string]bool{}
	uniq := errs[:0:0]
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			uniq = append(uniq, e)
		}
	}
	sort.SliceStable(uniq, func(i, j int) bool { return errLine(uniq[i]) < errLine(uniq[j]) })
	errs = uniq
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

func errLine(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Line
	}
	return 0
}
