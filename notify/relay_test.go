package notify

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

func collect(r *Relay) chan int64 {
	ch := make(chan int64, 100)
	r.OnChange(func(id int64) { ch <- id })
	return ch
}

func recv(t *testing.T, ch chan int64, n int) []int64 {
	t.Helper()
	var got []int64
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case id := <-ch:
			got = append(got, id)
		case <-timeout:
			t.Fatalf("received %v, want %d events", got, n)
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	return got
}

// Two "processes" on one host: a publish reaches the other relay through
// its datagram socket, not the publisher itself, and other namespaces are
// ignored.
func TestLocalRelay(t *testing.T) {
	dir := t.TempDir()
	a, err := New(Config{Dir: dir, Program: "a", Namespace: "ns1"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	bb, err := New(Config{Dir: dir, Program: "b", Namespace: "ns1"})
	if err != nil {
		t.Fatal(err)
	}
	defer bb.Close()
	other, err := New(Config{Dir: dir, Program: "c", Namespace: "ns2"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	chA, chB, chOther := collect(a), collect(bb), collect(other)
	a.Publish(7)
	a.Publish(9)
	a.Publish(7)
	got := recv(t, chB, 2)
	if got[0] != 7 || got[1] != 9 {
		t.Fatalf("b received %v", got)
	}
	select {
	case id := <-chA:
		t.Fatalf("the publisher heard itself: %d", id)
	case id := <-chOther:
		t.Fatalf("another namespace heard %d", id)
	case <-time.After(200 * time.Millisecond):
	}
	// A dead peer's socket is removed when a send is refused.
	stale := filepath.Join(dir, "dbmail-notify-ghost-999999999.sock")
	os.WriteFile(stale, nil, 0o600)
	a.mu.Lock()
	a.peersAt = time.Time{}
	a.mu.Unlock()
	a.Publish(1)
	recv(t, chB, 1)
	time.Sleep(100 * time.Millisecond)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale socket of a dead process kept: %v", err)
	}
}

func TestCodec(t *testing.T) {
	msg := encode("ns", []int64{1, 22, 333})
	if string(msg) != "ns 1,22,333" {
		t.Fatalf("%q", msg)
	}
	if got := decode("ns", msg); len(got) != 3 || got[2] != 333 {
		t.Fatalf("%v", got)
	}
	for _, bad := range []string{"", "ns", "other 1", "ns x,-1,0"} {
		if got := decode("ns", []byte(bad)); len(got) != 0 {
			t.Fatalf("%q decoded to %v", bad, got)
		}
	}
}

// Across hosts: PostgreSQL LISTEN/NOTIFY between two relays without a
// shared directory.
func TestPostgresRelay(t *testing.T) {
	uri := os.Getenv("DBMAIL_TEST_PG")
	if uri == "" {
		t.Skip("DBMAIL_TEST_PG not set: skipping the PostgreSQL LISTEN/NOTIFY test")
	}
	tg, err := db.ParseURI(uri, "notify-test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Program: "pga", Namespace: "pg", PostgresDSN: tg.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(Config{Program: "pgb", Namespace: "pg", PostgresDSN: tg.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.origin += "-b" // same test process: tell the two apart
	b.pg.origin = b.origin
	ch := collect(b)
	chA := collect(a)
	time.Sleep(500 * time.Millisecond) // LISTEN established
	deadline := time.Now().Add(10 * time.Second)
	for {
		a.Publish(42)
		select {
		case id := <-ch:
			if id != 42 {
				t.Fatalf("got %d", id)
			}
			select {
			case id := <-chA:
				t.Fatalf("publisher heard its own NOTIFY: %d", id)
			case <-time.After(200 * time.Millisecond):
			}
			return
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no NOTIFY received")
		}
	}
}

// A tool's one-shot Announce reaches a running daemon's relay.
func TestAnnounce(t *testing.T) {
	dir := t.TempDir()
	d, err := New(Config{Dir: dir, Program: "daemon", Namespace: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ch := collect(d)
	if err := Announce(context.Background(), Config{Dir: dir, Namespace: "x"}, []int64{5, 6}); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch, 2); got[0] != 5 || got[1] != 6 {
		t.Fatalf("got %v", got)
	}
}
