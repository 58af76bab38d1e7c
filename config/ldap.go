package config

import (
	"fmt"
	"strings"
)

// LDAP is the [LDAP] section (spec 5.9), used when authdriver = ldap. Its
// values are validated only then, since DBMail does not read them otherwise.
type LDAP struct {
	URI      string // ldap://, ldaps:// or ldapi:// URI; preferred over Hostname/Port
	Hostname string
	Port     int // 0 when unset
	Version  int // 2 or 3, default 3
	BaseDN   string
	BindDN   string // "" = anonymous
	BindPW   string
	Scope    string // "subtree" (default), "one" or "base"
	// Referrals is false only with REFERRALS = no (Active Directory).
	Referrals bool
	// QueryTimeout is the number of one-second retries for connect and
	// search; it falls back to [DBMAIL] query_timeout, and when both are
	// unset it is 0 and DBMail never searches (spec 5.9 quirk).
	QueryTimeout int

	UserObjectClass []string // comma list
	ForwObjectClass []string // comma list
	CNString        string
	FieldPasswd     string
	FieldUID        string
	FieldNID        string
	MinNID, MaxNID  int
	FieldCID        string
	MinCID, MaxCID  int
	FieldMail       string // used whole by delivery lookups (4.6 quirk)
	FieldQuota      string
	FieldFwdTarget  string
	QueryString     string // read, unused
}

// ServerURI is URI, or ldap://HOSTNAME:PORT when URI is empty.
func (l *LDAP) ServerURI() string {
	if l.URI != "" || l.Hostname == "" {
		return l.URI
	}
	if l.Port == 0 {
		return "ldap://" + l.Hostname
	}
	return fmt.Sprintf("ldap://%s:%d", l.Hostname, l.Port)
}

func (r *reader) readLDAP() LDAP {
	const S = SectionLDAP
	l := LDAP{
		URI:             r.str(S, "uri", ""),
		Hostname:        r.str(S, "hostname", ""),
		Port:            r.port(S, "port"),
		Version:         r.oneOf(S, "version", 3, 2, 3),
		BaseDN:          r.str(S, "base_dn", ""),
		BindDN:          r.str(S, "bind_dn", ""),
		BindPW:          r.str(S, "bind_pw", ""),
		Referrals:       true,
		QueryTimeout:    r.integer(S, "query_timeout", 0, func(n int) bool { return n >= 0 }, "a number of seconds (0 or more)"),
		UserObjectClass: splitList(r.str(S, "user_objectclass", ""), ","),
		ForwObjectClass: splitList(r.str(S, "forw_objectclass", ""), ","),
		CNString:        r.str(S, "cn_string", ""),
		FieldPasswd:     r.str(S, "field_passwd", ""),
		FieldUID:        r.str(S, "field_uid", ""),
		FieldNID:        r.str(S, "field_nid", ""),
		MinNID:          r.integer(S, "min_nid", 0, func(n int) bool { return n >= 0 }, "a non-negative integer"),
		MaxNID:          r.integer(S, "max_nid", 0, func(n int) bool { return n >= 0 }, "a non-negative integer"),
		FieldCID:        r.str(S, "field_cid", ""),
		MinCID:          r.integer(S, "min_cid", 0, func(n int) bool { return n >= 0 }, "a non-negative integer"),
		MaxCID:          r.integer(S, "max_cid", 0, func(n int) bool { return n >= 0 }, "a non-negative integer"),
		FieldMail:       r.str(S, "field_mail", ""),
		FieldQuota:      r.str(S, "field_quota", ""),
		FieldFwdTarget:  r.str(S, "field_fwdtarget", ""),
		QueryString:     r.str(S, "query_string", ""),
	}
	// SCOPE: the first three letters decide, case-insensitively.
	scope := asciiLower(r.str(S, "scope", "subtree"))
	switch {
	case strings.HasPrefix(scope, "one"):
		l.Scope = "one"
	case strings.HasPrefix(scope, "bas"):
		l.Scope = "base"
	default:
		l.Scope = "subtree"
	}
	// REFERRALS: only "no" turns chasing off.
	if s := r.get(S, "referrals"); s.set() && strings.EqualFold(s.text, "no") {
		l.Referrals = false
	}
	return l
}
