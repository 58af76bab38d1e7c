package config

import (
	"fmt"
	"sort"
)

// knownKeys maps each section DBMail reads to the keys read from it.
// [DBMAIL] is the fallback of every lookup, so it takes every key.
func knownKeys() map[string]map[string]bool {
	// Keys by the section they are read from. Names are lower case; a key in
	// the file matches when written exactly like this or all upper case, the
	// only spellings DBMail's lookup finds (spec 5.1).
	loggingKeys := []string{
		"logfile", "errorlog", "file_logging_levels", "syslog_logging_levels",
		"trace_level", "trace_syslog", "trace_stderr",
	}
	serviceKeys := append([]string{
		"bindip", "port", "tls_port", "socket", "backlog", "timeout", "login_timeout",
		"resolve_ip", "authlog", "effective_user", "effective_group",
		"tls_cafile", "tls_cert", "tls_key", "tls_ciphers", "reuseport",
		"max_db_connections", "pid_directory", "banner",
		// dbmail-go additions
		"state_socket", "max_line_length", "max_connections", "max_connections_per_ip",
		"max_login_failures", "login_failure_delay", "pipeline_depth", "max_literal_size",
	}, loggingKeys...)
	imapKeys := []string{
		"imap_before_smtp", "capability", "login_disabled", "enable_cram_md5",
		"idle_timeout", "idle_interval", "max_message_size",
		"mailbox_update_strategy", "mailbox_update_strategy_2_max_iterations",
		"mailbox_search_strategy", "command_select_allow_unseen",
		"command_store_flags_silent_ignore_silent", "mailbox_update_seq_strategy",
		"mailbox_sync_deleted", "mailbox_sync_batch_size",
	}
	popKeys := []string{"pop_before_smtp", "login_disabled"}
	lmtpKeys := []string{"lmtp_before_smtp"}
	sieveKeys := []string{"sieve_before_smtp"}
	httpKeys := []string{"http_before_smtp", "admin", "realm"}
	dbmailKeys := []string{
		"dburi", "driver", "host", "db", "user", "pass", "sqlport", "sqlsocket",
		"authdriver", "sortdriver", "serverid", "table_prefix", "encoding",
		"default_msg_encoding", "allow_invalid_messages", "postmaster",
		"smtp_host", "smtp_user", "smtp_password", "sendmail", "hash_algorithm",
		"header_cache_readonly", "message_part_hash", "security_action",
		"query_time_info", "query_time_notice", "query_time_warning",
		"query_timeout", "connection_pool_timeout", "library_directory",
		// dbmail-go additions
		"query_cache", "query_cache_size", "memcached_servers",
	}
	deliveryKeys := []string{
		"sieve", "subaddress", "sieve_vacation", "sieve_notify", "sieve_debug",
		"auto_notify", "auto_reply", "auto_notify_subject", "auto_notify_sender",
		"suppress_duplicates", "quota_failure",
	}
	ldapKeys := []string{
		"uri", "hostname", "port", "version", "base_dn", "bind_dn", "bind_pw",
		"scope", "referrals", "query_timeout", "user_objectclass",
		"forw_objectclass", "cn_string", "field_passwd", "field_uid", "field_nid",
		"min_nid", "max_nid", "field_cid", "min_cid", "max_cid", "field_mail",
		"field_quota", "field_fwdtarget", "query_string",
	}
	// obsoleteKeys are 2.x settings that old files still carry; DBMail 3
	// ignores them silently and so do we (spec 8.1).
	obsoleteKeys := []string{"nchildren", "maxchildren", "minsparechildren", "maxsparechildren", "maxconnects"}

	set := func(lists ...[]string) map[string]bool {
		m := map[string]bool{}
		for _, l := range lists {
			for _, k := range l {
				m[k] = true
			}
		}
		return m
	}
	return map[string]map[string]bool{
		SectionDBMail: set(dbmailKeys, serviceKeys, imapKeys, popKeys, lmtpKeys, sieveKeys,
			httpKeys, deliveryKeys, ldapKeys, obsoleteKeys),
		SectionIMAP:     set(serviceKeys, imapKeys, obsoleteKeys),
		SectionPOP:      set(serviceKeys, popKeys, obsoleteKeys),
		SectionLMTP:     set(serviceKeys, lmtpKeys, obsoleteKeys),
		SectionSieve:    set(serviceKeys, sieveKeys, obsoleteKeys),
		SectionHTTP:     set(serviceKeys, httpKeys, obsoleteKeys),
		SectionDelivery: set(deliveryKeys, loggingKeys),
		SectionLDAP:     set(ldapKeys),
		SectionUsers:    set(loggingKeys),
		SectionUtil:     set(loggingKeys),
		SectionExport:   set(loggingKeys),
		SectionSievecmd: set(loggingKeys),
	}
}

// unknownKeys lists sections and keys no program reads.
func unknownKeys(kf *keyFile) []warning {
	known := knownKeys()
	var out []warning
	names := append([]string(nil), kf.order...)
	sort.SliceStable(names, func(i, j int) bool { return kf.sections[names[i]].line < kf.sections[names[j]].line })
	for _, name := range names {
		sec := kf.sections[name]
		keys, ok := known[name]
		if !ok {
			out = append(out, warning{sec.line, fmt.Sprintf("%s:%d: [%s]: unknown section, not read", kf.path, sec.line, name)})
			continue
		}
		for _, k := range sec.order {
			e := sec.entries[k]
			lower := asciiLower(k)
			switch {
			case !keys[lower]:
				out = append(out, warning{e.line, fmt.Sprintf("%s:%d: [%s] %s: unknown key, not read", kf.path, e.line, name, k)})
			case k != lower && k != asciiUpper(k):
				out = append(out, warning{e.line, fmt.Sprintf("%s:%d: [%s] %s: never read: keys are found only when written all lower case or all upper case", kf.path, e.line, name, k)})
			}
		}
	}
	return out
}
