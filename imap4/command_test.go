package imap4

import (
	"reflect"
	"testing"
	"time"
)

func set(rs ...SeqRange) SeqSet { return SeqSet{Ranges: rs} }
func rg(a, b uint32) SeqRange   { return SeqRange{Start: a, Stop: b} }
func one(a uint32) SeqRange     { return SeqRange{Start: a, Stop: a} }

func zone(h, m int) *time.Location {
	off := (h*60 + m) * 60
	if h < 0 {
		off = (h*60 - m) * 60
	}
	return time.FixedZone("", off)
}

func fk(k FetchKind) FetchItem { return FetchItem{Kind: k} }

// commandCases are RFC examples and DBMail usage, each one complete
// command; the transcript test feeds every one with several splits.
var commandCases = []struct {
	name  string
	input string
	want  *Command
}{
	{"capability", "a001 CAPABILITY\r\n", &Command{Tag: "a001", Name: "CAPABILITY"}},
	{"noop lower case", "a002 noop\r\n", &Command{Tag: "a002", Name: "NOOP"}},
	{"logout", "A023 LOGOUT\r\n", &Command{Tag: "A023", Name: "LOGOUT"}},
	{"starttls", "a STARTTLS\r\n", &Command{Tag: "a", Name: "STARTTLS"}},
	{"namespace", "A001 NAMESPACE\r\n", &Command{Tag: "A001", Name: "NAMESPACE"}},
	{"idle", "a IDLE\r\n", &Command{Tag: "a", Name: "IDLE"}},
	{"bare LF", "a NOOP\n", &Command{Tag: "a", Name: "NOOP"}},
	{"login atoms", "a001 LOGIN SMITH SESAME\r\n", &Command{Tag: "a001", Name: "LOGIN", Args: &LoginArgs{"SMITH", "SESAME"}}},
	{"login quoted escapes", `a LOGIN "fr\"ed" "p\\w d"` + "\r\n", &Command{Tag: "a", Name: "LOGIN", Args: &LoginArgs{`fr"ed`, `p\w d`}}},
	{"login literals", "a LOGIN {4}\r\nfred {6+}\r\nse cr}\r\n", &Command{Tag: "a", Name: "LOGIN", Args: &LoginArgs{"fred", "se cr}"}}},
	{"login empty literal", "a LOGIN {0}\r\n {0+}\r\n\r\n", &Command{Tag: "a", Name: "LOGIN", Args: &LoginArgs{"", ""}}},
	{"authenticate", "A001 AUTHENTICATE GSSAPI\r\n", &Command{Tag: "A001", Name: "AUTHENTICATE", Args: &AuthenticateArgs{Mechanism: "GSSAPI"}}},
	{"authenticate sasl-ir", "a AUTHENTICATE plain AGZyZWQAdGVzdA==\r\n", &Command{Tag: "a", Name: "AUTHENTICATE", Args: &AuthenticateArgs{Mechanism: "PLAIN", InitialResponse: []byte("\x00fred\x00test"), HasInitialResponse: true}}},
	{"authenticate empty ir", "a AUTHENTICATE PLAIN =\r\n", &Command{Tag: "a", Name: "AUTHENTICATE", Args: &AuthenticateArgs{Mechanism: "PLAIN", InitialResponse: []byte{}, HasInitialResponse: true}}},
	{"id", `a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)` + "\r\n", &Command{Tag: "a023", Name: "ID", Args: &IDArgs{Params: []IDParam{{"name", "sodr", false}, {"version", "19.34", false}, {"vendor", "", true}}}}},
	{"id nil", "a ID NIL\r\n", &Command{Tag: "a", Name: "ID", Args: &IDArgs{}}},
	{"id empty list", "a ID ()\r\n", &Command{Tag: "a", Name: "ID", Args: &IDArgs{Params: []IDParam{}}}},
	{"enable", "t2 ENABLE CONDSTORE qresync\r\n", &Command{Tag: "t2", Name: "ENABLE", Args: &EnableArgs{[]string{"CONDSTORE", "QRESYNC"}}}},
	{"select", "A142 SELECT INBOX\r\n", &Command{Tag: "A142", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX"}}},
	{"select inbox any case", "a SELECT iNbOx\r\n", &Command{Tag: "a", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX"}}},
	{"select inbox child", "a SELECT \"inbox/Sub\"\r\n", &Command{Tag: "a", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX/Sub"}}},
	{"select inboxes is not inbox", "a SELECT inboxes\r\n", &Command{Tag: "a", Name: "SELECT", Args: &SelectArgs{Mailbox: "inboxes"}}},
	{"select mutf7", "a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n", &Command{Tag: "a", Name: "SELECT", Args: &SelectArgs{Mailbox: "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}}},
	{"select condstore", "A142 SELECT INBOX (CONDSTORE)\r\n", &Command{Tag: "A142", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX", CondStore: true}}},
	{"select qresync", "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
		&Command{Tag: "A02", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX", QResync: &QResyncParams{UIDValidity: 67890007, ModSeq: 20050715194045000, KnownUIDs: set(one(41), rg(43, 211), rg(214, 541)), HasKnownUIDs: true}}}},
	{"select qresync seq match", "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))\r\n",
		&Command{Tag: "B04", Name: "SELECT", Args: &SelectArgs{Mailbox: "INBOX", QResync: &QResyncParams{UIDValidity: 67890007, ModSeq: 90060115194045000, KnownUIDs: set(rg(1, 29997)), HasKnownUIDs: true,
			SeqMatch: &SeqMatch{Seqs: set(one(5000), one(7500)), UIDs: set(one(15000), one(22500))}}}}},
	{"select qresync minimal", "a EXAMINE INBOX (QRESYNC (1 0) CONDSTORE)\r\n", &Command{Tag: "a", Name: "EXAMINE", Args: &SelectArgs{Mailbox: "INBOX", CondStore: true, QResync: &QResyncParams{UIDValidity: 1}}}},
	{"examine", "A932 EXAMINE blurdybloop\r\n", &Command{Tag: "A932", Name: "EXAMINE", Args: &SelectArgs{Mailbox: "blurdybloop"}}},
	{"create", "A003 CREATE owatagusiam/\r\n", &Command{Tag: "A003", Name: "CREATE", Args: &CreateArgs{Mailbox: "owatagusiam/"}}},
	{"create use", `t1 CREATE MySpecialUseTrash (USE (\Trash))` + "\r\n", &Command{Tag: "t1", Name: "CREATE", Args: &CreateArgs{Mailbox: "MySpecialUseTrash", SpecialUse: []string{`\Trash`}}}},
	{"delete", "A683 DELETE blurdybloop\r\n", &Command{Tag: "A683", Name: "DELETE", Args: &MailboxArgs{"blurdybloop"}}},
	{"rename", "A683 RENAME blurdybloop sarasoop\r\n", &Command{Tag: "A683", Name: "RENAME", Args: &RenameArgs{"blurdybloop", "sarasoop"}}},
	{"subscribe", "A002 SUBSCRIBE #news.comp.mail.mime\r\n", &Command{Tag: "A002", Name: "SUBSCRIBE", Args: &MailboxArgs{"#news.comp.mail.mime"}}},
	{"unsubscribe", "A002 UNSUBSCRIBE \"#news.comp.mail.mime\"\r\n", &Command{Tag: "A002", Name: "UNSUBSCRIBE", Args: &MailboxArgs{"#news.comp.mail.mime"}}},
	{"list empty", `A101 LIST "" ""` + "\r\n", &Command{Tag: "A101", Name: "LIST", Args: &ListArgs{Reference: "", Patterns: []string{""}}}},
	{"list wildcard atoms", "A202 LIST ~/Mail/ %\r\n", &Command{Tag: "A202", Name: "LIST", Args: &ListArgs{Reference: "~/Mail/", Patterns: []string{"%"}}}},
	{"list star", "a LIST \"\" INBOX/*\r\n", &Command{Tag: "a", Name: "LIST", Args: &ListArgs{Reference: "", Patterns: []string{"INBOX/*"}}}},
	{"list extended", `A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("%" "Other/*") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))` + "\r\n",
		&Command{Tag: "A02", Name: "LIST", Args: &ListArgs{Reference: "", Patterns: []string{"%", "Other/*"}, Extended: true,
			SelectOpts: []string{"SUBSCRIBED", "RECURSIVEMATCH"}, ReturnOpts: []string{"CHILDREN", "STATUS"}, ReturnStatus: []string{"MESSAGES", "UNSEEN"}}}},
	{"list empty selection", `A03 LIST () "" % RETURN ()` + "\r\n", &Command{Tag: "A03", Name: "LIST", Args: &ListArgs{Reference: "", Patterns: []string{"%"}, Extended: true, SelectOpts: []string{}, ReturnOpts: []string{}}}},
	{"lsub", `A002 LSUB "#news." "comp.mail.*"` + "\r\n", &Command{Tag: "A002", Name: "LSUB", Args: &ListArgs{LSUB: true, Reference: "#news.", Patterns: []string{"comp.mail.*"}}}},
	{"status", "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n", &Command{Tag: "A042", Name: "STATUS", Args: &StatusArgs{"blurdybloop", []string{"UIDNEXT", "MESSAGES"}}}},
	{"status modseq size", "a status inbox (highestmodseq SIZE)\r\n", &Command{Tag: "a", Name: "STATUS", Args: &StatusArgs{"INBOX", []string{"HIGHESTMODSEQ", "SIZE"}}}},
	{"append", "A003 APPEND saved-messages (\\Seen) {5}\r\nhello\r\n",
		&Command{Tag: "A003", Name: "APPEND", Args: &AppendArgs{Mailbox: "saved-messages", Messages: []AppendMessage{{Flags: []string{`\Seen`}, Size: 5, Streamed: true}}}}},
	{"append date", "A003 APPEND INBOX (\\Seen $Junk) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc\r\n",
		&Command{Tag: "A003", Name: "APPEND", Args: &AppendArgs{Mailbox: "INBOX", Messages: []AppendMessage{{Flags: []string{`\Seen`, "$Junk"}, Date: time.Date(1996, 7, 17, 2, 44, 25, 0, zone(-7, 0)), HasDate: true, Size: 3, Streamed: true}}}}},
	{"multiappend", "A003 APPEND {6}\r\nDrafts () \" 7-Feb-1994 21:52:25 +0530\" {2}\r\nxy (\\Draft) {1+}\r\nz {0}\r\n\r\n",
		&Command{Tag: "A003", Name: "APPEND", Args: &AppendArgs{Mailbox: "Drafts", Messages: []AppendMessage{
			{Flags: []string{}, Date: time.Date(1994, 2, 7, 21, 52, 25, 0, zone(5, 30)), HasDate: true, Size: 2, Streamed: true},
			{Flags: []string{`\Draft`}, Size: 1, Streamed: true},
			{Size: 0, Streamed: true}}}}},
	{"append literal8", "a APPEND INBOX ~{3}\r\na\x00b\r\n", &Command{Tag: "a", Name: "APPEND", Args: &AppendArgs{Mailbox: "INBOX", Messages: []AppendMessage{{Size: 3, Binary: true, Streamed: true}}}}},
	{"getquotaroot", "a GETQUOTAROOT INBOX\r\n", &Command{Tag: "a", Name: "GETQUOTAROOT", Args: &MailboxArgs{"INBOX"}}},
	{"getquota", `a GETQUOTA ""` + "\r\n", &Command{Tag: "a", Name: "GETQUOTA", Args: &QuotaRootArgs{""}}},
	{"setquota", `a SETQUOTA "" (STORAGE 512 message 10)` + "\r\n", &Command{Tag: "a", Name: "SETQUOTA", Args: &SetQuotaArgs{"", []QuotaResource{{"STORAGE", 512}, {"MESSAGE", 10}}}}},
	{"setacl", "A035 SETACL INBOX/Drafts John lrQswicda\r\n", &Command{Tag: "A035", Name: "SETACL", Args: &SetACLArgs{"INBOX/Drafts", "John", "lrQswicda"}}},
	{"setacl minus", "a SETACL INBOX/foo Fred -w\r\n", &Command{Tag: "a", Name: "SETACL", Args: &SetACLArgs{"INBOX/foo", "Fred", "-w"}}},
	{"deleteacl", "A002 DELETEACL INBOX/Drafts Chris\r\n", &Command{Tag: "A002", Name: "DELETEACL", Args: &ACLIdentifierArgs{"INBOX/Drafts", "Chris"}}},
	{"getacl", "A002 GETACL INBOX/Drafts\r\n", &Command{Tag: "A002", Name: "GETACL", Args: &MailboxArgs{"INBOX/Drafts"}}},
	{"listrights", "a001 LISTRIGHTS ~/Mail/saved smith\r\n", &Command{Tag: "a001", Name: "LISTRIGHTS", Args: &ACLIdentifierArgs{"~/Mail/saved", "smith"}}},
	{"myrights", "A003 MYRIGHTS INBOX\r\n", &Command{Tag: "A003", Name: "MYRIGHTS", Args: &MailboxArgs{"INBOX"}}},
	{"check", "FXXZ CHECK\r\n", &Command{Tag: "FXXZ", Name: "CHECK"}},
	{"close", "A341 CLOSE\r\n", &Command{Tag: "A341", Name: "CLOSE"}},
	{"unselect", "a UNSELECT\r\n", &Command{Tag: "a", Name: "UNSELECT"}},
	{"expunge", "A202 EXPUNGE\r\n", &Command{Tag: "A202", Name: "EXPUNGE"}},
	{"uid expunge", "A003 UID EXPUNGE 3000:3002\r\n", &Command{Tag: "A003", Name: "EXPUNGE", UID: true, Args: &ExpungeArgs{set(rg(3000, 3002))}}},
	{"search", "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n", &Command{Tag: "A282", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
		{Kind: SearchFlag, Flag: `\Flagged`},
		{Kind: SearchSince, Date: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: SearchNot, Children: []*SearchKey{{Kind: SearchHeader, Field: "From", Text: "Smith"}}}}}}}},
	{"search charset literal", "A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n", &Command{Tag: "A284", Name: "SEARCH", Args: &SearchArgs{Charset: "UTF-8", Key: &SearchKey{Kind: SearchText, Text: "XXXXXX"}}}},
	{"search or groups new", "a SEARCH OR (SEEN FLAGGED) NEW\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchOr, Children: []*SearchKey{
		{Kind: SearchAnd, Children: []*SearchKey{{Kind: SearchFlag, Flag: `\Seen`}, {Kind: SearchFlag, Flag: `\Flagged`}}},
		{Kind: SearchAnd, Children: []*SearchKey{{Kind: SearchFlag, Flag: `\Recent`}, {Kind: SearchNotFlag, Flag: `\Seen`}}}}}}}},
	{"search return", "a SEARCH RETURN (MIN COUNT save) UNSEEN\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Return: []string{"MIN", "COUNT", "SAVE"}, HasReturn: true, Key: &SearchKey{Kind: SearchNotFlag, Flag: `\Seen`}}}},
	{"search return empty", "a SEARCH RETURN () 1:*\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Return: []string{}, HasReturn: true, Key: &SearchKey{Kind: SearchSeqSet, Set: set(rg(1, Star))}}}},
	{"uid search saved", "a UID SEARCH $ UID $\r\n", &Command{Tag: "a", Name: "SEARCH", UID: true, Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
		{Kind: SearchSeqSet, Set: SeqSet{Saved: true}}, {Kind: SearchUID, Set: SeqSet{Saved: true}}}}}}},
	{"search modseq entry", `a SEARCH MODSEQ "/flags/\\draft" all 620162338` + "\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchModSeq, EntryName: `/flags/\draft`, EntryType: "all", Number: 620162338}}}},
	{"search within", "a SEARCH YOUNGER 3600 OLDER 60\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{{Kind: SearchYounger, Number: 3600}, {Kind: SearchOlder, Number: 60}}}}}},
	{"search header size uid", "a SEARCH HEADER Message-ID <x@y> LARGER 1000 SMALLER 5000 UID 1:100,200\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
		{Kind: SearchHeader, Field: "Message-ID", Text: "<x@y>"}, {Kind: SearchLarger, Number: 1000}, {Kind: SearchSmaller, Number: 5000}, {Kind: SearchUID, Set: set(rg(1, 100), one(200))}}}}}},
	{"search keywords dates", `a SEARCH KEYWORD $Forwarded UNKEYWORD Junk ON "3-Jan-2020" SENTBEFORE 01-Mar-2021 OLD DRAFT UNDRAFT` + "\r\n", &Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
		{Kind: SearchFlag, Flag: "$Forwarded"}, {Kind: SearchNotFlag, Flag: "Junk"},
		{Kind: SearchOn, Date: time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC)}, {Kind: SearchSentBefore, Date: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Kind: SearchNotFlag, Flag: `\Recent`}, {Kind: SearchFlag, Flag: `\Draft`}, {Kind: SearchNotFlag, Flag: `\Draft`}}}}}},
	{"search all keys", "a SEARCH ALL ANSWERED DELETED RECENT UNANSWERED UNDELETED UNFLAGGED BCC b CC c TO t SUBJECT s BODY x BEFORE 1-Jan-2000 SENTON 2-Jan-2000 SENTSINCE 3-Jan-2000 2,4:*\r\n",
		&Command{Tag: "a", Name: "SEARCH", Args: &SearchArgs{Key: &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
			{Kind: SearchAll}, {Kind: SearchFlag, Flag: `\Answered`}, {Kind: SearchFlag, Flag: `\Deleted`}, {Kind: SearchFlag, Flag: `\Recent`},
			{Kind: SearchNotFlag, Flag: `\Answered`}, {Kind: SearchNotFlag, Flag: `\Deleted`}, {Kind: SearchNotFlag, Flag: `\Flagged`},
			{Kind: SearchHeader, Field: "Bcc", Text: "b"}, {Kind: SearchHeader, Field: "Cc", Text: "c"}, {Kind: SearchHeader, Field: "To", Text: "t"}, {Kind: SearchHeader, Field: "Subject", Text: "s"},
			{Kind: SearchBody, Text: "x"}, {Kind: SearchBefore, Date: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Kind: SearchSentOn, Date: time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)}, {Kind: SearchSentSince, Date: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC)},
			{Kind: SearchSeqSet, Set: set(one(2), rg(4, Star))}}}}}},
	{"fetch header fields", "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n", &Command{Tag: "A654", Name: "FETCH", Args: &FetchArgs{Set: set(rg(2, 4)), Items: []FetchItem{
		fk(FetchFlags), {Kind: FetchBodySection, Section: Section{Specifier: "HEADER.FIELDS", Fields: []string{"DATE", "FROM"}}}}}}},
	{"fetch all", "a FETCH 1 ALL\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Macro: "ALL", Items: []FetchItem{fk(FetchFlags), fk(FetchInternalDate), fk(FetchRFC822Size), fk(FetchEnvelope)}}}},
	{"fetch fast", "a FETCH 1:* fast\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(rg(1, Star)), Macro: "FAST", Items: []FetchItem{fk(FetchFlags), fk(FetchInternalDate), fk(FetchRFC822Size)}}}},
	{"fetch full", "a FETCH 1 FULL\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Macro: "FULL", Items: []FetchItem{fk(FetchFlags), fk(FetchInternalDate), fk(FetchRFC822Size), fk(FetchEnvelope), fk(FetchBody)}}}},
	{"fetch single sections", "a FETCH 1 BODY.PEEK[1.2.MIME]\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Items: []FetchItem{{Kind: FetchBodySection, Peek: true, Section: Section{Part: []uint32{1, 2}, Specifier: "MIME"}}}}}},
	{"fetch partial", "a FETCH 1 (BODY[]<0.1024> BODY[TEXT] BODY[3.HEADER] body[header.fields.not (Received)])\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Items: []FetchItem{
		{Kind: FetchBodySection, Partial: &Partial{0, 1024}}, {Kind: FetchBodySection, Section: Section{Specifier: "TEXT"}},
		{Kind: FetchBodySection, Section: Section{Part: []uint32{3}, Specifier: "HEADER"}},
		{Kind: FetchBodySection, Section: Section{Specifier: "HEADER.FIELDS.NOT", Fields: []string{"Received"}}}}}}},
	{"fetch every att", "a FETCH 1 (MODSEQ UID RFC822.SIZE ENVELOPE INTERNALDATE RFC822.HEADER RFC822.TEXT RFC822 RFC822.PEEK BODYSTRUCTURE BODY)\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Items: []FetchItem{
		fk(FetchModSeq), fk(FetchUID), fk(FetchRFC822Size), fk(FetchEnvelope), fk(FetchInternalDate), fk(FetchRFC822Header), fk(FetchRFC822Text), fk(FetchRFC822), {Kind: FetchRFC822, Peek: true}, fk(FetchBodyStructure), fk(FetchBody)}}}},
	{"fetch binary", "a FETCH 1 (BINARY[1.2]<0.100> BINARY.PEEK[] BINARY.SIZE[3])\r\n", &Command{Tag: "a", Name: "FETCH", Args: &FetchArgs{Set: set(one(1)), Items: []FetchItem{
		{Kind: FetchBinary, Section: Section{Part: []uint32{1, 2}}, Partial: &Partial{0, 100}}, {Kind: FetchBinary, Peek: true}, {Kind: FetchBinarySize, Section: Section{Part: []uint32{3}}}}}}},
	{"uid fetch changedsince", "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)\r\n", &Command{Tag: "s100", Name: "FETCH", UID: true, Args: &FetchArgs{Set: set(rg(300, 500)), Items: []FetchItem{fk(FetchFlags)}, ChangedSince: 12345, HasChangedSince: true}}},
	{"uid fetch vanished", "a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", &Command{Tag: "a", Name: "FETCH", UID: true, Args: &FetchArgs{Set: set(rg(1, Star)), Items: []FetchItem{fk(FetchFlags)}, ChangedSince: 12345, HasChangedSince: true, Vanished: true}}},
	{"store add", "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n", &Command{Tag: "A003", Name: "STORE", Args: &StoreArgs{Set: set(rg(2, 4)), Op: StoreAdd, Flags: []string{`\Deleted`}}}},
	{"store silent bare flags", "a STORE 1 FLAGS.SILENT \\seen $Junk\r\n", &Command{Tag: "a", Name: "STORE", Args: &StoreArgs{Set: set(one(1)), Op: StoreReplace, Silent: true, Flags: []string{`\Seen`, "$Junk"}}}},
	{"store remove empty", "a UID STORE 1 -flags.silent ()\r\n", &Command{Tag: "a", Name: "STORE", UID: true, Args: &StoreArgs{Set: set(one(1)), Op: StoreRemove, Silent: true, Flags: []string{}}}},
	{"store unchangedsince", "d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n", &Command{Tag: "d105", Name: "STORE", Args: &StoreArgs{Set: set(one(7), one(5), one(9)), Op: StoreAdd, Silent: true, Flags: []string{`\Deleted`}, UnchangedSince: 320162338, HasUnchangedSince: true}}},
	{"copy", "A003 COPY 2:4 MEETING\r\n", &Command{Tag: "A003", Name: "COPY", Args: &CopyArgs{set(rg(2, 4)), "MEETING"}}},
	{"uid move", "a UID MOVE 42:69 foo\r\n", &Command{Tag: "a", Name: "MOVE", UID: true, Args: &CopyArgs{set(rg(42, 69)), "foo"}}},
	{"sort", "A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n", &Command{Tag: "A282", Name: "SORT", Args: &SortArgs{Criteria: []SortCriterion{{Key: "SUBJECT"}}, Charset: "UTF-8", Key: &SearchKey{Kind: SearchSince, Date: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC)}}}},
	{"uid sort reverse", "A283 UID SORT (SUBJECT REVERSE DATE) us-ascii ALL\r\n", &Command{Tag: "A283", Name: "SORT", UID: true, Args: &SortArgs{Criteria: []SortCriterion{{Key: "SUBJECT"}, {Key: "DATE", Reverse: true}}, Charset: "US-ASCII", Key: &SearchKey{Kind: SearchAll}}}},
	{"thread", "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n", &Command{Tag: "A283", Name: "THREAD", Args: &ThreadArgs{Algorithm: "ORDEREDSUBJECT", Charset: "UTF-8", Key: &SearchKey{Kind: SearchSince, Date: time.Date(2000, 3, 5, 0, 0, 0, 0, time.UTC)}}}},
	{"uid thread references", "a UID THREAD REFERENCES US-ASCII UNDELETED\r\n", &Command{Tag: "a", Name: "THREAD", UID: true, Args: &ThreadArgs{Algorithm: "REFERENCES", Charset: "US-ASCII", Key: &SearchKey{Kind: SearchNotFlag, Flag: `\Deleted`}}}},
}

func TestCommandTranscripts(t *testing.T) {
	t.Parallel()
	for _, tc := range commandCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			steps := runAllSplits(t, Limits{}, tc.input)
			var cmds []step
			for _, s := range steps {
				if s.Event == EventCommand {
					cmds = append(cmds, s)
				}
			}
			if len(cmds) != 1 {
				t.Fatalf("want 1 command, got %s", dumpSteps(steps))
			}
			if cmds[0].Err != "" {
				t.Fatalf("unexpected error %s", cmds[0].Err)
			}
			if !reflect.DeepEqual(cmds[0].Cmd, tc.want) {
				t.Fatalf("got  %s\nwant %#v", dumpSteps(cmds), tc.want.Args)
			}
		})
	}
}

// TestCommandsPipelined feeds every case back to back as one stream: the
// parser must find each command boundary (literals included).
func TestCommandsPipelined(t *testing.T) {
	t.Parallel()
	var all string
	for _, tc := range commandCases {
		all += tc.input
	}
	steps := runAllSplits(t, Limits{}, all)
	var i int
	for _, s := range steps {
		if s.Event != EventCommand {
			continue
		}
		if i >= len(commandCases) {
			t.Fatalf("more commands than cases")
		}
		if !reflect.DeepEqual(s.Cmd, commandCases[i].want) {
			t.Fatalf("command %d (%s): got %s", i, commandCases[i].name, dumpSteps([]step{s}))
		}
		i++
	}
	if i != len(commandCases) {
		t.Fatalf("got %d commands, want %d", i, len(commandCases))
	}
}

func TestAppendStreamedData(t *testing.T) {
	t.Parallel()
	steps := runAllSplits(t, Limits{}, "A003 APPEND {6}\r\nDrafts () {2}\r\nxy (\\Draft) {3+}\r\nz\r\n\r\n")
	var lits []LiteralInfo
	for _, s := range steps {
		if s.Event == EventLiteral {
			lits = append(lits, s.Lit)
		}
	}
	want := []LiteralInfo{
		{Tag: "A003", Command: "APPEND", Size: 6, Sync: true},
		{Tag: "A003", Command: "APPEND", Size: 2, Sync: true, Message: true, Mailbox: "Drafts", Index: 0},
		{Tag: "A003", Command: "APPEND", Size: 3, Sync: false, Message: true, Mailbox: "Drafts", Index: 1},
	}
	if !reflect.DeepEqual(lits, want) {
		t.Fatalf("literals:\n got %+v\nwant %+v", lits, want)
	}
	last := steps[len(steps)-1]
	if last.Event != EventCommand || last.Data != "xyz\r\n" {
		t.Fatalf("last step %s", dumpSteps([]step{last}))
	}
}

// TestAppendBufferedSmall: a caller may let the parser buffer a small
// message (nil sink); the data is then in the command.
func TestAppendBufferedSmall(t *testing.T) {
	t.Parallel()
	p := NewParser(Limits{})
	in := []byte("a APPEND INBOX {5}\r\nhello\r\n")
	n, ev, err := p.Feed(in)
	if err != nil || ev != EventLiteral || n != 20 {
		t.Fatalf("Feed = %d %v %v", n, ev, err)
	}
	if err := p.AcceptLiteral(nil); err != nil {
		t.Fatal(err)
	}
	_, ev, err = p.Feed(in[n:])
	if err != nil || ev != EventCommand {
		t.Fatalf("Feed = %v %v", ev, err)
	}
	cmd, err := p.Command()
	if err != nil {
		t.Fatal(err)
	}
	m := cmd.Args.(*AppendArgs).Messages[0]
	if m.Streamed || string(m.Data) != "hello" || m.Size != 5 {
		t.Fatalf("message %+v", m)
	}
}
