package imap4

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var reModSeqOf = regexp.MustCompile(`MODSEQ \((\d+)\)`)

// TestSessionCondStore: RFC 7162 CONDSTORE STORE UNCHANGEDSINCE with
// MODIFIED, FETCH CHANGEDSINCE, SEARCH MODSEQ, and UID FETCH VANISHED
// under QRESYNC.
func TestSessionCondStore(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		a := e.login("alice")
		var uids []string
		for i := 0; i < 3; i++ {
			msg := fmt.Sprintf("Subject: c%d\r\n\r\nz\r\n", i)
			got := a.cmd(fmt.Sprintf("A APPEND INBOX {%d+}\r\n%s", len(msg), msg))
			uids = append(uids, appendUID.FindStringSubmatch(got[len(got)-1])[2])
		}
		a.expect("e ENABLE QRESYNC", "* ENABLED QRESYNC", "e OK ENABLE completed")
		a.cmd("s SELECT INBOX")
		got := a.cmd(`1 STORE 1 +FLAGS (\Flagged)`)
		m := reModSeqOf.FindStringSubmatch(got[0])
		if m == nil || got[1] != "1 OK STORE completed" {
			t.Fatalf("STORE: %q", got)
		}
		ms := m[1]
		// Message 1 changed after ms-1: the conditional store skips it.
		a.expect(fmt.Sprintf(`2 STORE 1,2 (UNCHANGEDSINCE %d) +FLAGS (\Seen)`, atoi(t, ms)-1),
			`* 2 FETCH (FLAGS (\Recent \Seen) UID `+uids[1]+` MODSEQ (`+fmt.Sprint(atoi(t, ms)+1)+`))`,
			"2 OK [MODIFIED 1] STORE completed")
		got = a.cmd(fmt.Sprintf("3 FETCH 1:* (FLAGS) (CHANGEDSINCE %s)", ms))
		if len(got) != 2 || !strings.HasPrefix(got[0], "* 2 FETCH (") || got[1] != "3 OK FETCH completed" {
			t.Fatalf("CHANGEDSINCE: %q", got)
		}
		got = a.cmd(fmt.Sprintf("4 SEARCH MODSEQ %s", ms))
		// RFC 7162 §3.1.5: MODSEQ n matches mod-sequences >= n.
		if got[0] != fmt.Sprintf("* SEARCH 1 2 (MODSEQ %d)", atoi(t, ms)+1) {
			t.Fatalf("SEARCH MODSEQ: %q", got)
		}
		a.expect(`5 STORE 3 +FLAGS.SILENT (\Deleted)`, "5 OK STORE completed")
		got = a.cmd("6 EXPUNGE")
		if got[0] != "* VANISHED "+uids[2] || !strings.HasPrefix(got[1], "6 OK [HIGHESTMODSEQ ") {
			t.Fatalf("EXPUNGE under QRESYNC: %q", got)
		}
		got = a.cmd(fmt.Sprintf("7 UID FETCH 1:* (FLAGS) (CHANGEDSINCE %s VANISHED)", ms))
		if got[0] != "* VANISHED (EARLIER) "+uids[2] || got[len(got)-1] != "7 OK UID FETCH completed" {
			t.Fatalf("UID FETCH VANISHED: %q", got)
		}
	})
}
