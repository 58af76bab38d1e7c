package config

import (
	"strconv"
	"strings"
	"time"
)

// Section names DBMail reads (spec 5.1, 7.0).
const (
	SectionDBMail   = "DBMAIL"
	SectionIMAP     = "IMAP"
	SectionPOP      = "POP"
	SectionLMTP     = "LMTP"
	SectionSieve    = "SIEVE"
	SectionHTTP     = "HTTP"
	SectionDelivery = "DELIVERY"
	SectionLDAP     = "LDAP"
	// Pseudo-sections the tools read their logging settings from.
	SectionUsers    = "USERS"
	SectionUtil     = "UTIL"
	SectionExport   = "EXPORT"
	SectionSievecmd = "SIEVECMD"
)

// Compiled-in defaults of a packaged install (DBMail's configure-time paths).
const (
	DefaultConfigFile   = "/etc/dbmail.conf"
	DefaultLogFile      = "/var/log/dbmail.log"
	DefaultPidDirectory = "/var/run"
	DefaultTablePrefix  = "dbmail_"
	DefaultPostmaster   = "DBMAIL-MAILER@dbmail"
)

// DBMail holds the [DBMAIL] settings of spec 5.2 that are not per service.
type DBMail struct {
	// DBURI is the libzdb-style database URL, from dburi or, when that is
	// absent, built from the deprecated driver/host/db/user/pass/sqlport/
	// sqlsocket keys. "sqlite://~/…" is expanded with $HOME. PostgreSQL's
	// application-name is not added here: that depends on the program.
	DBURI string
	// DBURIDeprecated is true when DBURI was built from the deprecated keys.
	DBURIDeprecated bool

	AuthDriver string // "sql" (also when empty) or "ldap"; anything but "ldap" means SQL
	SortDriver string // read and ignored, as in DBMail
	ServerID   int    // read, no effect (default 1)

	TablePrefix          string // default "dbmail_"; the literal `""` means none
	MaxDBConnections     int    // pool size, default 10; services may override
	Encoding             string // database charset for cached header text
	DefaultMsgEncoding   string // charset assumed for undeclared 8-bit headers
	AllowInvalidMessages bool   // store unparsable input as text/plain

	Postmaster   string // sender of notifications, default DBMAIL-MAILER@dbmail
	SMTPHost     string // SMTP submission URL (smtp://host:587, smtps://…)
	SMTPHostSet  bool   // smtp_host is present (even empty): use SMTP, not sendmail
	SMTPUser     string
	SMTPPassword string
	Sendmail     string // command run as "<sendmail> -i -f <from> <to>"

	HashAlgorithm       string // md5, sha1 (default), sha256, sha512, whirlpool, tiger
	HeaderCacheReadonly bool   // default true; only no/false turn it off (2.9)
	MessagePartHash     int    // 0, 1 or 2 (2.4)
	// SecurityActions maps a security action number to the flags and
	// keywords whose messages it deletes (4.3), from "N:flags;M:flags";
	// flags of one action are separated by commas and/or spaces.
	SecurityActions map[int][]string

	QueryTimeInfo         time.Duration // slow-query log thresholds
	QueryTimeNotice       time.Duration
	QueryTimeWarning      time.Duration
	QueryTimeout          time.Duration // per-statement timeout, default 300 s
	ConnectionPoolTimeout time.Duration // give up (exit 75) after this, default 90 s
	LibraryDirectory      string        // accepted and ignored

	// dbmail-go additions.
	QueryCache       string   // "memory" (default) or "memcached"
	QueryCacheSize   int64    // bytes of the in-process cache, default 64 MiB
	MemcachedServers []string // host:port list for query_cache = memcached
}

// UseLDAP reports whether authdriver selects LDAP authentication.
func (d *DBMail) UseLDAP() bool { return strings.EqualFold(d.AuthDriver, "ldap") }

// hashAlgorithms are the digests DBMail can use for part hashes (spec 2.4).
func hashAlgorithms() []string {
	return []string{"md5", "sha1", "sha256", "sha512", "whirlpool", "tiger"}
}

func (r *reader) readDBMail() DBMail {
	const S = SectionDBMail
	d := DBMail{
		SortDriver:            r.str(S, "sortdriver", ""),
		ServerID:              r.integer(S, "serverid", 1, nil, "an integer"),
		MaxDBConnections:      r.greater(S, "max_db_connections", 10, 0),
		Encoding:              r.str(S, "encoding", "utf8"),
		DefaultMsgEncoding:    r.str(S, "default_msg_encoding", "utf8"),
		AllowInvalidMessages:  r.yesNo(S, "allow_invalid_messages", false, false),
		Postmaster:            r.str(S, "postmaster", DefaultPostmaster),
		SMTPUser:              r.str(S, "smtp_user", ""),
		SMTPPassword:          r.str(S, "smtp_password", ""),
		Sendmail:              r.str(S, "sendmail", ""),
		HeaderCacheReadonly:   r.yesNo(S, "header_cache_readonly", true, true),
		MessagePartHash:       r.oneOf(S, "message_part_hash", 0, 0, 1, 2),
		QueryTimeInfo:         r.seconds(S, "query_time_info", 10),
		QueryTimeNotice:       r.seconds(S, "query_time_notice", 20),
		QueryTimeWarning:      r.seconds(S, "query_time_warning", 30),
		QueryTimeout:          r.seconds(S, "query_timeout", 300),
		ConnectionPoolTimeout: r.seconds(S, "connection_pool_timeout", 90),
		LibraryDirectory:      r.str(S, "library_directory", ""),
		QueryCacheSize:        r.bytes(S, "query_cache_size", 64<<20),
	}
	d.DBURI, d.DBURIDeprecated = r.readDBURI()
	d.AuthDriver = r.readAuthDriver()
	d.TablePrefix = r.readTablePrefix()
	if s := r.get(S, "smtp_host"); s.found {
		d.SMTPHost, d.SMTPHostSet = s.text, true
	}
	d.HashAlgorithm = r.readHashAlgorithm()
	d.SecurityActions = r.readSecurityActions()
	d.QueryCache, d.MemcachedServers = r.readQueryCache()
	return d
}

// readAuthDriver: DBMail refuses to start when the key is absent; present
// but empty (as in older shipped files, "authdriver =") selects SQL, since
// any value other than "ldap" does.
func (r *reader) readAuthDriver() string {
	s := r.get(SectionDBMail, "authdriver")
	switch {
	case !s.found:
		r.missing(SectionDBMail, "authdriver", `required key is missing; set "sql" or "ldap"`)
		return "sql"
	case s.text == "":
		return "sql"
	case !strings.EqualFold(s.text, "sql") && !strings.EqualFold(s.text, "ldap"):
		r.warn(s, "unknown driver %q, using SQL authentication as DBMail does", s.text)
	}
	return s.text
}

// readTablePrefix is GetDBParams' rule (spec 1.1): unset or empty means
// "dbmail_", the two characters `""` mean no prefix.
func (r *reader) readTablePrefix() string {
	s := r.get(SectionDBMail, "table_prefix")
	switch {
	case s.text == `""`:
		return ""
	case s.text == "":
		return DefaultTablePrefix
	}
	for _, c := range []byte(s.text) {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			r.fail(s, "must contain only letters, digits and underscores")
			return DefaultTablePrefix
		}
	}
	return s.text
}

func (r *reader) readHashAlgorithm() string {
	s := r.get(SectionDBMail, "hash_algorithm")
	if !s.set() {
		return "sha1"
	}
	v := asciiLower(s.text)
	for _, a := range hashAlgorithms() {
		if v == a {
			return v
		}
	}
	r.fail(s, "must be one of %s", strings.Join(hashAlgorithms(), ", "))
	return "sha1"
}

// readSecurityActions parses "N:flags;M:flags" (spec 4.3).
func (r *reader) readSecurityActions() map[int][]string {
	s := r.get(SectionDBMail, "security_action")
	out := map[int][]string{}
	if !s.set() {
		return out
	}
	for _, item := range splitList(s.text, ";") {
		num, flags, ok := strings.Cut(item, ":")
		n, err := strconv.Atoi(trimASCIISpace(num))
		if !ok || err != nil || n < 2 {
			r.fail(s, `must be "N:flags;M:flags" with action numbers 2 or more (1 is built in)`)
			return map[int][]string{}
		}
		list := splitList(flags, ", \t")
		if len(list) == 0 {
			r.fail(s, "action %d lists no flags", n)
			return map[int][]string{}
		}
		out[n] = append(out[n], list...)
	}
	return out
}

func (r *reader) readQueryCache() (string, []string) {
	s := r.get(SectionDBMail, "query_cache")
	kind := "memory"
	if s.set() {
		kind = asciiLower(s.text)
		if kind != "memory" && kind != "memcached" {
			r.fail(s, `must be "memory" or "memcached"`)
			kind = "memory"
		}
	}
	servers := splitList(r.str(SectionDBMail, "memcached_servers", ""), ", \t")
	if kind == "memcached" && len(servers) == 0 {
		r.fail(s, "needs memcached_servers (a comma-separated host:port list)")
	}
	return kind, servers
}
