package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/internal/testutil"
)

// TestDaemon builds the real binary under both names, starts it on a
// free port over a fresh SQLite database, and checks the greeting and a
// LOGOUT; SIGTERM then stops it with status 0.
func TestDaemon(t *testing.T) {
	for _, prog := range []string{"dbmail-timsieved", "dbmail-sieved"} {
		t.Run(prog, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), prog)
			build := exec.Command("go", "build", "-o", bin, "./cmd/"+prog)
			build.Dir = testutil.RepoRoot(t)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			dir := t.TempDir()
			conf := filepath.Join(dir, "dbmail.conf")
			// Run as whoever runs the test (a root daemon must name a user).
			me, err := user.Current()
			if err != nil {
				t.Fatal(err)
			}
			grp, err := user.LookupGroupId(me.Gid)
			if err != nil {
				t.Fatal(err)
			}
			text := fmt.Sprintf("[DBMAIL]\nauthdriver = sql\ndburi = sqlite://%s/dbmail.db\nlogfile = %s/dbmail.log\npid_directory = %s\n"+
				"effective_user = %s\neffective_group = %s\n"+
				"[SIEVE]\nbindip = 127.0.0.1\nport = %d\nbanner = Test sieved\n[DELIVERY]\nSIEVE = yes\nSIEVE_VACATION = no\n", dir, dir, dir, me.Username, grp.Name, port)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-D", "-f", conf)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var c net.Conn
			for i := 0; i < 200; i++ {
				if c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if c == nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("daemon did not listen: %v\n%s", err, stderr.String())
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(c)
			var got []string
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("greeting: %v (so far %q)", err, got)
				}
				got = append(got, strings.TrimRight(l, "\r\n"))
				if strings.HasPrefix(l, "OK") {
					break
				}
			}
			want := []string{`"IMPLEMENTATION" "Test sieved"`, `"SASL" "PLAIN LOGIN"`}
			if len(got) < 4 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], `"SIEVE" "`) ||
				strings.Contains(got[2], "vacation") || !strings.Contains(got[2], "fileinto") {
				t.Errorf("greeting %q", got)
			}
			fmt.Fprintf(c, "LOGOUT\r\n")
			if l, _ := r.ReadString('\n'); l != "OK \"Bye.\"\r\n" {
				t.Errorf("LOGOUT answered %q", l)
			}
			if _, err := os.Stat(filepath.Join(dir, prog+".pid")); err != nil {
				t.Errorf("pid file: %v", err)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
			}
		})
	}
}
