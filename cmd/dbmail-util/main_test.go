package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// fixture is a migrated database with one user and stored messages.
type fixture struct {
	*env
	ctx   context.Context
	d     *db.DB
	user  int64
	inbox int64
}

func newFixture(t *testing.T, e *env) *fixture {
	t.Helper()
	ctx := context.Background()
	d := e.handle()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "x", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := d.FindMailbox(ctx, uid, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{env: e, ctx: ctx, d: d, user: uid, inbox: mb.ID}
}

// store stores corpus message n into mailbox at the given internal date and
// returns (uid, physmessage id).
func (f *fixture) store(t *testing.T, mailbox int64, n int, date time.Time) (int64, int64) {
	t.Helper()
	m, err := message.Parse(corpusFile(t, "ham", n), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	phys, res, err := f.d.StoreMessage(f.ctx, m, date, []db.Dest{{MailboxID: mailbox, QuotaUser: f.user}})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].UID, phys
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.d.Exec(f.ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.d.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) text(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := f.d.QueryRow(f.ctx, q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// expectRun runs dbmail-util and checks the exit status and that stdout
// holds every wanted line.
func (f *fixture) expectRun(t *testing.T, code int, want []string, args ...string) string {
	t.Helper()
	got, out, errOut := f.run(args...)
	if got != code {
		t.Fatalf("dbmail-util %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("dbmail-util %s: stdout lacks line %q:\n%s", strings.Join(args, " "), w, out)
		}
	}
	return out
}

const (
	dryRunLine = "Choosing dry-run mode. No changes will be made at this time."
	cleanLine  = "Maintenance done. No errors found."
	fixedLine  = "Maintenance done. Errors were found and fixed."
	foundLine  = "Maintenance done. Errors were found but not fixed."
)

func TestUtilIntegrity(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		uid, phys := f.store(t, f.inbox, 0, time.Now())
		f.store(t, f.inbox, 1, time.Now())
		f.exec(t, `DELETE FROM {messages} WHERE message_idnr = ?`, uid) // orphan the physmessage
		parts := f.count(t, `SELECT COUNT(*) FROM {partlists} WHERE physmessage_id = ?`, phys)
		if parts == 0 {
			t.Fatal("stored message has no partlists")
		}
		// Orphans are reported but do not count as errors (spec 7.2).
		f.expectRun(t, 0, []string{dryRunLine, "Found [1] unconnected physmessages.", "Found [0] unconnected partlists.",
			"Found [0] unconnected mimeparts.", cleanLine}, "-t")
		if n := f.count(t, `SELECT COUNT(*) FROM {physmessage} WHERE id = ?`, phys); n != 1 {
			t.Fatalf("dry run deleted the physmessage")
		}
		out := f.expectRun(t, 0, []string{"Found [1] unconnected physmessages; deleted.", cleanLine}, "-t", "-y")
		if strings.Contains(out, dryRunLine) {
			t.Errorf("-y run printed the dry-run line")
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {physmessage} WHERE id = ?`, phys); n != 0 {
			t.Errorf("physmessage %d still there", phys)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {partlists} WHERE physmessage_id = ?`, phys); n != 0 {
			t.Errorf("%d partlists of the deleted physmessage left", n)
		}
		orphanParts := `SELECT COUNT(*) FROM {mimeparts} WHERE NOT EXISTS (SELECT 1 FROM {partlists} l WHERE l.part_id = {mimeparts}.id)`
		if n := f.count(t, orphanParts); n != 0 {
			t.Errorf("%d orphan mimeparts left", n)
		}
		f.expectRun(t, 0, []string{"Found [0] unconnected physmessages.", "Found [0] unconnected mimeparts.", "Found [0] unconnected headervalues.", cleanLine}, "-t")
		// The other message is intact.
		if n := f.count(t, `SELECT COUNT(*) FROM {messages}`); n != 1 {
			t.Errorf("%d messages left, want 1", n)
		}
	})
}

func TestUtilDeletedAndPurge(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		uid, _ := f.store(t, f.inbox, 0, time.Now())
		keep, _ := f.store(t, f.inbox, 1, time.Now())
		keepSize := f.count(t, `SELECT p.messagesize FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id WHERE m.message_idnr = ?`, keep)
		f.exec(t, `UPDATE {messages} SET status = 2 WHERE message_idnr = ?`, uid)
		f.expectRun(t, 2, []string{dryRunLine, "Found [1] messages with DELETE status.", foundLine,
			"Run again with the '-y' option to repair the errors."}, "-d")
		if s := f.count(t, `SELECT status FROM {messages} WHERE message_idnr = ?`, uid); s != 2 {
			t.Fatalf("dry run changed status to %d", s)
		}
		// -p runs before -d: one run moves 2 → 3, the next deletes (spec 7.2).
		f.expectRun(t, 1, []string{"Found [0] messages with PURGE status.", "Found [1] messages with DELETE status; repaired.", fixedLine,
			"Recommend running dbmail-util again to confirm that all errors were repaired."}, "-p", "-d", "-y")
		if s := f.count(t, `SELECT status FROM {messages} WHERE message_idnr = ?`, uid); s != 3 {
			t.Errorf("status %d after -d -y, want 3", s)
		}
		if used := f.count(t, `SELECT curmail_size FROM {users} WHERE user_idnr = ?`, f.user); used != keepSize {
			t.Errorf("curmail_size %d after -d -y, want %d", used, keepSize)
		}
		f.expectRun(t, 2, []string{"Found [1] messages with PURGE status.", foundLine}, "-p")
		f.expectRun(t, 1, []string{"Found [1] messages with PURGE status; repaired.", fixedLine}, "-py")
		if n := f.count(t, `SELECT COUNT(*) FROM {messages} WHERE message_idnr = ?`, uid); n != 0 {
			t.Errorf("purged message still there")
		}
		f.expectRun(t, 0, []string{"Found [0] messages with PURGE status.", "Found [0] messages with DELETE status.", cleanLine}, "-p", "-d")
	})
}

func TestUtilBodyChecks(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		_, phys := f.store(t, f.inbox, 2, time.Now())
		_, phys2 := f.store(t, f.inbox, 3, time.Now())
		rfc := f.count(t, `SELECT rfcsize FROM {physmessage} WHERE id = ?`, phys)
		env := f.text(t, `SELECT envelope FROM {envelope} WHERE physmessage_id = ?`, phys)
		headers := f.count(t, `SELECT COUNT(*) FROM {header} WHERE physmessage_id = ?`, phys2)
		if headers == 0 {
			t.Fatal("stored message has no header cache")
		}
		f.exec(t, `UPDATE {physmessage} SET rfcsize = 0 WHERE id = ?`, phys)
		f.exec(t, `DELETE FROM {envelope} WHERE physmessage_id = ?`, phys)
		f.exec(t, `DELETE FROM {header} WHERE physmessage_id = ?`, phys2)
		f.expectRun(t, 2, []string{"Found [1] messages with rfcsize 0.", "Found [1] messages without envelope.",
			"Found [1] messages without header cache.", foundLine}, "-b")
		f.expectRun(t, 1, []string{"Found [1] messages with rfcsize 0; repaired.", "Found [1] messages without envelope; repaired.",
			"Found [1] messages without header cache; repaired.", fixedLine}, "-b", "-y")
		if got := f.count(t, `SELECT rfcsize FROM {physmessage} WHERE id = ?`, phys); got != rfc {
			t.Errorf("rfcsize %d after repair, want %d", got, rfc)
		}
		if got := f.text(t, `SELECT envelope FROM {envelope} WHERE physmessage_id = ?`, phys); got != env {
			t.Errorf("envelope after repair\n%s\nwant\n%s", got, env)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM {header} WHERE physmessage_id = ?`, phys2); got != headers {
			t.Errorf("%d header rows after repair, want %d", got, headers)
		}
		f.expectRun(t, 0, []string{"Found [0] messages with rfcsize 0.", "Found [0] messages without envelope.", cleanLine}, "-b")
		// -e rebuilds envelopes shorter than 100 characters.
		f.exec(t, `UPDATE {envelope} SET envelope = ? WHERE physmessage_id = ?`, "(NIL)", phys)
		f.expectRun(t, 2, []string{"Found [1] messages with an incomplete envelope.", foundLine}, "-e")
		f.expectRun(t, 1, []string{"Found [1] messages with an incomplete envelope; repaired.", fixedLine}, "-e", "-y")
		if got := f.text(t, `SELECT envelope FROM {envelope} WHERE physmessage_id = ?`, phys); got != env {
			t.Errorf("envelope after -e\n%s\nwant\n%s", got, env)
		}
	})
}

func TestUtilAliasesAndLogs(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		if err := f.d.AddAlias(f.ctx, "ghost@example.com", "999999", 0); err != nil {
			t.Fatal(err)
		}
		if err := f.d.AddAlias(f.ctx, "alice@example.com", strconv.FormatInt(f.user, 10), 0); err != nil {
			t.Fatal(err)
		}
		if err := f.d.AddAlias(f.ctx, "fwd@example.com", "ext@remote.org", 0); err != nil {
			t.Fatal(err)
		}
		f.exec(t, `INSERT INTO {pbsp} (since, ipnumber) VALUES ('2001-01-01 00:00:00', '10.0.0.1')`)
		f.exec(t, `INSERT INTO {pbsp} (since, ipnumber) VALUES (?, '10.0.0.2')`, time.Now().Format("2006-01-02 15:04:05"))
		f.exec(t, `INSERT INTO {replycache} (to_addr, from_addr, handle, lastseen) VALUES ('a@b', 'c@d', 'h', '2001-01-01 00:00:00')`)
		f.expectRun(t, 2, []string{"Found [1] aliases of non-existent users.", "Found [1] IP log entries to clear.",
			"Found [1] reply cache entries to clear.", foundLine}, "-s", "--clear-iplog", "72h", "-r", "4h5m")
		f.expectRun(t, 1, []string{"Found [1] aliases of non-existent users; repaired.", "Found [1] IP log entries to clear; repaired.",
			"Found [1] reply cache entries to clear; repaired.", fixedLine}, "-s", "-l", "72h", "-r", "10m", "-y")
		if n := f.count(t, `SELECT COUNT(*) FROM {aliases}`); n != 2 {
			t.Errorf("%d alias rows left, want 2 (valid alias and forward kept)", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {pbsp}`); n != 1 {
			t.Errorf("%d pbsp rows left, want the recent one", n)
		}
		f.expectRun(t, 3, []string{"Maintenance done. Errors were found but not fixed due to failures."}, "-r", "4x")
	})
}

func TestUtilEraseAndMove(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		trash, err := f.d.CreateMailbox(f.ctx, f.user, "Trash", db.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// bob has an INBOX but no Trash: reported and skipped.
		bob, err := f.d.CreateUser(f.ctx, db.User{Name: "bob", Passwd: "x", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		bobInbox, err := f.d.FindMailbox(f.ctx, bob, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		old := time.Now().AddDate(0, 0, -40)
		oldInbox, _ := f.store(t, f.inbox, 0, old)
		newInbox, _ := f.store(t, f.inbox, 1, time.Now())
		oldTrash, _ := f.store(t, trash, 2, old)
		f.store(t, bobInbox.ID, 3, old)
		f.exec(t, `UPDATE {messages} SET flagged_flag = 1 WHERE message_idnr = ?`, oldInbox)
		f.exec(t, `INSERT INTO {keywords} (message_idnr, keyword) VALUES (?, ?)`, oldInbox, "$Important")
		seqBefore := f.count(t, `SELECT seq FROM {mailboxes} WHERE mailbox_idnr = ?`, trash)

		// --move acts in dry-run mode too, as in DBMail.
		f.expectRun(t, 0, []string{dryRunLine, "User [bob] has no mailbox [Trash]: skipped.", "Moved [1] messages.", cleanLine},
			"--move", "30", "--inbox", "INBOX", "--trash", "Trash")
		if s := f.count(t, `SELECT status FROM {messages} WHERE message_idnr = ?`, oldInbox); s != 2 {
			t.Errorf("moved original has status %d, want 2 (expunged)", s)
		}
		if s := f.count(t, `SELECT status FROM {messages} WHERE message_idnr = ?`, newInbox); s != 0 {
			t.Errorf("recent INBOX message has status %d, want 0", s)
		}
		var movedUID, flagged int64
		if err := f.d.QueryRow(f.ctx, `SELECT message_idnr, flagged_flag FROM {messages} WHERE mailbox_idnr = ? AND message_idnr <> ?`, trash, oldTrash).Scan(&movedUID, &flagged); err != nil {
			t.Fatalf("moved message not in Trash: %v", err)
		}
		if movedUID <= oldTrash || movedUID <= newInbox {
			t.Errorf("moved message has UID %d, not above the Trash's earlier UIDs (%d)", movedUID, oldTrash)
		}
		if flagged != 1 {
			t.Errorf("moved message lost \\Flagged")
		}
		if kw := f.text(t, `SELECT keyword FROM {keywords} WHERE message_idnr = ?`, movedUID); kw != "$Important" {
			t.Errorf("moved message keyword %q", kw)
		}
		if seq := f.count(t, `SELECT seq FROM {mailboxes} WHERE mailbox_idnr = ?`, trash); seq <= seqBefore {
			t.Errorf("Trash seq %d not bumped (was %d)", seq, seqBefore)
		}
		if mseq := f.count(t, `SELECT seq FROM {messages} WHERE message_idnr = ?`, movedUID); mseq <= seqBefore {
			t.Errorf("moved message MODSEQ %d not above the Trash's old HIGHESTMODSEQ %d", mseq, seqBefore)
		}
		// --erase marks the old Trash messages (the moved copy keeps the
		// original's internal date) and implies -p, whose dry run finds them.
		f.expectRun(t, 2, []string{"Marked [2] messages for purging.", "Found [2] messages with PURGE status.", foundLine},
			"--erase", "30", "--trash", "Trash")
		if n := f.count(t, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ? AND status = 3`, trash); n != 2 {
			t.Errorf("%d Trash messages with status 3, want 2", n)
		}
		f.expectRun(t, 1, []string{"Marked [0] messages for purging.", "Found [2] messages with PURGE status; repaired.", fixedLine},
			"--erase", "30", "--trash", "Trash", "-y")
		if n := f.count(t, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ?`, trash); n != 0 {
			t.Errorf("%d Trash messages left", n)
		}
	})
}

func TestUtilHousekeeping(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		_, phys := f.store(t, f.inbox, 4, time.Now())
		var buf bytes.Buffer
		if _, err := f.d.WriteMessage(f.ctx, phys, &buf, db.OriginalForm(f.count(t, `SELECT messagesize FROM {physmessage} WHERE id = ?`, phys), f.count(t, `SELECT rfcsize FROM {physmessage} WHERE id = ?`, phys))); err != nil {
			t.Fatal(err)
		}
		original := buf.String()
		// --rehash does nothing and prints nothing without -y.
		f.exec(t, `UPDATE {mimeparts} SET hash = 'bogus'`)
		out := f.expectRun(t, 0, []string{dryRunLine, cleanLine}, "--rehash")
		if strings.Contains(out, "Rehash") {
			t.Errorf("--rehash without -y printed %q", out)
		}
		parts := f.count(t, `SELECT COUNT(*) FROM {mimeparts}`)
		f.expectRun(t, 0, []string{"Rehashed [" + strconv.FormatInt(parts, 10) + "] mimeparts.", cleanLine}, "--rehash", "-y")
		if n := f.count(t, `SELECT COUNT(*) FROM {mimeparts} WHERE hash = 'bogus'`); n != 0 {
			t.Errorf("%d mimeparts not rehashed", n)
		}
		// -c really cleans up with -y.
		f.expectRun(t, 0, []string{"Database cleanup (vacuum/analyze/optimize) runs only with -y.", cleanLine}, "-c")
		out = f.expectRun(t, 0, []string{cleanLine}, "-c", "-y")
		if !strings.Contains(out, "Cleaned up ") {
			t.Errorf("-c -y output %q", out)
		}
		// -M converts legacy messageblks storage (no such table on MySQL).
		if f.d.Dialect == db.MySQL {
			f.expectRun(t, 0, []string{"Found [0] legacy messageblks rows.", cleanLine}, "-M")
			return
		}
		f.exec(t, `DELETE FROM {partlists} WHERE physmessage_id = ?`, phys)
		f.exec(t, `DELETE FROM {envelope} WHERE physmessage_id = ?`, phys)
		half := len(original) / 2
		for _, blk := range []string{original[:half], original[half:]} {
			f.exec(t, `INSERT INTO {messageblks} (physmessage_id, messageblk, blocksize, is_header) VALUES (?, ?, ?, 0)`, phys, []byte(blk), len(blk))
		}
		f.expectRun(t, 2, []string{"Found [2] legacy messageblks rows.", foundLine}, "-M")
		f.expectRun(t, 1, []string{"Found [2] legacy messageblks rows.", "Migrated [1] physmessages to mimeparts (limit 5).", fixedLine}, "-M", "-m", "5", "-y")
		buf.Reset()
		if _, err := f.d.WriteMessage(f.ctx, phys, &buf, message.FormStored); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {partlists} WHERE physmessage_id = ?`, phys); n == 0 {
			t.Fatal("no partlists after -M")
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {messageblks}`); n != 0 {
			t.Errorf("%d messageblks rows left", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM {envelope} WHERE physmessage_id = ?`, phys); n != 1 {
			t.Errorf("no envelope after -M")
		}
		var back bytes.Buffer
		if _, err := f.d.WriteMessage(f.ctx, phys, &back, message.FormCRLF); err != nil {
			t.Fatal(err)
		}
		if back.String() != original && strings.ReplaceAll(back.String(), "\r\n", "\n") != strings.ReplaceAll(original, "\r\n", "\n") {
			t.Errorf("message text changed by -M")
		}
	})
}

func TestUtilUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{nil, 1, "*** dbmail-util ***", ""},
		{[]string{"-h"}, 1, "*** dbmail-util ***", ""},
		{[]string{"-V"}, 1, "Internal Version 35006", ""},
		{[]string{"-m", "5"}, 1, "*** dbmail-util ***", ""},
		{[]string{"-a", "-n", "-y"}, 1, "*** dbmail-util ***", ""},
		{[]string{"-g"}, 1, "*** dbmail-util ***", "invalid option -- 'g'"},
		{[]string{"-i"}, 1, "", "Interactive console is not supported in this release."},
		{[]string{"--erase", "x"}, 1, "*** dbmail-util ***", "invalid number of days"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		if code != c.code || !strings.Contains(out.String(), c.stdoutHas) || !strings.Contains(errb.String(), c.stderrHas) {
			t.Errorf("%q: exit %d stdout %q stderr %q; want exit %d, stdout with %q, stderr with %q",
				c.args, code, out.String(), errb.String(), c.code, c.stdoutHas, c.stderrHas)
		}
	}
	e := newEnv(t, "postgresql://root@127.0.0.1:1/test")
	if code, _, errOut := e.run("-a"); code != 255 || !strings.Contains(errOut, "Could not connect") {
		t.Errorf("closed port: exit %d stderr %q, want 255", code, errOut)
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{
		"72h": 72 * time.Hour, "4h5m": 4*time.Hour + 5*time.Minute, "10m": 10 * time.Minute,
		"10M": 10 * time.Minute, "2H": 2 * time.Hour, "0m": 0,
	}
	for in, want := range good {
		if got, err := parseTime(in); err != nil || got != want {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "4", "h", "4x", "5m4h", "4h4h", "1h2m3m", "-1h", "m5", "2700000h", "1752000h1m", "9999999999m"} {
		if got, err := parseTime(in); err == nil {
			t.Errorf("parseTime(%q) = %v, want an error", in, got)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"72h", "4h5m", "10m", "x", "99999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseTime(s)
		if err == nil && d < 0 {
			t.Fatalf("parseTime(%q) = %v < 0", s, d)
		}
	})
}

// TestUtilBinary runs the real binary the way debian's cron does.
func TestUtilBinary(t *testing.T) {
	t.Parallel()
	bin := buildTool(t, "cmd/dbmail-util")
	e := newEnv(t, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "dbmail.db")))
	for _, args := range [][]string{{"-ay"}, {"-M", "-c", "-t", "-u", "-b", "-p", "-d", "-y"}, {"--all", "--yes", "--verbose"}} {
		cmd := exec.Command(bin, append([]string{"-f", e.conf}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("dbmail-util %v: %v\n%s%s", args, err, out.String(), errb.String())
		}
		if !strings.HasSuffix(out.String(), "\n"+cleanLine+"\n") {
			t.Errorf("dbmail-util %v: output does not end with %q:\n%s", args, cleanLine, out.String())
		}
	}
	// A dry run that finds something exits 2.
	d := e.handle()
	if _, err := d.Exec(context.Background(), `INSERT INTO {aliases} (alias, deliver_to, client_idnr) VALUES ('ghost', '424242', 0)`); err != nil {
		t.Fatal(err)
	}
	err := exec.Command(bin, "-f", e.conf, "-s").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("dbmail-util -s with a dangling alias: %v, want exit status 2", err)
	}
}

// BenchmarkUtilAllChecksDryRun measures `dbmail-util -a` (dry run: every
// count query of -t -p -b -d -s) over 300 corpus messages on SQLite.
func BenchmarkUtilAllChecksDryRun(b *testing.B) {
	e := newEnv(b, "sqlite://"+filepath.ToSlash(filepath.Join(b.TempDir(), "dbmail.db")))
	ctx := context.Background()
	d := e.handle()
	if err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	uid, err := d.CreateUser(ctx, db.User{Name: "alice", Passwd: "x", Active: true})
	if err != nil {
		b.Fatal(err)
	}
	mb, err := d.FindMailbox(ctx, uid, "INBOX")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		m, err := message.Parse(corpusFile(b, []string{"ham", "spam"}[i%2], i/2), message.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.StoreMessage(ctx, m, time.Now(), []db.Dest{{MailboxID: mb.ID, QuotaUser: uid}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		var out, errb bytes.Buffer
		if code := run([]string{"-f", e.conf, "-a"}, &out, &errb); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}

// TestUtilHeaderNames: orphan header names are removed only when the
// header cache is writable (spec 7.2 -t, header_cache_readonly).
func TestUtilHeaderNames(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newFixture(t, e)
		f.exec(t, `INSERT INTO {headername} (headername) VALUES ('x-orphan-name')`)
		orphan := `SELECT COUNT(*) FROM {headername} WHERE headername = 'x-orphan-name'`
		f.expectRun(t, 0, []string{"Skipping headernames: header_cache_readonly is set.", cleanLine}, "-t", "-y")
		if n := f.count(t, orphan); n != 1 {
			t.Fatalf("read-only header cache: orphan header name removed")
		}
		conf, err := os.ReadFile(e.conf)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.conf, append(conf, "header_cache_readonly = no\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		// Seeded names no stored message uses are orphans too.
		n := strconv.FormatInt(f.count(t, `SELECT COUNT(*) FROM {headername} WHERE NOT EXISTS (SELECT 1 FROM {header} h WHERE h.headername_id = {headername}.id)`), 10)
		f.expectRun(t, 0, []string{"Found [" + n + "] unconnected headernames.", cleanLine}, "-t")
		f.expectRun(t, 0, []string{"Found [" + n + "] unconnected headernames; deleted.", cleanLine}, "-t", "-y")
		if n := f.count(t, orphan); n != 0 {
			t.Errorf("orphan header name still there")
		}
	})
}
