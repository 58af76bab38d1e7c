package pop3

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db/dbtest"
)

// lockedBuffer is a log sink shared by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// FuzzSession feeds arbitrary input to a real session on a throwaway
// SQLite store, before and after login (style practice 10). A session
// must never panic (the server recovers and logs it: checked) and must
// answer or close, never hang.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"STAT\r\nLIST\r\nUIDL 1\r\nRETR 1\r\nTOP 1 0\r\nDELE 1\r\nRSET\r\n",
		"AUTH PLAIN\r\n=\r\nAUTH LOGIN\r\n*\r\n",
		"APOP fuz 0123456789abcdef0123456789abcdef\r\n",
		"RETR 99999999999999999999\r\nTOP 1 -1\r\nLIST +1\r\n",
		"CAPA\r\nSTLS\r\nNOOP\r\n",
		"\x00\xff\r\n\n\n",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	backend := dbtest.Backends(f)[0]
	d := dbtest.Open(f, backend)
	uid, inbox := addUser(f, d, "fuz", "pw")
	for _, raw := range corpus(f, 2) {
		deliver(f, d, uid, inbox, raw)
	}
	logs := &lockedBuffer{}
	e := startEnv(f, d, envOptions{log: logs})
	f.Fuzz(func(t *testing.T, input []byte, login bool) {
		nc, err := net.DialTimeout("tcp", e.plain, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
		var in bytes.Buffer
		if login {
			in.WriteString("USER fuz\r\nPASS pw\r\n")
		}
		in.Write(input)
		in.WriteString("\r\nQUIT\r\nQUIT\r\nQUIT\r\nQUIT\r\n")
		go func() { _, _ = nc.Write(in.Bytes()) }()
		if _, err := io.Copy(io.Discard, nc); err != nil {
			t.Fatalf("session did not end: %v", err)
		}
		if strings.Contains(logs.String(), "panic") {
			t.Fatalf("session panicked:\n%s", logs.String())
		}
	})
}
