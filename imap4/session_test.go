package imap4

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

const postLoginCaps = "IMAP4rev1 ACL RIGHTS=texk NAMESPACE CHILDREN SORT SORT=DISPLAY ESORT QUOTA THREAD=ORDEREDSUBJECT THREAD=REFERENCES UNSELECT IDLE ID UIDPLUS WITHIN CONDSTORE LITERAL+ ENABLE QRESYNC MOVE LIST-EXTENDED LIST-STATUS STATUS=SIZE ESEARCH SEARCHRES MULTIAPPEND BINARY SPECIAL-USE CREATE-SPECIAL-USE APPENDLIMIT=67108864"

func TestSessionLoginAndState(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.dial()
		c.expect("a CAPABILITY",
			"* CAPABILITY IMAP4rev1 AUTH=LOGIN AUTH=PLAIN AUTH=CRAM-MD5 SASL-IR ID LITERAL+ ENABLE",
			"a OK CAPABILITY completed")
		c.expect("b SELECT INBOX", "b BAD SELECT command received in invalid state")
		c.expect("c LOGIN alice wrong", "c NO [AUTHENTICATIONFAILED] login rejected")
		c.expect("d LOGIN alice secret", "d OK [CAPABILITY "+postLoginCaps+"] User alice authenticated")
		c.expect("e LOGIN alice secret", "e BAD LOGIN command received in invalid state")
		c.expect("f FROB", "f BAD unknown command FROB")
		c.expect("g LOGOUT", "* BYE Requested", "g OK LOGOUT completed")
	})
}

func TestSessionAuthenticate(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.dial()
		// SASL-IR PLAIN with an authorization identity that differs.
		c.expect("a AUTHENTICATE PLAIN Ym9iAGFsaWNlAHNlY3JldA==", "a NO [AUTHORIZATIONFAILED] authorization identity must match")
		// PLAIN with a continuation.
		c.send("b AUTHENTICATE PLAIN\r\n")
		if l := c.line(); l != "+ " {
			t.Fatalf("PLAIN challenge %q", l)
		}
		c.send("AGFsaWNlAHNlY3JldA==\r\n") // "\0alice\0secret"
		if got := c.until("b"); got[len(got)-1] != "b OK [CAPABILITY "+postLoginCaps+"] User alice authenticated" {
			t.Fatalf("PLAIN: %q", got)
		}
		// LOGIN mechanism, and cancellation.
		c2 := e.dial()
		c2.send("c AUTHENTICATE LOGIN\r\n")
		if l := c2.line(); l != "+ VXNlcm5hbWU6" {
			t.Fatalf("LOGIN challenge %q", l)
		}
		c2.send("*\r\n")
		c2.reply("c", "c BAD AUTHENTICATE cancelled")
		c2.expect("d AUTHENTICATE FOO", "d NO Invalid authentication mechanism specified")
	})
}

// TestSessionCRAMMD5Empty checks the spec 6.2 security fix: an empty
// digest never logs in.
func TestSessionCRAMMD5Empty(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.dial()
		c.send("a AUTHENTICATE CRAM-MD5\r\n")
		if l := c.line(); !strings.HasPrefix(l, "+ ") {
			t.Fatalf("challenge %q", l)
		}
		c.send("YWxpY2Ug\r\n") // "alice "
		c.reply("a", "a NO [AUTHENTICATIONFAILED] login rejected")
	})
}

var appendUID = regexp.MustCompile(`^A OK \[APPENDUID (\d+) (\d+)\] APPEND completed$`)

func TestSessionMailboxLifecycle(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.login("alice")
		c.expect(`a CREATE "Work/Projects"`, "a OK CREATE completed")
		c.expect(`b CREATE Work`, "b NO [ALREADYEXISTS] mailbox already exists")
		c.expect(`c LIST "" *`,
			`* LIST (\HasNoChildren) "/" "INBOX"`,
			`* LIST (\HasChildren) "/" "Work"`,
			`* LIST (\HasNoChildren) "/" "Work/Projects"`,
			"c OK LIST completed")
		c.expect(`d LIST "" %`,
			`* LIST (\HasNoChildren) "/" "INBOX"`,
			`* LIST (\HasChildren) "/" "Work"`,
			"d OK LIST completed")
		c.expect(`e SUBSCRIBE Work/Projects`, "e OK SUBSCRIBE completed")
		c.expect(`f LSUB "" %`, `* LSUB (\Noselect \HasChildren) "/" "Work"`, "f OK LSUB completed")
		c.expect(`g RENAME Work/Projects Work/Done`, "g OK RENAME completed")
		c.expect(`h LIST (SUBSCRIBED) "" *`, `* LIST (\HasNoChildren \Subscribed) "/" "Work/Done"`, "h OK LIST completed")
		c.expect(`i DELETE Work/Done`, "i OK DELETE completed")
		c.expect(`j DELETE Nothing`, "j NO [NONEXISTENT] mailbox does not exist")
		c.expect(`k DELETE INBOX`, "k NO [NOPERM] permission denied")
		c.expect(`l LIST "" ""`, `* LIST (\Noselect) "/" ""`, "l OK LIST completed")
		c.expect(`n1 CREATE Trash (USE (\Trash))`, "n1 OK CREATE completed")
		c.expect(`n2 CREATE Stuff (USE (\Sent))`, "n2 NO [USEATTR] special-use attribute does not match the mailbox name")
		c.expect(`n3 LIST (SPECIAL-USE) "" *`, `* LIST (\HasNoChildren \Trash) "/" "Trash"`, "n3 OK LIST completed")
		c.expect(`m NAMESPACE`, `* NAMESPACE (("" "/")) (("#Users" "/")) (("#Public" "/"))`, "m OK NAMESPACE completed")
		// A name that is not modified UTF-7 cannot exist: NO, not BAD
		// (imaptest "atoms"); it cannot be created either.
		c.expect(`o1 SELECT &Jjo`, "o1 NO [NONEXISTENT] mailbox does not exist")
		c.expect(`o2 CREATE &Jjo`, "o2 NO [CANNOT] invalid mailbox name: mailbox name: unterminated modified UTF-7 run")
		c.expect("o3 RENAME Trash \"caf\xc3\xa9\"", "o3 NO [CANNOT] invalid mailbox name: mailbox name: invalid byte 0xc3 at 3")
	})
}

func TestSessionAppendSelectFetchStore(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.login("alice")
		msg := "Subject: hello\r\nFrom: a@example.org\r\n\r\nbody text\r\n"
		c.send(fmt.Sprintf("A APPEND INBOX (\\Flagged $Work) {%d}\r\n", len(msg)))
		if l := c.line(); l != "+ Ready for literal data" {
			t.Fatalf("continuation %q", l)
		}
		c.send(msg + "\r\n")
		got := c.until("A")
		m := appendUID.FindStringSubmatch(got[len(got)-1])
		if m == nil {
			t.Fatalf("APPEND: %q", got)
		}
		uidv, uid := m[1], m[2]
		c.expect(`s STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY SIZE)`,
			fmt.Sprintf(`* STATUS "INBOX" (MESSAGES 1 RECENT 1 UNSEEN 1 UIDNEXT %d UIDVALIDITY %s SIZE %d)`, atoi(t, uid)+1, uidv, len(msg)),
			"s OK STATUS completed")
		sel := c.cmd("b SELECT INBOX")
		want := []string{"* 1 EXISTS", "* 1 RECENT", `* FLAGS (\Seen \Answered \Deleted \Flagged \Draft $Work)`,
			`* OK [PERMANENTFLAGS (\Seen \Answered \Deleted \Flagged \Draft $Work \*)] Flags allowed.`,
			fmt.Sprintf("* OK [UIDNEXT %d] Predicted next UID", atoi(t, uid)+1),
			"* OK [UIDVALIDITY " + uidv + "] UID value"}
		for i, w := range want {
			if sel[i] != w {
				t.Fatalf("SELECT line %d: got %q want %q (all %q)", i, sel[i], w, sel)
			}
		}
		if last := sel[len(sel)-1]; last != "b OK [READ-WRITE] SELECT completed" {
			t.Fatalf("SELECT: %q", last)
		}
		c.expect("c STORE 1 +FLAGS (\\Seen)", `* 1 FETCH (FLAGS (\Flagged \Recent $Work \Seen))`, "c OK STORE completed")
		c.expect("d STORE 1 -FLAGS.SILENT ($Work)", "d OK STORE completed")
		c.expect("e UID STORE "+uid+" FLAGS (\\Answered)", `* 1 FETCH (FLAGS (\Recent \Answered) UID `+uid+`)`, "e OK UID STORE completed")
		c.expect("f STORE 1 +FLAGS (\\Recent)", "f BAD invalid flag list to STORE command")
		c.expect("g STORE 2 +FLAGS (\\Seen)", "g BAD invalid message sequence number")
		c.expect("h FETCH 1 (UID RFC822.SIZE)", fmt.Sprintf("* 1 FETCH (UID %s RFC822.SIZE %d)", uid, len(msg)), "h OK FETCH completed")
		c.expect("i SEARCH ANSWERED", "* SEARCH 1", "i OK SEARCH completed")
		c.expect("j UID SEARCH RETURN (MIN COUNT) ALL", fmt.Sprintf(`* ESEARCH (TAG "j") UID MIN %s COUNT 1`, uid), "j OK UID SEARCH completed")
		c.expect("k CLOSE", "k OK CLOSE completed")
		c.expect(`l STATUS INBOX (RECENT)`, `* STATUS "INBOX" (RECENT 0)`, "l OK STATUS completed")
	})
}

func TestSessionExpungeCopyMove(t *testing.T) {
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.login("alice")
		c.expect("a CREATE Archive", "a OK CREATE completed")
		for i := 0; i < 3; i++ {
			msg := fmt.Sprintf("Subject: m%d\r\n\r\nx\r\n", i)
			got := c.cmd(fmt.Sprintf("A APPEND INBOX {%d+}\r\n%s", len(msg), msg))
			if !strings.HasPrefix(got[len(got)-1], "A OK [APPENDUID ") {
				t.Fatalf("APPEND: %q", got)
			}
		}
		c.cmd("b SELECT INBOX")
		c.expect("c STORE 2 +FLAGS.SILENT (\\Deleted)", "c OK STORE completed")
		got := c.cmd("d COPY 1:2 Archive")
		if !regexp.MustCompile(`^d OK \[COPYUID \d+ \d+,\d+ \d+,\d+\] COPY completed$`).MatchString(got[0]) {
			t.Fatalf("COPY: %q", got)
		}
		c.expect("e COPY 1 Nowhere", "e NO [TRYCREATE] specified mailbox does not exist")
		c.expect("f EXPUNGE", "* 2 EXPUNGE", "f OK EXPUNGE completed")
		got = c.cmd("g MOVE 2 Archive")
		if len(got) != 3 || !strings.HasPrefix(got[0], "* OK [COPYUID ") || got[1] != "* 2 EXPUNGE" || got[2] != "g OK MOVE completed" {
			t.Fatalf("MOVE: %q", got)
		}
		c.expect(`h STATUS Archive (MESSAGES)`, `* STATUS "Archive" (MESSAGES 3)`, "h OK STATUS completed")
		got = c.cmd("i EXAMINE Archive")
		if got[0] != "* 3 EXISTS" || got[1] != "* 3 RECENT" || got[len(got)-1] != "i OK [READ-ONLY] EXAMINE completed" {
			t.Fatalf("EXAMINE: %q", got)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}
