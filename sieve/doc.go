// Package sieve implements the Sieve mail filtering language (RFC 5228)
// with the extensions DBMail's delivery needs: a lexer and parser with
// exact error positions, a compile step that validates a script once, and
// an interpreter that runs the compiled form against a message through the
// Env interface the delivery code implements.
//
// Supported extensions (see Extensions): body (RFC 5173),
// comparator-i;ascii-numeric (RFC 4790 §9.1), copy (RFC 3894), date and
// index (RFC 5260), duplicate (RFC 7352), encoded-character (RFC 5228
// §2.4.2.4), envelope, fileinto, ereject and reject (RFC 5429), imap4flags
// (RFC 5232), include (RFC 6609), mailbox (RFC 5490), regex
// (draft-ietf-sieve-regex-01), relational (RFC 5231), subaddress (RFC
// 5233), vacation (RFC 5230), vacation-seconds (RFC 6131) and variables
// (RFC 5229); enotify (RFC 5435, mailto only) when Options.Notify is set.
//
// The engine never does I/O itself: message data, mailbox lookups,
// duplicate tracking and included scripts come from Env, and the outcome is
// a Result listing the actions for the caller to perform.
package sieve
