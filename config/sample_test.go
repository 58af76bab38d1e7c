package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// repoRoot walks up from the test's directory to the one holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// The embedded copy must be the repository's dbmail.conf.sample
// (go generate ./config refreshes it).
func TestSampleMatchesRepositoryFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "dbmail.conf.sample"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != Sample() {
		t.Fatal("config/dbmail.conf.sample differs from ../dbmail.conf.sample; run go generate ./config")
	}
}

func TestSampleDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("dbmail.conf", []byte(Sample()))
	if err != nil {
		t.Fatalf("Parse(sample): %v", err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("sample warnings: %q", c.Warnings)
	}

	wantDB := DBMail{
		DBURI:                 "sqlite:///var/lib/dbmail/dbmail.db",
		AuthDriver:            "sql",
		ServerID:              1,
		TablePrefix:           "dbmail_",
		MaxDBConnections:      10,
		Encoding:              "utf8",
		DefaultMsgEncoding:    "utf8",
		Postmaster:            "DBMAIL-MAILER@dbmail",
		Sendmail:              "/usr/sbin/sendmail",
		HashAlgorithm:         "sha1",
		HeaderCacheReadonly:   true,
		SecurityActions:       map[int][]string{},
		QueryTimeInfo:         10 * time.Second,
		QueryTimeNotice:       20 * time.Second,
		QueryTimeWarning:      30 * time.Second,
		QueryTimeout:          300 * time.Second,
		ConnectionPoolTimeout: 90 * time.Second,
		QueryCache:            "memory",
		QueryCacheSize:        64 << 20,
	}
	if !reflect.DeepEqual(c.DBMail, wantDB) {
		t.Errorf("DBMail =\n%+v\nwant\n%+v", c.DBMail, wantDB)
	}

	logging := Logging{
		Logfile:             "/var/log/dbmail/dbmail.log",
		FileLoggingLevels:   kw("notice"),
		SyslogLoggingLevels: kw("warning"),
	}
	base := func(name, program string, port int, timeout time.Duration, bind ...string) Service {
		return Service{
			Name: name, Program: program, BindIP: bind, Port: port,
			Backlog: 128, Timeout: timeout, LoginTimeout: 60 * time.Second,
			MaxDBConnections: 10, PidDirectory: "/var/run/dbmail", Logging: logging,
			EffectiveUser: "nobody", EffectiveGroup: "nogroup",
			StateSocket:   "/var/run/dbmail/" + program + ".state",
			MaxLineLength: 65536, MaxConnections: 10000, MaxConnectionsPerIP: 1000,
			MaxLoginFailures: 5, LoginFailureDelay: 2 * time.Second,
			PipelineDepth: 64, MaxLiteralSize: 256 << 20,
		}
	}
	wantIMAP := IMAP{
		Service:                             base("IMAP", "dbmail-imapd", 143, 4000*time.Second, "0.0.0.0"),
		LoginDisabled:                       true,
		EnableCramMD5:                       true,
		IdleTimeout:                         30 * time.Second,
		IdleInterval:                        10,
		MailboxUpdateStrategy:               1,
		MailboxUpdateStrategy2MaxIterations: 300,
		MailboxSearchStrategy:               1,
		CommandSelectAllowUnseen:            true,
		MailboxUpdateSeqStrategy:            1,
		MailboxSyncDeleted:                  1,
		MailboxSyncBatchSize:                64,
	}
	if !reflect.DeepEqual(c.IMAP, wantIMAP) {
		t.Errorf("IMAP =\n%+v\nwant\n%+v", c.IMAP, wantIMAP)
	}
	wantPOP := POP{Service: base("POP", "dbmail-pop3d", 110, 300*time.Second, "0.0.0.0")}
	wantPOP.Banner = "DBMAIL pop3 server ready to rock"
	if !reflect.DeepEqual(c.POP, wantPOP) {
		t.Errorf("POP =\n%+v\nwant\n%+v", c.POP, wantPOP)
	}
	wantLMTP := base("LMTP", "dbmail-lmtpd", 24, 300*time.Second, "0.0.0.0")
	wantLMTP.Banner = "LMTP"
	if !reflect.DeepEqual(c.LMTP, wantLMTP) {
		t.Errorf("LMTP =\n%+v\nwant\n%+v", c.LMTP, wantLMTP)
	}
	wantSieve := base("SIEVE", "dbmail-sieved", 4190, 300*time.Second, "0.0.0.0")
	if !reflect.DeepEqual(c.SIEVE, wantSieve) {
		t.Errorf("SIEVE =\n%+v\nwant\n%+v", c.SIEVE, wantSieve)
	}
	wantHTTP := HTTP{Service: base("HTTP", "dbmail-httpd", 41380, 300*time.Second, "127.0.0.1"), Realm: "DBMail HTTP Access"}
	if !reflect.DeepEqual(c.HTTP, wantHTTP) {
		t.Errorf("HTTP =\n%+v\nwant\n%+v", c.HTTP, wantHTTP)
	}
	wantDelivery := Delivery{
		Sieve: true, Subaddress: true, SieveVacation: true,
		AutoNotify: No, AutoReply: No,
		AutoNotifySubject: "NEW MAIL NOTIFICATION", AutoNotifySender: "autonotify@dbmail",
		QuotaFailure: "hard",
	}
	if !reflect.DeepEqual(c.Delivery, wantDelivery) {
		t.Errorf("Delivery =\n%+v\nwant\n%+v", c.Delivery, wantDelivery)
	}
	wantLDAP := LDAP{
		URI: "ldap://example.com/", Version: 3, Scope: "subtree", Referrals: true,
		QueryTimeout:    300, // [DBMAIL] query_timeout
		UserObjectClass: []string{"top", "account", "inetOrgPerson"},
		ForwObjectClass: []string{"top", "account", "dbmailUser"},
		CNString:        "uid", FieldPasswd: "userPassword", FieldUID: "uid",
		FieldNID: "uidNumber", MinNID: 10000, MaxNID: 15000,
		FieldCID: "gidNumber", MinCID: 10000, MaxCID: 15000,
		FieldMail: "mail", FieldQuota: "mailQuota", FieldFwdTarget: "mailForwardingAddress",
	}
	if !reflect.DeepEqual(c.LDAP, wantLDAP) {
		t.Errorf("LDAP =\n%+v\nwant\n%+v", c.LDAP, wantLDAP)
	}
	for _, sec := range []string{SectionUsers, SectionUtil, SectionExport, SectionSievecmd, SectionDelivery, SectionIMAP} {
		g, err := c.Logging(sec)
		if err != nil || g != logging {
			t.Errorf("Logging(%s) = %+v, %v; want %+v", sec, g, err, logging)
		}
	}
	if err := c.CheckDaemon(SectionIMAP); err != nil {
		t.Errorf("CheckDaemon(IMAP) = %v", err)
	}
	if got := c.IMAP.PidFile(); got != "/var/run/dbmail/dbmail-imapd.pid" {
		t.Errorf("PidFile = %q", got)
	}
	if c.IMAP.TLSConfigured() {
		t.Error("TLSConfigured with empty tls_* keys")
	}
}

// An empty [DBMAIL] with only the required keys gets the code defaults of
// spec 5.2–5.10, not the shipped values.
func TestCodeDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("min.conf", []byte("[DBMAIL]\ndburi = sqlite:///x.db\nauthdriver = sql\n"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"IMAP port", c.IMAP.Port, 143},
		{"POP port", c.POP.Port, 110},
		{"SIEVE port", c.SIEVE.Port, 4090},
		{"HTTP port", c.HTTP.Port, 41380},
		{"LMTP port", c.LMTP.Port, 0},
		{"bindip", c.IMAP.BindIP, []string{"127.0.0.1"}},
		{"timeout", c.IMAP.Timeout, 300 * time.Second},
		{"file levels", c.IMAP.FileLoggingLevels, LevelMask(7)},
		{"syslog levels", c.IMAP.SyslogLoggingLevels, LevelMask(31)},
		{"logfile", c.IMAP.Logfile, DefaultLogFile},
		{"pid dir", c.POP.PidDirectory, DefaultPidDirectory},
		{"state socket", c.POP.StateSocket, "/var/run/dbmail-pop3d.state"},
		{"delivery sieve", c.Delivery.Sieve, false},
		{"auto notify", c.Delivery.AutoNotify, Unset},
		{"auto reply", c.Delivery.AutoReply, Unset},
		{"ldap query timeout", c.LDAP.QueryTimeout, 0},
		{"ldap version", c.LDAP.Version, 3},
		{"smtp host set", c.DBMail.SMTPHostSet, false},
		{"sendmail", c.DBMail.Sendmail, ""},
		{"imap banner", c.IMAP.Banner, ""},
		{"sieve banner", c.SIEVE.Banner, ""},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	err = c.CheckDaemon(SectionLMTP)
	want := "min.conf: [LMTP] effective_user: required by the daemon but missing\nmin.conf: [LMTP] effective_group: required by the daemon but missing"
	if err == nil || err.Error() != want {
		t.Errorf("CheckDaemon(LMTP) = %v, want %q", err, want)
	}
}
