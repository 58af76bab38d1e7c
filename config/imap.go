package config

import (
	"strconv"
	"time"
)

// IMAP is the [IMAP] section: the common service keys plus spec 5.4.
type IMAP struct {
	Service

	// Capability replaces the built-in capability list when non-nil
	// (space-separated in the file); the pre-/post-login filtering of spec
	// 6.2 still applies.
	Capability    []string
	LoginDisabled bool          // default true; only "no" disables (effective with TLS only)
	EnableCramMD5 bool          // default true; only "no" disables
	IdleTimeout   time.Duration // seconds between mailbox checks in IDLE, default 30
	IdleInterval  int           // "* OK Still here" every N checks, 1–999, default 10
	// MaxMessageSize is the largest APPEND literal in octets; 0 = unlimited.
	MaxMessageSize uint64

	MailboxUpdateStrategy               int  // 1 full reload (default), 2 differential
	MailboxUpdateStrategy2MaxIterations int  // full reload after N differential ones, -1 never; default 300
	MailboxSearchStrategy               int  // 1 all in SQL (default), 2 partly from session state
	CommandSelectAllowUnseen            bool // default true; false omits * OK [UNSEEN n]
	CommandStoreFlagsSilentIgnoreSilent bool // default false; true answers .SILENT stores with FETCH
	MailboxUpdateSeqStrategy            int  // 1 (default) or 2 (spec 2.15)
	MailboxSyncDeleted                  int  // 1 (default) or 2: sync \Deleted into status on load
	MailboxSyncBatchSize                int  // rows per load with MailboxSyncDeleted = 2, default 64
}

func (r *reader) readIMAP() IMAP {
	const S = SectionIMAP
	m := IMAP{
		Service:                             r.readService(S),
		LoginDisabled:                       r.yesNo(S, "login_disabled", true, false),
		EnableCramMD5:                       r.yesNo(S, "enable_cram_md5", true, false),
		IdleInterval:                        r.between(S, "idle_interval", 10, 1, 999),
		MailboxUpdateStrategy:               r.oneOf(S, "mailbox_update_strategy", 1, 1, 2),
		MailboxUpdateStrategy2MaxIterations: r.integer(S, "mailbox_update_strategy_2_max_iterations", 300, func(n int) bool { return n >= -1 }, "-1 or more"),
		MailboxSearchStrategy:               r.oneOf(S, "mailbox_search_strategy", 1, 1, 2),
		CommandSelectAllowUnseen:            r.oneOf(S, "command_select_allow_unseen", 1, 0, 1) == 1,
		CommandStoreFlagsSilentIgnoreSilent: r.oneOf(S, "command_store_flags_silent_ignore_silent", 0, 0, 1) == 1,
		MailboxUpdateSeqStrategy:            r.oneOf(S, "mailbox_update_seq_strategy", 1, 1, 2),
		MailboxSyncDeleted:                  r.oneOf(S, "mailbox_sync_deleted", 1, 1, 2),
		MailboxSyncBatchSize:                r.greater(S, "mailbox_sync_batch_size", 64, 0),
	}
	if s := r.get(S, "capability"); s.set() {
		m.Capability = splitList(s.text, " \t")
	}
	// idle_timeout: a value of 0 or less means the default 30 (spec 5.4).
	idle := r.integer(S, "idle_timeout", 30, nil, "a number of seconds")
	if idle <= 0 {
		idle = 30
	}
	m.IdleTimeout = time.Duration(idle) * time.Second
	m.MaxMessageSize = r.readMaxMessageSize()
	return m
}

// readMaxMessageSize reads strtoull(…, 0) syntax: decimal, 0-prefixed octal
// or 0x-prefixed hex.
func (r *reader) readMaxMessageSize() uint64 {
	s := r.get(SectionIMAP, "max_message_size")
	if !s.set() {
		return 0
	}
	var (
		n   uint64
		err error
	)
	switch t := s.text; {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		n, err = strconv.ParseUint(t[2:], 16, 64)
	case len(t) > 1 && t[0] == '0':
		n, err = strconv.ParseUint(t[1:], 8, 64)
	default:
		n, err = strconv.ParseUint(t, 10, 64)
	}
	if err != nil {
		r.fail(s, "must be a size in octets: decimal, 0-prefixed octal or 0x-prefixed hex")
		return 0
	}
	return n
}

// POP is the [POP] section: the common keys plus spec 5.5.
type POP struct {
	Service
	// LoginDisabled, when TLS is configured, refuses USER/PASS before STLS.
	// Default false.
	LoginDisabled bool
}

func (r *reader) readPOP() POP {
	p := POP{Service: r.readService(SectionPOP)}
	p.LoginDisabled = r.yesNo(SectionPOP, "login_disabled", false, false)
	if p.Banner == "" {
		p.Banner = "DBMAIL pop3 server ready to rock"
	}
	return p
}

// HTTP is the [HTTP] section: the common keys plus spec 5.7.
type HTTP struct {
	Service
	Admin string // "user:password" accepted as a master account; "" none
	Realm string // Basic realm, default "DBMail HTTP Access"
}

func (r *reader) readHTTP() HTTP {
	return HTTP{
		Service: r.readService(SectionHTTP),
		Admin:   r.str(SectionHTTP, "admin", ""),
		Realm:   r.str(SectionHTTP, "realm", "DBMail HTTP Access"),
	}
}
