package pop3

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
)

// TestPoplib runs Python's poplib as a fetchmail/getmail-style client in
// keep mode (twice: UIDLs stable, messages marked seen) and in delete mode.
func TestPoplib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: skipping the poplib client test")
	}
	script, err := filepath.Abs("testdata/poplib_client.py")
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, d *db.DB) {
		uid, inbox := addUser(t, d, "mia", "pw")
		dir := t.TempDir()
		for i, raw := range corpus(t, 12) {
			w := deliver(t, d, uid, inbox, raw)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.eml", i+1)), w, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		e := startEnv(t, d, envOptions{})
		host, port, _ := net.SplitHostPort(e.plain)
		run := func(mode string) string {
			out, err := exec.Command(py, script, host, port, "mia", "pw", mode, dir).CombinedOutput()
			if err != nil {
				t.Fatalf("poplib %s: %v\n%s", mode, err, out)
			}
			return string(out)
		}
		start := time.Now()
		first := run("keep")
		t.Logf("keep run: %v", time.Since(start))
		if n := strings.Count(first, "\n"); n != 12 {
			t.Fatalf("keep run saw %d messages:\n%s", n, first)
		}
		if second := run("keep"); second != first {
			t.Fatalf("second keep run differs (UIDLs must be stable):\n%s\n%s", first, second)
		}
		if got := status(t, d, inbox); !reflect.DeepEqual(got, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) {
			t.Fatalf("status after keep = %v", got)
		}
		if third := run("delete"); third != first {
			t.Fatalf("delete run differs:\n%s", third)
		}
		if got := status(t, d, inbox); !reflect.DeepEqual(got, []int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}) {
			t.Fatalf("status after delete = %v", got)
		}
		c := e.dial(t)
		c.login("mia", "pw", 0, 0)
		c.cmd("QUIT", "+OK see ya later")
	})
}
