package timsieve

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// sieveConnect runs the sieve-connect client (Debian package
// sieve-connect) against the server as alice, over STARTTLS, with the
// password on a pipe (--passwordfd).
func sieveConnect(t *testing.T, bin string, e *env, args ...string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(e.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pw.WriteString("secret\n")
	pw.Close()
	defer pr.Close()
	all := append([]string{"--server", host, "--port", port, "--user", "alice", "--passwordfd", "3",
		"--notlsverify", "--authmech", "PLAIN"}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.ExtraFiles = []*os.File{pr}
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("sieve-connect %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

// TestSieveConnect: a real ManageSieve client lists, uploads, checks,
// activates, downloads and deletes scripts (the "done when" of the
// ManageSieve issue). Skipped when sieve-connect is not installed.
func TestSieveConnect(t *testing.T) {
	bin, err := exec.LookPath("sieve-connect")
	if err != nil {
		t.Skip("sieve-connect not installed (Debian: apt-get install sieve-connect): skipping the real-client test")
	}
	forEachBackend(t, func(t *testing.T, b dbtest.Backend) {
		e := start(t, b, options{tls: true})
		dir := t.TempDir()
		local := filepath.Join(dir, "filter.sieve")
		src := "require \"fileinto\";\nif header :contains \"subject\" \"[dev]\" { fileinto \"dev\"; }\n"
		if err := os.WriteFile(local, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		if out := sieveConnect(t, bin, e, "--list"); strings.TrimSpace(out) != "" {
			t.Errorf("--list on no scripts printed %q", out)
		}
		sieveConnect(t, bin, e, "--checkscript", "--localsieve", local)
		sieveConnect(t, bin, e, "--upload", "--localsieve", local, "--remotesieve", "filter")
		sieveConnect(t, bin, e, "--activate", "--remotesieve", "filter")
		if out := sieveConnect(t, bin, e, "--list"); strings.TrimSpace(out) != `"filter" ACTIVE` {
			t.Errorf("--list printed %q", out)
		}
		got := filepath.Join(dir, "got.sieve")
		sieveConnect(t, bin, e, "--download", "--remotesieve", "filter", "--localsieve", got)
		if b, err := os.ReadFile(got); err != nil || string(b) != src {
			t.Errorf("downloaded %q, %v; want %q", b, err, src)
		}
		ctx := context.Background()
		name, stored, err := e.d.ActiveSieveScript(ctx, e.alice)
		if err != nil || name != "filter" || stored != src {
			t.Errorf("stored active script %q %q %v", name, stored, err)
		}
		sieveConnect(t, bin, e, "--deactivate")
		sieveConnect(t, bin, e, "--delete", "--remotesieve", "filter")
		list, err := e.d.SieveScripts(ctx, e.alice)
		if err != nil || !reflect.DeepEqual(list, []db.SieveScript(nil)) {
			t.Errorf("scripts after delete: %v, %v", list, err)
		}
	})
}
