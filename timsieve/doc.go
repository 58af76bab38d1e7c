// Package timsieve is the ManageSieve protocol (RFC 5804) of
// dbmail-timsieved / dbmail-sieved (spec 6.5): a push parser for commands
// with quoted strings and {n+}/{n} literals, and a session that manages the
// rows of dbmail_sievescripts exactly as DBMail stores them (spec 1.4),
// validating scripts with the sieve package.
//
// Implemented (RFC 5804 section): greeting and CAPABILITY (§1.7, §2.4),
// AUTHENTICATE PLAIN and LOGIN with optional initial response (§2.1),
// STARTTLS (§2.2), LOGOUT (§2.3), HAVESPACE (§2.5), PUTSCRIPT (§2.6),
// LISTSCRIPTS (§2.7), SETACTIVE (§2.8), GETSCRIPT (§2.9), DELETESCRIPT
// (§2.10), RENAMESCRIPT (§2.11), CHECKSCRIPT (§2.12), NOOP (§2.13),
// UNAUTHENTICATE (§2.14.1). Response codes (§1.3): NONEXISTENT, ACTIVE,
// ALREADYEXISTS, QUOTA/MAXSIZE, TRYLATER, TAG, ENCRYPT-NEEDED (plain-text
// authentication is refused while STARTTLS is available, spec 9.1 item 5,
// unless Protocol.AllowPlaintextAuth).
//
// Fixed DBMail quirks (spec 9.5 item 26): HAVESPACE and PUTSCRIPT check
// maxsieve_size; DELETESCRIPT refuses the active script; STARTTLS is
// advertised only when TLS is configured. The DBMail default port stays
// 4090 ([SIEVE] port); 4190 is the IANA-assigned ManageSieve port (RFC
// 5804 §1.8), which the shipped dbmail.conf sets.
package timsieve
