// Package password checks and writes the password encodings of DBMail's
// dbmail_users table (spec 4.1-4.3, 7.1) and the challenge-response digests
// of IMAP CRAM-MD5 (RFC 2195, spec 6.2) and POP3 APOP (RFC 1939 §7, spec
// 6.3).
//
// Verify accepts every encryption_type DBMail 3.x accepts, with DBMail's
// comparison quirks kept where existing data depends on them, and compares
// in constant time. Encode writes new values in the same encodings, so that
// DBMail can still verify them. The hash algorithms live in subpackages:
// tiger, whirlpool and unixcrypt (crypt(3)).
package password
