package imap4

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
)

// FuzzSession feeds arbitrary bytes to a whole session in each state
// (0 not authenticated, 1 authenticated, 2 selected) on a throwaway SQLite
// store: the server must neither crash nor hang, and must still greet a
// new connection afterwards.
func FuzzSession(f *testing.F) {
	seeds := []string{
		"a CAPABILITY\r\n",
		"a LOGIN alice secret\r\nb SELECT INBOX\r\nc FETCH 1:* (FLAGS)\r\n",
		"a AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n",
		"a APPEND INBOX (\\Seen) {11+}\r\nSubject: x\r\n\r\n",
		"a STORE 1:* +FLAGS (\\Deleted)\r\nb EXPUNGE\r\nc CLOSE\r\n",
		"a IDLE\r\nDONE\r\nb NOOP\r\n",
		"a LIST \"\" *\r\nb LSUB \"\" %\r\nc STATUS INBOX (MESSAGES UIDNEXT)\r\n",
		"a UID SEARCH RETURN (SAVE) ALL\r\nb UID COPY $ INBOX\r\nc MOVE 1 Nope\r\n",
		"a SELECT INBOX (QRESYNC (1 1 1:*))\r\nb ENABLE QRESYNC\r\n",
		"a CREATE x/y\r\nb RENAME x z\r\nc DELETE z/y\r\nd GETACL INBOX\r\ne SETACL INBOX bob +lr\r\n",
	}
	for st := uint8(0); st < 3; st++ {
		for _, s := range seeds {
			f.Add(st, []byte(s))
		}
	}
	e := startIMAP(f, dbtest.Backends(f)[0])
	f.Fuzz(func(t *testing.T, state uint8, data []byte) {
		start := time.Now()
		c, err := net.Dial("unix", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		setup := ""
		switch state % 3 {
		case 1:
			setup = "Z1 LOGIN alice secret\r\n"
		case 2:
			setup = "Z1 LOGIN alice secret\r\nZ2 SELECT INBOX\r\n"
		}
		_ = c.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.WriteString(c, setup); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write(data)
		_, _ = io.WriteString(c, "\r\nZ9 LOGOUT\r\n")
		// Read until the server closes; a literal left open by the input
		// may keep it waiting, which the deadline ends.
		_, _ = io.Copy(io.Discard, c)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("session took %v", d)
		}
		check, err := net.Dial("unix", e.addr)
		if err != nil {
			t.Fatalf("server gone: %v", err)
		}
		defer check.Close()
		_ = check.SetDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 5)
		if _, err := io.ReadFull(check, buf); err != nil || string(buf) != "* OK " {
			t.Fatalf("no greeting after input: %q %v", buf, err)
		}
	})
}
