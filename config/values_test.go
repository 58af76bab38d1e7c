package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := Parse("v.conf", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestDeprecatedDBURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		keys, want string
	}{
		{"driver = postgresql\nhost = db.example\ndb = mail\nuser = dbmail\npass = s3cr&t\nsqlport = 5433\n",
			"postgresql://db.example:5433/mail?password=s3cr%26t&user=dbmail"},
		{"driver = MySQL\nhost = localhost\ndb = dbmail\nuser = root\nencoding = utf8\nsqlsocket = /run/mysqld/mysqld.sock\n",
			"mysql://localhost/dbmail?charset=utf8&unix-socket=%2Frun%2Fmysqld%2Fmysqld.sock&user=root"},
		{"driver = postgresql\nhost = h\ndb = d\nuser = u\nencoding = latin1\n", // charset only for mysql
			"postgresql://h/d?user=u"},
		{"driver = sqlite\nhost = localhost\ndb = /var/lib/dbmail/dbmail.db\nuser = x\n",
			"sqlite:///var/lib/dbmail/dbmail.db"},
	}
	for _, tc := range tests {
		c := mustParse(t, "[DBMAIL]\nauthdriver = sql\n"+tc.keys)
		if c.DBMail.DBURI != tc.want || !c.DBMail.DBURIDeprecated {
			t.Errorf("keys %q: DBURI = %q (deprecated %v), want %q", tc.keys, c.DBMail.DBURI, c.DBMail.DBURIDeprecated, tc.want)
		}
	}
	// dburi wins over the deprecated keys.
	c := mustParse(t, "[DBMAIL]\nauthdriver = sql\ndburi = mysql://u@h/d\ndriver = sqlite\n")
	if c.DBMail.DBURI != "mysql://u@h/d" || c.DBMail.DBURIDeprecated {
		t.Errorf("DBURI = %q, deprecated %v", c.DBMail.DBURI, c.DBMail.DBURIDeprecated)
	}
}

func TestSQLiteHomeExpansion(t *testing.T) {
	t.Setenv("HOME", "/home/mail")
	c := mustParse(t, "[DBMAIL]\nauthdriver = sql\ndburi = sqlite://~/dbmail.db\n")
	if c.DBMail.DBURI != "sqlite:///home/mail/dbmail.db" {
		t.Errorf("DBURI = %q", c.DBMail.DBURI)
	}
}

func TestAuthDriver(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ value, want, warning string }{
		{"", "sql", ""},
		{"sql", "sql", ""},
		{"LDAP", "LDAP", ""},
		{"pam", "pam", `v.conf:3: [DBMAIL] authdriver: unknown driver "pam", using SQL authentication as DBMail does`},
	} {
		c := mustParse(t, "[DBMAIL]\ndburi = sqlite:///a\nauthdriver = "+tc.value+"\n")
		if c.DBMail.AuthDriver != tc.want || c.DBMail.UseLDAP() != (tc.want == "LDAP") {
			t.Errorf("authdriver = %q: got %q", tc.value, c.DBMail.AuthDriver)
		}
		if got := strings.Join(c.Warnings, "\n"); got != tc.warning {
			t.Errorf("authdriver = %q: warnings %q, want %q", tc.value, got, tc.warning)
		}
	}
}

func TestTablePrefix(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]string{
		"":            "dbmail_",
		`""`:          "",
		"mail_":       "mail_",
		`"" # none`:   "",
		"# a comment": "dbmail_",
	} {
		c := mustParse(t, head+"table_prefix = "+value+"\n")
		if c.DBMail.TablePrefix != want {
			t.Errorf("table_prefix = %s: got %q, want %q", value, c.DBMail.TablePrefix, want)
		}
	}
}

func TestDBMailValues(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+`smtp_host =
hash_algorithm = SHA256
header_cache_readonly = FALSE
message_part_hash = 2
security_action = 2:\Flagged;3:private, \Seen ;2:\Answered
query_timeout = 0
query_cache = memcached
memcached_servers = 10.0.0.1:11211, 10.0.0.2:11211
query_cache_size = 512K
allow_invalid_messages = YES
`)
	d := c.DBMail
	if !d.SMTPHostSet || d.SMTPHost != "" {
		t.Errorf("smtp_host present but empty: set=%v host=%q", d.SMTPHostSet, d.SMTPHost)
	}
	if d.HashAlgorithm != "sha256" || d.HeaderCacheReadonly || d.MessagePartHash != 2 || !d.AllowInvalidMessages {
		t.Errorf("hash %q readonly %v part hash %d invalid %v", d.HashAlgorithm, d.HeaderCacheReadonly, d.MessagePartHash, d.AllowInvalidMessages)
	}
	wantSA := map[int][]string{2: {`\Flagged`, `\Answered`}, 3: {"private", `\Seen`}}
	if !reflect.DeepEqual(d.SecurityActions, wantSA) {
		t.Errorf("SecurityActions = %v, want %v", d.SecurityActions, wantSA)
	}
	if d.QueryTimeout != 0 || d.QueryCache != "memcached" || d.QueryCacheSize != 512<<10 {
		t.Errorf("timeout %v cache %q size %d", d.QueryTimeout, d.QueryCache, d.QueryCacheSize)
	}
	if !reflect.DeepEqual(d.MemcachedServers, []string{"10.0.0.1:11211", "10.0.0.2:11211"}) {
		t.Errorf("MemcachedServers = %q", d.MemcachedServers)
	}
	if c.DBMail.UseLDAP() {
		t.Error("UseLDAP with authdriver = sql")
	}
}

func TestServiceValues(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+`bindip = *, ::1  10.0.0.1,,
port = 2000
tls_cafile = /ca.pem
tls_cert = /cert.pem
tls_key = /key.pem
max_db_connections = 4
[IMAP]
tls_port = 993
imap_before_smtp = yes
max_db_connections = 20
state_socket = /run/imap.sock
[POP]
POP_BEFORE_SMTP = Yes
PORT = 1110
[LMTP]
socket = /run/lmtp.sock
[SIEVE]
tls_key =
`)
	tests := []struct {
		name      string
		got, want any
	}{
		{"bindip", c.IMAP.BindIP, []string{"0.0.0.0", "::1", "10.0.0.1"}},
		// [DBMAIL] port becomes every daemon's port unless it sets its own.
		{"IMAP port", c.IMAP.Port, 2000},
		{"IMAP tls_port", c.IMAP.TLSPort, 993},
		{"POP port", c.POP.Port, 1110},
		{"LMTP port", c.LMTP.Port, 2000},
		{"LMTP socket", c.LMTP.Socket, "/run/lmtp.sock"},
		{"IMAP before smtp", c.IMAP.BeforeSMTP, true},
		{"POP before smtp", c.POP.BeforeSMTP, true},
		{"LMTP before smtp", c.LMTP.BeforeSMTP, false},
		{"IMAP pool", c.IMAP.MaxDBConnections, 20},
		{"POP pool", c.POP.MaxDBConnections, 4},
		{"DBMail pool", c.DBMail.MaxDBConnections, 4},
		{"IMAP state socket", c.IMAP.StateSocket, "/run/imap.sock"},
		{"IMAP TLS", c.IMAP.TLSConfigured(), true},
		{"SIEVE TLS", c.SIEVE.TLSConfigured(), false},
	}
	for _, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	if s := c.Service("POP"); s == nil || s.Port != 1110 {
		t.Errorf("Service(POP) = %+v", s)
	}
	if s := c.Service("DELIVERY"); s != nil {
		t.Errorf("Service(DELIVERY) = %+v, want nil", s)
	}
}

// Default ports apply only when neither port nor tls_port is set.
func TestDefaultPortOnlyWithoutTLSPort(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+"[IMAP]\ntls_port = 993\n[POP]\nport =\n")
	if c.IMAP.Port != 0 || c.IMAP.TLSPort != 993 {
		t.Errorf("IMAP port %d tls %d, want 0 and 993", c.IMAP.Port, c.IMAP.TLSPort)
	}
	if c.POP.Port != 110 {
		t.Errorf("POP port %d, want default 110 (empty value = unset)", c.POP.Port)
	}
}

func TestIMAPValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		size uint64
	}{
		{"1000000", 1000000},
		{"03777777", 0o3777777},
		{"0xfffff", 0xfffff},
		{"0XFF", 0xff},
		{"0", 0},
	} {
		c := mustParse(t, head+"[IMAP]\nmax_message_size = "+tc.text+"\n")
		if c.IMAP.MaxMessageSize != tc.size {
			t.Errorf("max_message_size = %s: got %d, want %d", tc.text, c.IMAP.MaxMessageSize, tc.size)
		}
	}
	c := mustParse(t, head+`[IMAP]
idle_timeout = -5
idle_interval = 999
capability = IMAP4rev1  IDLE LITERAL+
login_disabled = NO
enable_cram_md5 = no
command_select_allow_unseen = 0
command_store_flags_silent_ignore_silent = 1
mailbox_update_strategy_2_max_iterations = -1
`)
	m := c.IMAP
	if m.IdleTimeout != 30*time.Second || m.IdleInterval != 999 {
		t.Errorf("idle timeout %v interval %d", m.IdleTimeout, m.IdleInterval)
	}
	if !reflect.DeepEqual(m.Capability, []string{"IMAP4rev1", "IDLE", "LITERAL+"}) {
		t.Errorf("Capability = %q", m.Capability)
	}
	if m.LoginDisabled || m.EnableCramMD5 || m.CommandSelectAllowUnseen || !m.CommandStoreFlagsSilentIgnoreSilent || m.MailboxUpdateStrategy2MaxIterations != -1 {
		t.Errorf("IMAP = %+v", m)
	}
}

func TestDeliveryValues(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+"postmaster = pm@example.com\n[DELIVERY]\nAUTO_REPLY = yes\nquota_failure = SOFT\nsubaddress = yes\n")
	d := c.Delivery
	if d.AutoNotify != Unset || d.AutoReply != Yes || d.QuotaFailure != "soft" || !d.Subaddress {
		t.Errorf("Delivery = %+v", d)
	}
	if d.AutoNotifySender != "pm@example.com" {
		t.Errorf("AutoNotifySender = %q, want the postmaster", d.AutoNotifySender)
	}
	if Unset.String() != "unset" || Yes.String() != "yes" || No.String() != "no" {
		t.Error("TriState.String")
	}
}

func TestLDAPValues(t *testing.T) {
	t.Parallel()
	ldapHead := strings.Replace(head, "authdriver = sql", "authdriver = LDAP", 1)
	c := mustParse(t, ldapHead+`query_timeout = 120
[LDAP]
HOSTNAME = ldap.example
PORT = 636
SCOPE = OneLevel
REFERRALS = NO
field_mail = mail
`)
	l := c.LDAP
	if !c.DBMail.UseLDAP() {
		t.Error("UseLDAP false with authdriver = LDAP")
	}
	if l.ServerURI() != "ldap://ldap.example:636" || l.Scope != "one" || l.Referrals || l.QueryTimeout != 120 || l.FieldMail != "mail" {
		t.Errorf("LDAP = %+v (uri %q)", l, l.ServerURI())
	}
	c = mustParse(t, ldapHead+"[LDAP]\nscope = BASE\nURI = ldapi:///\nQUERY_TIMEOUT = 5\nHOSTNAME = x\n")
	if c.LDAP.Scope != "base" || c.LDAP.ServerURI() != "ldapi:///" || c.LDAP.QueryTimeout != 5 {
		t.Errorf("LDAP = %+v", c.LDAP)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+`NCHILDREN = 5
maxconnects = 100
trace_level = 5
errorlog = /var/log/dbmail.err
trace_stderr = 4
colour = blue
[IMAP]
sieve = yes
Timeout = 400
[SMTP]
host = x
[DELIVERY]
file_logging_levels = debug
timeout = 100
`)
	want := []string{
		"v.conf:6: [DBMAIL] trace_level: deprecated and ignored; use syslog_logging_levels and file_logging_levels",
		"v.conf:7: [DBMAIL] errorlog: removed in DBMail 3.5.1 and ignored; errors go to logfile",
		"v.conf:8: [DBMAIL] trace_stderr: deprecated; use file_logging_levels",
		"v.conf:9: [DBMAIL] colour: unknown key, not read",
		"v.conf:11: [IMAP] sieve: unknown key, not read",
		"v.conf:12: [IMAP] Timeout: never read: keys are found only when written all lower case or all upper case",
		"v.conf:13: [SMTP]: unknown section, not read",
		"v.conf:17: [DELIVERY] timeout: unknown key, not read",
	}
	if strings.Join(c.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(c.Warnings, "\n"), strings.Join(want, "\n"))
	}
	// The deprecated trace_stderr = 4 applies where file_logging_levels is unset.
	if c.IMAP.FileLoggingLevels != kw("info") {
		t.Errorf("IMAP file levels = %v", c.IMAP.FileLoggingLevels)
	}
	g, err := c.Logging(SectionDelivery)
	if err != nil || g.FileLoggingLevels != kw("debug") {
		t.Errorf("Logging(DELIVERY) = %+v, %v", g, err)
	}
}

// A pseudo-section not known at load time is read on demand.
func TestLoggingOnDemand(t *testing.T) {
	t.Parallel()
	c := mustParse(t, head+"syslog_logging_levels = 3\n[CUSTOM]\nfile_logging_levels = nothing\n")
	g, err := c.Logging("CUSTOM")
	want := Logging{Logfile: DefaultLogFile, FileLoggingLevels: 0, SyslogLoggingLevels: 3}
	if err != nil || g != want {
		t.Errorf("Logging(CUSTOM) = %+v, %v; want %+v", g, err, want)
	}
	c = mustParse(t, head+"[CUSTOM]\nfile_logging_levels = loud\n")
	_, err = c.Logging("CUSTOM")
	wantErr := `v.conf:5: [CUSTOM] file_logging_levels: must be a keyword (nothing, emergency, alert, critical, error, warning, notice, info, debug, database) or a number from 0 to 511, got "loud"`
	if err == nil || err.Error() != wantErr {
		t.Errorf("Logging(CUSTOM) error = %v", err)
	}
}

// An old 2.x-era file keeps working: deprecated keys build the URI, trace
// levels apply, obsolete keys are accepted silently.
func TestOld2xFile(t *testing.T) {
	t.Parallel()
	c, err := Load(filepath.Join("testdata", "dbmail-2x.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "mysql://localhost:3306/dbmail?charset=utf8&password=geheim&user=dbmail"; c.DBMail.DBURI != want {
		t.Errorf("DBURI = %q, want %q", c.DBMail.DBURI, want)
	}
	if c.IMAP.SyslogLoggingLevels != TraceLevelMask(3) || c.IMAP.FileLoggingLevels != TraceLevelMask(1) {
		t.Errorf("levels %v / %v", c.IMAP.SyslogLoggingLevels, c.IMAP.FileLoggingLevels)
	}
	if c.IMAP.Timeout != 4000*time.Second || c.POP.Timeout != 300*time.Second || c.LMTP.Port != 24 {
		t.Errorf("IMAP timeout %v, POP timeout %v, LMTP port %d", c.IMAP.Timeout, c.POP.Timeout, c.LMTP.Port)
	}
	if !reflect.DeepEqual(c.POP.BindIP, []string{"0.0.0.0"}) || c.IMAP.EffectiveUser != "dbmail" {
		t.Errorf("bindip %q user %q", c.POP.BindIP, c.IMAP.EffectiveUser)
	}
	if c.DBMail.TablePrefix != "dbmail_" || c.Delivery.AutoNotifySender != "postmaster@example.org" {
		t.Errorf("prefix %q sender %q", c.DBMail.TablePrefix, c.Delivery.AutoNotifySender)
	}
	path := filepath.Join("testdata", "dbmail-2x.conf")
	want := []string{
		path + ":15: [DBMAIL] TRACE_LEVEL: deprecated and ignored; use syslog_logging_levels and file_logging_levels",
		path + ":16: [DBMAIL] TRACE_SYSLOG: deprecated; use syslog_logging_levels",
		path + ":17: [DBMAIL] TRACE_STDERR: deprecated; use file_logging_levels",
		path + ":29: [SMTP]: unknown section, not read",
	}
	if strings.Join(c.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(c.Warnings, "\n"), strings.Join(want, "\n"))
	}
}
