package imap4

import (
	"errors"
	"testing"
)

// TestSyntaxErrorMessages pins the BAD text for malformed commands: each
// names the command and what was wrong, and carries the tag.
func TestSyntaxErrorMessages(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, msg string }{
		{"a SELECT INBOX (QRESYNC (0 1))", "SELECT: UIDVALIDITY must not be zero"},
		{"a SELECT INBOX (QRESYNC (1 1 1:*))", "SELECT: known-uids must not contain \"*\" or \"$\""},
		{"a SELECT INBOX (QRESYNC (1 1 1:5 (1:* 2)))", "SELECT: sequence match data must not contain \"*\" or \"$\""},
		{"a SELECT INBOX (QRESYNC (1 1 1:5 x))", "SELECT: expected sequence match data, got 'x'"},
		{"a SELECT INBOX (QRESYNC (1 1) QRESYNC (1 1))", "SELECT: QRESYNC given twice"},
		{"a SELECT INBOX (FOO)", "SELECT: unknown select parameter FOO"},
		{"a SELECT INBOX ()", "SELECT: empty list"},
		{"a EXAMINE", "EXAMINE: expected SP, got end of line"},
		{"a CREATE foo (BAR)", "CREATE: unknown create parameter BAR"},
		{"a RENAME foo", "RENAME: expected SP, got end of line"},
		{"a LSUB \"\"", "LSUB: expected SP, got end of line"},
		{"a STATUS INBOX MESSAGES", "STATUS: expected '(', got 'M'"},
		{"a STATUS INBOX ()", "STATUS: empty list"},
		{"a LIST \"\" % FOO (CHILDREN)", "LIST: expected RETURN, got FOO"},
		{"a LIST \"\" ()", "LIST: empty list"},
		{"a APPEND INBOX (\\Seen) \"32-Jan-2020 00:00:00 +0000\" {1+}", "APPEND: invalid date"},
		{"a APPEND INBOX \"01-Jan-2020 24:00:00 +0000\" {1}", "APPEND: invalid time of day"},
		{"a APPEND INBOX \"01-Jan-2020 10:00:00 0000\" {1}", "APPEND: invalid time zone"},
		{"a APPEND INBOX \"01-Jan-2020 10:00:00 +0060\" {1}", "APPEND: invalid time zone"},
		{"a APPEND INBOX hello", "APPEND: expected message literal, got 'h'"},
		{"a COPY 1:2", "COPY: expected SP, got end of line"},
		{"a UID EXPUNGE", "UID EXPUNGE: expected SP, got end of line"},
		{"a GETQUOTA", "GETQUOTA: expected SP, got end of line"},
		{"a SETQUOTA \"\" (STORAGE)", "SETQUOTA: expected SP, got ')'"},
		{"a SETQUOTA \"\" STORAGE 1", "SETQUOTA: expected '(', got 'S'"},
		{"a SETACL INBOX fred", "SETACL: expected SP, got end of line"},
		{"a DELETEACL INBOX", "DELETEACL: expected SP, got end of line"},
		{"a SEARCH MODSEQ \"/foo\" all 1", "SEARCH: invalid MODSEQ entry name \"/foo\""},
		{"a SEARCH MODSEQ \"/flags/\\\\seen\" both 1", "SEARCH: invalid MODSEQ entry type BOTH"},
		{"a SEARCH RETURN (FOO) ALL", "SEARCH: unknown search return option FOO"},
		{"a SEARCH CHARSET", "SEARCH: expected SP, got end of line"},
		{"a SEARCH UNKNOWNKEY", "SEARCH: unknown search key UNKNOWNKEY"},
		{"a SEARCH ()", "SEARCH: empty list"},
		{"a SEARCH OLDER 0", "SEARCH: interval must not be zero"},
		{"a SEARCH KEYWORD", "SEARCH: expected SP, got end of line"},
		{"a SEARCH HEADER Subject", "SEARCH: expected SP, got end of line"},
		{"a SORT SUBJECT UTF-8 ALL", "SORT: expected '(', got 'S'"},
		{"a SORT (REVERSE) UTF-8 ALL", "SORT: expected SP, got ')'"},
		{"a ID (\"a\")", "ID: expected SP, got ')'"},
		{"a ID foo", "ID: expected '(', got 'f'"},
		{"a ENABLE", "ENABLE: expected SP, got end of line"},
		{"a LOGIN", "LOGIN: expected SP, got end of line"},
		{"a AUTHENTICATE", "AUTHENTICATE: expected SP, got end of line"},
		{"a AUTHENTICATE PLAIN !", "AUTHENTICATE: expected initial response, got '!'"},
		{"a FETCH 1 BODY[1.]", "FETCH: invalid section: trailing dot"},
		{"a FETCH 1 BODY[HEADER.FIELDS ()]", "FETCH: empty list"},
		{"a FETCH 1 BODY[HEADER.FIELDS (a:b)]", "FETCH: invalid header field name \"a:b\""},
		{"a FETCH 1 BODY[FOO]", "FETCH: invalid section specifier FOO"},
		{"a FETCH 1 BINARY[1.x]", "FETCH: expected section part number, got 'x'"},
		{"a FETCH 1 BODY[]<1>", "FETCH: expected '.', got '>'"},
		{"a FETCH 1 (FLAGS) (FOO 1)", "FETCH: unknown fetch modifier FOO"},
		{"a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)", "FETCH: mod-sequence out of range"},
		{"a FETCH 1", "FETCH: expected SP, got end of line"},
		{"a STORE 1 (FOO 1) FLAGS \\Seen", "STORE: unknown store modifier FOO"},
		{"a STORE 1 FLAGS", "STORE: expected SP, got end of line"},
		{"a NOOP extra", "NOOP: unexpected ' ' after arguments"},
		{"a THREAD", "THREAD: expected SP, got end of line"},
	}
	for _, c := range cases {
		cmd, err := ParseCommand(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) || cmd != nil {
			t.Errorf("%q: got %v, %v", c.in, cmd, err)
			continue
		}
		if se.Tag != "a" || se.Msg != c.msg {
			t.Errorf("%q: got tag %q msg %q, want %q", c.in, se.Tag, se.Msg, c.msg)
		}
	}
}

// TestDateTimeLenientDay: a one-digit day without the leading space
// (RFC 3501 date-day-fixed) is accepted, as clients send it.
func TestDateTimeLenientDay(t *testing.T) {
	t.Parallel()
	steps := run(t, Limits{}, "a APPEND INBOX \"1-Jan-2020 10:00:00 +0000\" {1+}\r\nx\r\n", 0)
	last := steps[len(steps)-1]
	if last.Event != EventCommand || last.Err != "" {
		t.Fatalf("got %s", dumpSteps(steps))
	}
	if d := last.Cmd.Args.(*AppendArgs).Messages[0].Date; d.Day() != 1 || d.Hour() != 10 {
		t.Fatalf("date %v", d)
	}
}
