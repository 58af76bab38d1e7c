package pop3

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// TestInUse: a second concurrent session on the same maildrop gets
// -ERR [IN-USE] (RFC 1939 §8, RFC 2449 §8.1.1); after QUIT the maildrop is
// free again.
func TestInUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "ivy", "pw")
		wire := deliver(t, d, uid, inbox, corpus(t, 1)[0])
		e := startEnv(t, d, envOptions{})
		a := e.dial(t)
		a.login("ivy", "pw", 1, int64(len(wire)))
		b := e.dial(t)
		b.cmd("USER ivy", "+OK Password required for ivy")
		b.cmd("PASS pw", "-ERR [IN-USE] maildrop already locked: do you have another POP session running?")
		a.cmd("DELE 1", "+OK message 1 deleted")
		a.cmd("QUIT", "+OK see ya later")
		b.cmd("USER ivy", "+OK Password required for ivy")
		b.cmd("PASS pw", "+OK ivy has 0 messages (0 octets)")
		b.cmd("QUIT", "+OK see ya later")
	})
}

// TestStaleLock: a lock left by a crashed daemon expires with its lease.
func TestStaleLock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, _ := addUser(t, d, "jay", "pw")
		e := startEnv(t, d, envOptions{lease: 3 * time.Second})
		ctx := context.Background()
		ok, err := d.AcquirePOP3Lock(ctx, uid, "crashed", "elsewhere pid 1", 2*time.Second)
		if err != nil || !ok {
			t.Fatalf("acquire: %v %v", ok, err)
		}
		c := e.dial(t)
		c.cmd("USER jay", "+OK Password required for jay")
		c.cmd("PASS pw", "-ERR [IN-USE] maildrop already locked: do you have another POP session running?")
		time.Sleep(3500 * time.Millisecond)
		c.cmd("USER jay", "+OK Password required for jay")
		c.cmd("PASS pw", "+OK jay has 0 messages (0 octets)")
		// The crashed holder's token no longer refreshes.
		if ok, err := d.RefreshPOP3Lock(ctx, uid, "crashed", time.Minute); err != nil || ok {
			t.Fatalf("stale refresh: %v %v", ok, err)
		}
		c.cmd("QUIT", "+OK see ya later")
	})
}

// TestLeaseRefresh: an idle session keeps its lock past the lease, and a
// session whose lock was stolen ends without UPDATE.
func TestLeaseRefresh(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "kim", "pw")
		wire := deliver(t, d, uid, inbox, corpus(t, 1)[0])
		e := startEnv(t, d, envOptions{lease: 3 * time.Second})
		a := e.dial(t)
		a.login("kim", "pw", 1, int64(len(wire)))
		time.Sleep(4500 * time.Millisecond) // > lease: refreshed by the timer
		b := e.dial(t)
		b.cmd("USER kim", "+OK Password required for kim")
		b.cmd("PASS pw", "-ERR [IN-USE] maildrop already locked: do you have another POP session running?")
		// Steal the lock as if a itself had stalled past its lease.
		if _, err := d.Exec(context.Background(), `UPDATE {pop3_locks} SET token = 'thief' WHERE user_idnr = ?`, uid); err != nil {
			t.Fatal(err)
		}
		a.cmd("DELE 1", "+OK message 1 deleted")
		a.cmd("QUIT", "-ERR [IN-USE] maildrop lock lost, no messages removed")
		if got := status(t, d, inbox); !reflect.DeepEqual(got, []int{0}) {
			t.Fatalf("status = %v, want [0]", got)
		}
	})
}

// bigMessage is a message of about size bytes with one large base64-like
// body part and one text part.
func bigMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: big@example.org\r\nTo: x@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n.dot line\r\n--b1\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := 0
	for b.Len() < size {
		fmt.Fprintf(&b, "%076d\r\n", line)
		line++
	}
	b.WriteString("--b1--\r\n")
	return b.Bytes()
}

// TestDisconnectMidRetr: a client that goes away during a big RETR
// changes nothing, and its lock is released.
func TestDisconnectMidRetr(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "lee", "pw")
		wire := deliver(t, d, uid, inbox, bigMessage(3<<20))
		small := deliver(t, d, uid, inbox, corpus(t, 1)[0])
		e := startEnv(t, d, envOptions{})
		c := e.dial(t)
		c.login("lee", "pw", 2, int64(len(wire)+len(small)))
		c.cmd("DELE 2", "+OK message 2 deleted")
		c.send("RETR 1")
		c.expect(fmt.Sprintf("+OK %d octets", len(wire)))
		buf := make([]byte, 64<<10)
		if _, err := c.r.Read(buf); err != nil {
			t.Fatal(err)
		}
		c.nc.Close()
		deadline := time.Now().Add(15 * time.Second)
		for {
			nc := e.dial(t)
			nc.cmd("USER lee", "+OK Password required for lee")
			nc.send("PASS pw")
			got := nc.line()
			if strings.HasPrefix(got, "+OK") {
				if want := fmt.Sprintf("+OK lee has 2 messages (%d octets)", len(wire)+len(small)); got != want {
					t.Fatalf("got %q, want %q", got, want)
				}
				nc.send("RETR 1")
				nc.expect(fmt.Sprintf("+OK %d octets", len(wire)))
				if body := nc.multi(); !bytes.Equal(body, wire) {
					t.Fatalf("big RETR differs: %d vs %d bytes", len(body), len(wire))
				}
				nc.cmd("QUIT", "+OK see ya later")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("lock not released: %q", got)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := status(t, d, inbox); !reflect.DeepEqual(got, []int{1, 0}) {
			t.Fatalf("status = %v, want [1 0]", got)
		}
	})
}
