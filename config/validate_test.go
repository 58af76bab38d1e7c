package config

import (
	"errors"
	"strings"
	"testing"
)

// head is a minimal valid file: lines 1–3.
const head = "[DBMAIL]\ndburi = sqlite:///a\nauthdriver = sql\n"

func TestValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		extra string // appended to head, starting at line 4
		want  string
	}{
		{"[IMAP]\ntimeout = 5\n", `c.conf:5: [IMAP] timeout: must be greater than 30, got "5"`},
		{"timeout = 30\n", `c.conf:4: [DBMAIL] timeout: must be greater than 30, got "30"`},
		{"[POP]\nLOGIN_TIMEOUT = 10\n", `c.conf:5: [POP] LOGIN_TIMEOUT: must be greater than 10, got "10"`},
		{"[LMTP]\nbacklog = 0\n", `c.conf:5: [LMTP] backlog: must be greater than 0, got "0"`},
		{"[IMAP]\nport = imap\n", `c.conf:5: [IMAP] port: must be an integer from 1 to 65535, got "imap"`},
		{"[IMAP]\ntls_port = 70000\n", `c.conf:5: [IMAP] tls_port: must be an integer from 1 to 65535, got "70000"`},
		{"[SIEVE]\nresolve_ip = true\n", `c.conf:5: [SIEVE] resolve_ip: must be "yes" or "no", got "true"`},
		{"header_cache_readonly = maybe\n", `c.conf:4: [DBMAIL] header_cache_readonly: must be "yes", "no", "true" or "false", got "maybe"`},
		{"max_db_connections = ten\n", `c.conf:4: [DBMAIL] max_db_connections: must be greater than 0, got "ten"`},
		{"message_part_hash = 3\n", `c.conf:4: [DBMAIL] message_part_hash: must be 0, 1 or 2, got "3"`},
		{"hash_algorithm = crc32\n", `c.conf:4: [DBMAIL] hash_algorithm: must be one of md5, sha1, sha256, sha512, whirlpool, tiger, got "crc32"`},
		{"query_timeout = -1\n", `c.conf:4: [DBMAIL] query_timeout: must be a number of seconds (0 or more), got "-1"`},
		{"connection_pool_timeout = soon\n", `c.conf:4: [DBMAIL] connection_pool_timeout: must be a number of seconds (0 or more), got "soon"`},
		{"security_action = 2\n", `c.conf:4: [DBMAIL] security_action: must be "N:flags;M:flags" with action numbers 2 or more (1 is built in), got "2"`},
		{"security_action = 3:\n", `c.conf:4: [DBMAIL] security_action: action 3 lists no flags, got "3:"`},
		{"table_prefix = my-prefix\n", `c.conf:4: [DBMAIL] table_prefix: must contain only letters, digits and underscores, got "my-prefix"`},
		{"file_logging_levels = Warning\n", `c.conf:4: [DBMAIL] file_logging_levels: must be a keyword (nothing, emergency, alert, critical, error, warning, notice, info, debug, database) or a number from 0 to 511, got "Warning"`},
		{"[UTIL]\nsyslog_logging_levels = 512\n", `c.conf:5: [UTIL] syslog_logging_levels: must be a keyword (nothing, emergency, alert, critical, error, warning, notice, info, debug, database) or a number from 0 to 511, got "512"`},
		{"trace_syslog = loud\n", `c.conf:4: [DBMAIL] trace_syslog: must be a number from 0 to 5, got "loud"`},
		{"query_cache = redis\n", `c.conf:4: [DBMAIL] query_cache: must be "memory" or "memcached", got "redis"`},
		{"query_cache = memcached\n", `c.conf:4: [DBMAIL] query_cache: needs memcached_servers (a comma-separated host:port list), got "memcached"`},
		{"query_cache_size = lots\n", `c.conf:4: [DBMAIL] query_cache_size: must be a size in bytes (e.g. 65536, 64M, 1G), got "lots"`},
		{"[IMAP]\nmax_literal_size = 1T\n", `c.conf:5: [IMAP] max_literal_size: must be a size in bytes (e.g. 65536, 64M, 1G), got "1T"`},
		{"[IMAP]\nmax_line_length = 100\n", `c.conf:5: [IMAP] max_line_length: must be at least 1024, got "100"`},
		{"[IMAP]\nidle_interval = 1000\n", `c.conf:5: [IMAP] idle_interval: must be an integer from 1 to 999, got "1000"`},
		{"[IMAP]\nidle_timeout = often\n", `c.conf:5: [IMAP] idle_timeout: must be a number of seconds, got "often"`},
		{"[IMAP]\nmax_message_size = 09\n", `c.conf:5: [IMAP] max_message_size: must be a size in octets: decimal, 0-prefixed octal or 0x-prefixed hex, got "09"`},
		{"[IMAP]\nmailbox_update_strategy = 3\n", `c.conf:5: [IMAP] mailbox_update_strategy: must be 1 or 2, got "3"`},
		{"[IMAP]\ncommand_select_allow_unseen = yes\n", `c.conf:5: [IMAP] command_select_allow_unseen: must be 0 or 1, got "yes"`},
		{"[IMAP]\nmailbox_update_strategy_2_max_iterations = -2\n", `c.conf:5: [IMAP] mailbox_update_strategy_2_max_iterations: must be -1 or more, got "-2"`},
		{"[IMAP]\nmailbox_sync_batch_size = 0\n", `c.conf:5: [IMAP] mailbox_sync_batch_size: must be greater than 0, got "0"`},
		{"[POP]\nlogin_disabled = 1\n", `c.conf:5: [POP] login_disabled: must be "yes" or "no", got "1"`},
		{"[DELIVERY]\nAUTO_NOTIFY = off\n", `c.conf:5: [DELIVERY] AUTO_NOTIFY: must be "yes" or "no", got "off"`},
		{"[DELIVERY]\nquota_failure = medium\n", `c.conf:5: [DELIVERY] quota_failure: must be "hard" or "soft", got "medium"`},
		{"[DELIVERY]\nSIEVE = on\n", `c.conf:5: [DELIVERY] SIEVE: must be "yes" or "no", got "on"`},
		{"[IMAP]\nmax_connections = 0\n", `c.conf:5: [IMAP] max_connections: must be greater than 0, got "0"`},
		{"[IMAP]\nlogin_failure_delay = -3\n", `c.conf:5: [IMAP] login_failure_delay: must be a number of seconds (0 or more), got "-3"`},
		{"dburi = sqlite://~\n", `c.conf:4: [DBMAIL] dburi: invalid file name for the sqlite database, got "sqlite://~"`},
	}
	for _, tc := range tests {
		_, err := Parse("c.conf", []byte(head+tc.extra))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error = %v, want *Error", tc.extra, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%q: error\n%s\nwant\n%s", tc.extra, err, tc.want)
		}
	}
}

// LDAP values are checked only when authdriver = ldap.
func TestLDAPValidatedOnlyWhenUsed(t *testing.T) {
	t.Parallel()
	body := "[LDAP]\nVERSION = 4\n"
	if _, err := Parse("c.conf", []byte(head+body)); err != nil {
		t.Errorf("with authdriver = sql: %v", err)
	}
	ldap := strings.Replace(head, "authdriver = sql", "authdriver = ldap", 1)
	_, err := Parse("c.conf", []byte(ldap+body))
	want := `c.conf:5: [LDAP] VERSION: must be 2 or 3, got "4"`
	if err == nil || err.Error() != want {
		t.Errorf("with authdriver = ldap: %v, want %s", err, want)
	}
}

// All problems are reported at once, in file order, each once even when a
// [DBMAIL] value is read by every service.
func TestAllErrorsReported(t *testing.T) {
	t.Parallel()
	_, err := Parse("c.conf", []byte("[DBMAIL]\ndburi = sqlite:///a\nbacklog = -1\n[IMAP]\ntimeout = 1\n"))
	want := strings.Join([]string{
		`c.conf: [DBMAIL] authdriver: required key is missing; set "sql" or "ldap"`,
		`c.conf:3: [DBMAIL] backlog: must be greater than 0, got "-1"`,
		`c.conf:5: [IMAP] timeout: must be greater than 30, got "1"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestMissingDatabaseSettings(t *testing.T) {
	t.Parallel()
	_, err := Parse("c.conf", []byte("[DBMAIL]\nauthdriver = sql\ndriver = mysql\nhost = db\n"))
	want := "c.conf: [DBMAIL] db: dburi is absent, so the deprecated key db is required\n" +
		"c.conf: [DBMAIL] user: dburi is absent, so the deprecated key user is required"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	_, err = Parse("c.conf", []byte("[DBMAIL]\nauthdriver = sql\ndriver = oracle\nhost = h\ndb = d\nuser = u\n"))
	want = `c.conf:3: [DBMAIL] driver: Oracle is not supported by dbmail-go; use sqlite, mysql or postgresql, got "oracle"`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}
