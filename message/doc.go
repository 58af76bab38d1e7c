// Package message turns a delivered message into DBMail's storage rows and
// back (spec 2.2–2.11 of the DBMail compatibility contract), and computes the
// caches DBMail keeps beside them: header fields, the IMAP ENVELOPE and the
// References list.
//
// # Forms of one message
//
//   - original: the bytes as received, after a leading mbox "From " line
//     (or a leading line starting with a space, spec 2.2 step 1) was removed.
//     Its length is Message.MessageSize (physmessage.messagesize).
//   - stored: what the rows rebuild to with FormStored. When every line of
//     the original ends in CRLF it is the original with CRLF turned into LF
//     (spec 2.3: stored text uses LF); when no line ends in CRLF, or the
//     endings are mixed, it is the original unchanged. Its length is
//     Message.StoredSize.
//   - wire: the stored form with every LF not preceded by CR turned into
//     CRLF (FormCRLF), what IMAP and POP3 send. Its length is
//     Message.RFCSize (physmessage.rfcsize).
//
// # Serving and recovering
//
// IMAP (BODY[], RFC822) and POP3 (RETR, TOP) always send FormCRLF; its
// length is RFCSize. A reader that needs the original bytes themselves
// (export, re-delivery) gets them back exactly, for rows written by this
// package, with this rule:
//
//	if messagesize == rfcsize { rebuild with FormCRLF } else { rebuild with FormStored }
//
// It holds for every input: pure CRLF input is stored as LF and its wire form
// is the original (equal sizes); pure LF input, and mixed input, is stored
// unchanged, and its wire form is longer than the original unless the text
// has no bare LF at all, in which case both forms equal the original.
//
// # Layouts
//
// Parse writes the rows in DBMail's structured layout (spec 2.3) so that
// DBMail can read them after a switch back and parts deduplicate across
// messages. It then verifies that the rows rebuild (spec 2.5) to the stored
// form byte for byte; when they do not (mixed line endings, transport
// padding, a missing close delimiter, a Content-Type DBMail would not find,
// nesting deeper than Options.MaxDepth, multipart/digest quirks and any other
// malformed MIME), it stores the flat layout instead: one header row and one
// body row joined at the blank line, or a single body row when the text has
// no line break.
//
// In both layouts a body text (leaf body, prologue, epilogue, flat body)
// longer than Options.MaxRowSize (DefaultMaxRowSize, 500 KiB) is cut into
// consecutive body rows, preferably after a line end: same part_key and
// part_depth, part_order counting on (a multipart epilogue's order then
// continues after its last child's rows, as spec 2.3 numbers it). Spec
// 2.5 appends consecutive body rows with nothing in between, so DBMail
// and the Rebuilder read the text unchanged. A big flat message whose
// header has a boundary parameter is stored as body rows only (the reader
// would close that boundary after more than two rows). Header blocks are
// never cut.
//
// # Writing rows
//
// Insert Message.Parts in slice order; each Part is one dbmail_partlists
// row (part_key, part_depth, part_order, is_header) pointing at the
// dbmail_mimeparts row holding Data (hash and dedup per spec 2.4, which is
// the data layer's job). Read them back ordered by part_key, part_order,
// part_depth DESC into a Rebuilder, one Row at a time; a reader that
// fetches a big body row in slices passes the first slice to Row and the
// rest to Append.
//
// # Big messages: the spool
//
// A daemon receives a message bigger than SpoolThreshold (1 MiB; an IMAP
// APPEND literal, LMTP DATA) into a Spool, an unlinked temporary file in
// os.TempDir() ($TMPDIR), instead of memory. ParseSpool gives the same
// rows, sizes and caches as Parse of the same bytes (TestParseSpool*),
// reading the file in 64 KiB slices: it converts a CRLF message into a
// second spool file (the stored form), scans and splits it through the
// same code as Parse (a text read through a window instead of a []byte),
// keeps header blocks in memory and leaves every body row in the file
// (Part.Src, Off, Size; Part.Load reads it). The data layer reads each
// row just before it hashes or inserts it, so parsing and storing a
// message holds a few buffers of at most MaxRowSize whatever its size.
// Header blocks are held whole: a message that is (almost) all header
// costs its header size. The message must not be used after its spool is
// closed.
//
// # Deliberate differences from DBMail
//
//   - A leaf part whose body is empty after its blank line gets a size-0
//     body row (DBMail writes none and loses the blank line on rebuild).
//   - Rows are verified and stored flat when DBMail's reader would not
//     rebuild them exactly; DBMail reads flat rows correctly too.
//   - NUL bytes are stored (spec 2.4); DBMail's reader still stops at them.
//   - A body text over 500 KiB is several consecutive body rows where
//     DBMail writes one (DBMail reads them the same, spec 2.5).
//   - Envelope carries the raw header text (RFC 3501 §7.4.2), correctly
//     quoted, where DBMail puts the decoded Subject unescaped in quotes
//     (spec 2.10, 9.3 item 17).
//   - The Rebuilder finds Content-Type in any case and spacing, folded or
//     not, and does not truncate boundaries (spec 2.5 SHOULD).
//
// # IMAP structure
//
// ParseStructure reads the wire form into a tree of Nodes with byte ranges
// for BODY[section] (Section, ParseSection, Locate, Extract, HeaderFields)
// and renders BODY/BODYSTRUCTURE (RFC 3501 §7.4.2) with correct nesting for
// multipart and message/rfc822, unlike DBMail (spec 9.4). A
// StructureScanner builds the same tree from the wire form written to it
// in pieces, keeping only the entities' header sections, so the tree of a
// big message costs a streamed pass instead of the message in memory.
package message
