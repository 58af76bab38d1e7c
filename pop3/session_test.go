package pop3

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db"
)

// TestTranscript drives one keep-and-delete session through every
// TRANSACTION command and checks the UPDATE state in SQL (spec 6.3).
func TestTranscript(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "alice", "secret")
		var wire [][]byte
		for _, raw := range corpus(t, 4) {
			wire = append(wire, deliver(t, d, uid, inbox, raw))
		}
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.send("CAPA")
		c.expect("+OK Capability list follows")
		if got, want := c.lines(), []string{"TOP", "USER", "SASL PLAIN LOGIN CRAM-MD5", "UIDL", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE", "EXPIRE NEVER", "IMPLEMENTATION dbmail-go"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("CAPA = %q, want %q", got, want)
		}
		c.cmd("STAT", "-ERR wrong command mode")
		c.cmd("PASS secret", "-ERR your command does not compute")
		c.cmd("USER alice", "+OK Password required for alice")
		c.cmd("PASS wrong", "-ERR [AUTH] username/password incorrect")
		c.login("alice", "secret", 4, totalSize(wire))
		c.cmd("STAT", fmt.Sprintf("+OK 4 %d", totalSize(wire)))
		c.send("LIST")
		c.expect(fmt.Sprintf("+OK 4 messages (%d octets)", totalSize(wire)))
		var want []string
		for i, w := range wire {
			want = append(want, fmt.Sprintf("%d %d", i+1, len(w)))
		}
		if got := c.lines(); !reflect.DeepEqual(got, want) {
			t.Fatalf("LIST = %q, want %q", got, want)
		}
		c.cmd("LIST 2", fmt.Sprintf("+OK 2 %d", len(wire[1])))
		c.cmd("LIST 9", "-ERR no such message")
		msgs, err := d.POP3Maildrop(context.Background(), inbox)
		if err != nil {
			t.Fatal(err)
		}
		c.send("UIDL")
		c.expect("+OK Some very unique numbers for you")
		want = want[:0]
		for i, m := range msgs {
			want = append(want, fmt.Sprintf("%d %s", i+1, m.UniqueID))
		}
		if got := c.lines(); !reflect.DeepEqual(got, want) {
			t.Fatalf("UIDL = %q, want %q", got, want)
		}
		c.cmd("UIDL 3", "+OK 3 "+msgs[2].UniqueID)
		c.cmd("LAST", "+OK 0")
		c.send("RETR 1")
		c.expect(fmt.Sprintf("+OK %d octets", len(wire[0])))
		if got := c.multi(); !bytes.Equal(got, wire[0]) {
			t.Fatalf("RETR 1 differs from the stored message (%d vs %d bytes)", len(got), len(wire[0]))
		}
		c.cmd("LAST", "+OK 1")
		c.send("TOP 2 0")
		c.expect("+OK top of message follows")
		hdrEnd := bytes.Index(wire[1], []byte("\r\n\r\n")) + 4
		if got := c.multi(); !bytes.Equal(got, wire[1][:hdrEnd]) {
			t.Fatalf("TOP 2 0 = %q, want %q", got, wire[1][:hdrEnd])
		}
		c.send("TOP 2 2")
		c.expect("+OK top of message follows")
		end := hdrEnd
		for k := 0; k < 2; k++ {
			end += bytes.Index(wire[1][end:], []byte("\r\n")) + 2
		}
		if got := c.multi(); !bytes.Equal(got, wire[1][:end]) {
			t.Fatalf("TOP 2 2 = %q, want %q", got, wire[1][:end])
		}
		c.cmd("TOP 2 x", "-ERR your command does not compute")
		c.cmd("DELE 2", "+OK message 2 deleted")
		c.cmd("DELE 2", "-ERR message 2 already deleted")
		c.cmd("RETR 2", "-ERR message 2 already deleted")
		c.cmd("STAT", fmt.Sprintf("+OK 3 %d", totalSize(wire)-int64(len(wire[1]))))
		c.cmd("RSET", fmt.Sprintf("+OK 4 messages (%d octets)", totalSize(wire)))
		c.cmd("DELE 3", "+OK message 3 deleted")
		c.cmd("NOOP", "+OK")
		c.cmd("QUIT", "+OK see ya later")
		c.closed()
		if got, want := status(t, d, inbox), []int{1, 0, 2, 0}; !reflect.DeepEqual(got, want) {
			t.Fatalf("status after QUIT = %v, want %v", got, want)
		}
		used, _, err := d.QuotaUsage(context.Background(), uid)
		if err != nil {
			t.Fatal(err)
		}
		var wantUsed int64
		for i, m := range msgs {
			if i != 2 {
				wantUsed += m.MessageSize
			}
		}
		if used != wantUsed {
			t.Fatalf("curmail_size = %d, want %d", used, wantUsed)
		}
		// The next session sees the remaining three; LAST counts the
		// leading seen message.
		c = e.dial(t)
		c.login("alice", "secret", 3, totalSize(wire)-int64(len(wire[2])))
		c.cmd("LAST", "+OK 1")
		c.cmd("QUIT", "+OK see ya later")
	})
}

// TestDotStuffing: lines starting with "." are stuffed, LF input is sent
// as CRLF, and a message without a final line break still ends the
// response on its own line.
func TestDotStuffing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "bob", "pw")
		raws := []string{
			"From: a@b\nSubject: dots\n\n.\n..two\n.three\nend\n",
			"From: a@b\r\nSubject: crlf\r\n\r\n.leading\r\nlast line without break",
		}
		var wire [][]byte
		for _, r := range raws {
			wire = append(wire, deliver(t, d, uid, inbox, []byte(r)))
		}
		if want := "From: a@b\r\nSubject: dots\r\n\r\n.\r\n..two\r\n.three\r\nend\r\n"; string(wire[0]) != want {
			t.Fatalf("stored wire form %q, want %q", wire[0], want)
		}
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.login("bob", "pw", 2, totalSize(wire))
		c.send("RETR 1")
		c.expect(fmt.Sprintf("+OK %d octets", len(wire[0])))
		for _, want := range []string{"From: a@b", "Subject: dots", "", "..", "...two", "..three", "end", "."} {
			c.expect(want)
		}
		c.send("RETR 2")
		c.expect(fmt.Sprintf("+OK %d octets", len(wire[1])))
		for _, want := range []string{"From: a@b", "Subject: crlf", "", "..leading", "last line without break", "."} {
			c.expect(want)
		}
		c.cmd("QUIT", "+OK see ya later")
	})
}

// TestCommandErrors: wrong mode, unknown commands, and the third error
// ends the session (spec 6.3).
func TestCommandErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		addUser(t, d, "carol", "pw")
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.cmd("RETR 1", "-ERR wrong command mode")
		c.cmd("XYZZY", "-ERR command not understood")
		c.cmd("", "-ERR too many errors")
		c.closed()

		c = e.dial(t)
		c.login("carol", "pw", 0, 0)
		c.cmd("USER carol", "-ERR wrong command mode")
		c.cmd("RETR 1", "-ERR no such message")
		c.cmd("RETR", "-ERR your command does not compute")
		c.cmd("stat", "+OK 0 0")
		c.cmd("quit", "+OK see ya later")
		c.closed()
	})
}

// TestPipelining sends a whole session in one write (RFC 2449 §6.8).
func TestPipelining(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "dave", "pw")
		var wire [][]byte
		for _, raw := range corpus(t, 3) {
			wire = append(wire, deliver(t, d, uid, inbox, raw))
		}
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.send(strings.Join([]string{"CAPA", "USER dave", "PASS pw", "STAT", "RETR 1", "RETR 2", "RETR 3", "DELE 1", "DELE 2", "DELE 3", "QUIT"}, "\r\n"))
		c.expect("+OK Capability list follows")
		c.lines()
		c.expect("+OK Password required for dave")
		c.expect(fmt.Sprintf("+OK dave has 3 messages (%d octets)", totalSize(wire)))
		c.expect(fmt.Sprintf("+OK 3 %d", totalSize(wire)))
		for i, w := range wire {
			c.expect(fmt.Sprintf("+OK %d octets", len(w)))
			if got := c.multi(); !bytes.Equal(got, w) {
				t.Fatalf("RETR %d differs", i+1)
			}
		}
		for i := range wire {
			c.expect(fmt.Sprintf("+OK message %d deleted", i+1))
		}
		c.expect("+OK see ya later")
		c.closed()
		if got, want := status(t, d, inbox), []int{2, 2, 2}; !reflect.DeepEqual(got, want) {
			t.Fatalf("status = %v, want %v", got, want)
		}
	})
}
