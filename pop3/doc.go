// Package pop3 is dbmail-pop3d's protocol: a server.Protocol whose
// sessions serve the user's INBOX as a POP3 maildrop (spec 6.3 of the
// DBMail compatibility contract).
//
// # Implemented
//
//   - RFC 1939: USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT,
//     TOP, UIDL; the AUTHORIZATION, TRANSACTION and UPDATE states; the
//     exclusive maildrop lock (§8); and RFC 1725 LAST, which DBMail keeps.
//   - RFC 2449: CAPA with TOP, USER, SASL, STLS, UIDL, PIPELINING,
//     RESP-CODES, AUTH-RESP-CODE (RFC 3206), EXPIRE NEVER, IMPLEMENTATION;
//     response codes [IN-USE], [LOGIN-DELAY], [SYS/TEMP], [SYS/PERM], [AUTH].
//   - RFC 5034 AUTH with PLAIN (RFC 4616, initial response allowed), LOGIN,
//     and CRAM-MD5 (RFC 2195) for plain-text stored passwords.
//   - RFC 2595 STLS on the plain port; implicit TLS on tls_port is the
//     server core's. Input pipelined behind STLS is discarded.
//
// Files: parser.go (push line reader, command split; fuzzed),
// commands.go (per-state dispatch table), session.go (state machine),
// auth.go and sasl.go (logins), capa.go, transaction.go (STAT, LIST,
// UIDL, DELE, NOOP, RSET, LAST, QUIT), retr.go (RETR, TOP), stream.go
// (SQL to socket), readahead.go (small-message read-ahead),
// dotstuff.go (multi-line framing, TOP limiter),
// maildrop.go (the session's snapshot), lock.go (lease upkeep).
//
// # DBMail semantics kept
//
// Greeting, CAPA heading, the USER/PASS/UIDL/DELE/QUIT texts and the
// database-down and timeout texts are DBMail's. The maildrop is the INBOX
// (created if missing): rows with status < 2 in UID order; UIDL is
// messages.unique_id. QUIT gives retrieved messages status 1 and deleted
// ones status 2 and rebuilds the user's quota, in one transaction. A
// session that ends without QUIT changes nothing.
//
// # Deliberate differences from DBMail (spec 9.5 item 27 and 6.3)
//
//   - LIST and STAT announce the octets RETR sends: physmessage.rfcsize,
//     the length of the CRLF wire form (the store guarantees it; a row
//     with rfcsize 0 is measured once at login), not messagesize. Sizes
//     exclude dot-stuffing, as RFC 1939 intends. A message whose text does
//     not end in a line break gets one CRLF before the terminating ".",
//     two bytes beyond its announced size.
//   - No extra empty line after a message that ends with CRLF.
//   - CAPA advertises SASL, PIPELINING, RESP-CODES, AUTH-RESP-CODE and
//     IMPLEMENTATION, and AUTH works; failed logins answer
//     "-ERR [AUTH] username/password incorrect".
//   - "-ERR no such message" instead of "-ERR [n] no such message": with
//     RESP-CODES advertised a bracket after -ERR is a response code.
//   - Three consecutive bad commands end the session (DBMail counted all).
//   - The maildrop is locked: a second session gets -ERR [IN-USE].
//   - RETR and TOP stream from SQL: TOP stops reading after the lines it
//     needs instead of rebuilding the whole message.
//   - APOP and CRAM-MD5 compare whole digests in constant time.
//
// # Maildrop lock
//
// A row in {pop3_locks} (db/pop3_lock.go) with a random token and a lease
// in database-clock seconds, default 60 s: it works across processes and
// hosts sharing the database and on all three backends. The session
// renews the lease every third of it (a timer wakes the idle connection;
// a long RETR renews between chunks), deletes the row at QUIT inside the
// UPDATE transaction, and at any other end of the session. A crashed
// daemon's rows expire after one lease. A session that lost its lock (it
// stalled past the lease and another session took it) applies no UPDATE.
//
// # Streaming and memory
//
// Clients retrieve in order, so RETR (or TOP) of a message of at most
// 64 KiB reads it and the following small messages ahead, up to 256 KiB
// and 32 messages, in two queries (layout, then data by part id); a
// message leaves the window when sent. Bigger messages are streamed: RETR
// runs one worker-pool job that returns the message's part layout
// with the data of parts up to 256 KiB (at most 1 MiB in all); remaining
// small parts are fetched in batches, and big parts in chunks
// (db.POP3ChunkSize: 256 KiB, 192 KiB on MySQL) read without driver-side
// copies (on SQLite with incremental blob reads, which touch only the
// chunk's pages). Bytes go through the Rebuilder (spec 2.5), a CRLF
// converter and the dot-stuffer into the connection's bounded output
// buffer; no worker connection is held while the client reads. Messages
// stored by message.Parse hold no body row over 500 KiB (a big attachment
// is consecutive body rows), so each read is bounded on every backend. A
// 25 MB RETR grows the daemon's RSS by at most 4 MB on SQLite, PostgreSQL
// and MariaDB (asserted by cmd/dbmail-pop3d TestDaemon).
package pop3
