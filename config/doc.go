// Package config reads dbmail.conf exactly as DBMail 3.x reads it
// (spec 5.1–5.10) and turns it into typed, validated settings.
//
// The file is a GLib key file: "[SECTION]" headers, "key = value" lines and
// "#" comment lines. A value is cut at its first "#", trimmed and limited to
// 1023 bytes. A key K asked for service S is looked up in [S] as written,
// upper-cased and lower-cased, then the same three ways in [DBMAIL], so any
// per-service key may be given once in [DBMAIL] as the default for every
// daemon (spec 5.1).
//
// Load reads (and, when missing, creates) a file and returns a *Config whose
// typed fields (DBMail, IMAP, POP, LMTP, SIEVE, HTTP, Delivery, LDAP) carry
// DBMail's defaults for anything unset. Bad values are errors of type
// *Error naming file, line, section and key; unknown keys only produce
// entries in Config.Warnings. A Config is immutable after Parse and holds no
// global state, so several may be loaded side by side (SIGHUP reload, tests).
package config
