package logging

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func fixedHandler(buf *bytes.Buffer, mask Mask) *LineHandler {
	h := NewLineHandler(buf, "dbmail-imapd", mask)
	h.sink.host = "mx1"
	h.sink.pid = 8602
	return h
}

func TestLineHandlerFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := fixedHandler(&buf, MaskAll)
	l := slog.New(h).With(KeyModule, "imap", KeySession, uint64(42), "peer", "10.0.0.1:993")
	when := time.Date(2026, 11, 2, 21, 43, 51, 0, time.Local)
	r := slog.NewRecord(when, LevelError, "login failed", 0)
	r.AddAttrs(slog.String("user", "bob smith"), slog.Int("n", 3), slog.Group("g", slog.String("k", "v")))
	if err := l.Handler().Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want := `Nov 02 21:43:51 mx1 dbmail-imapd[8602]: [0x2a] Error:[imap] -(+0): login failed peer=10.0.0.1:993 user="bob smith" n=3 g.k=v` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestLineHandlerCallerAndMask(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := fixedHandler(&buf, 63)
	l := slog.New(h)
	l.Info("hidden")
	l.Log(context.Background(), LevelNotice, "shown", "x", "")
	got := buf.String()
	re := regexp.MustCompile(`^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d mx1 dbmail-imapd\[8602\]: \[0x0\] Notice:\[server\] logging\.TestLineHandlerCallerAndMask\(\+\d+\): shown x=""\n$`)
	if !re.MatchString(got) {
		t.Errorf("line %q does not match %s", got, re)
	}
	buf.Reset()
	h.SetMask(127)
	l.Info("now shown")
	if !strings.Contains(buf.String(), "Info:[server]") {
		t.Errorf("after SetMask(127) info missing: %q", buf.String())
	}
}

func TestQuoteValue(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"INBOX":       "INBOX",
		"":            `""`,
		"a b":         `"a b"`,
		`x"y`:         `"x\"y"`,
		"k=v":         `"k=v"`,
		"Entwürfe":    "Entwürfe",
		"tab\there":   `"tab\there"`,
		"\xff":        `"\xff"`,
		"Sent/2026":   "Sent/2026",
		`back\slash`:  `"back\\slash"`,
		"line\r\nend": `"line\r\nend"`,
	}
	for in, want := range tests {
		if got := QuoteValue(in); got != want {
			t.Errorf("QuoteValue(%q) = %s, want %s", in, got, want)
		}
	}
}

type recSyslog struct{ lines []string }

func (r *recSyslog) add(p, s string) error  { r.lines = append(r.lines, p+" "+s); return nil }
func (r *recSyslog) Emerg(s string) error   { return r.add("emerg", s) }
func (r *recSyslog) Alert(s string) error   { return r.add("alert", s) }
func (r *recSyslog) Crit(s string) error    { return r.add("crit", s) }
func (r *recSyslog) Err(s string) error     { return r.add("err", s) }
func (r *recSyslog) Warning(s string) error { return r.add("warning", s) }
func (r *recSyslog) Notice(s string) error  { return r.add("notice", s) }
func (r *recSyslog) Info(s string) error    { return r.add("info", s) }
func (r *recSyslog) Debug(s string) error   { return r.add("debug", s) }

func TestSyslogHandlerPriorities(t *testing.T) {
	t.Parallel()
	rec := &recSyslog{}
	h := newSyslogHandler(rec, MaskAll)
	l := slog.New(h.WithAttrs([]slog.Attr{slog.String(KeyModule, "pop3")}))
	levels := []slog.Level{LevelEmergency, LevelAlert, LevelCritical, LevelError, LevelWarning, LevelNotice, LevelInfo, LevelDebug, LevelDatabase}
	for _, lv := range levels {
		r := slog.NewRecord(time.Time{}, lv, "m", 0)
		if err := l.Handler().Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"emerg EMERGENCY:[pop3] -(+0): m", "alert Alert:[pop3] -(+0): m", "crit Critical:[pop3] -(+0): m",
		"err Error:[pop3] -(+0): m", "warning Warning:[pop3] -(+0): m", "notice Notice:[pop3] -(+0): m",
		"info Info:[pop3] -(+0): m", "debug Debug:[pop3] -(+0): m", "debug Database:[pop3] -(+0): m",
	}
	if fmt.Sprint(rec.lines) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", rec.lines, want)
	}
}

func TestOutputReopenAndApply(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "dbmail.log")
	rec := &recSyslog{}
	dial := func(string, Mask) (*SyslogHandler, error) { return newSyslogHandler(rec, 31), nil }
	o, err := open(Config{Program: "dbmail-pop3d", Ident: "dbmail/pop3d", File: path, FileMask: 63, SyslogMask: 31}, os.Stderr, dial)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	l := slog.New(o.Handler()).With(KeyModule, "pop3")
	l.Warn("first")
	// logrotate: move the file away, then reopen (SIGHUP).
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := o.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Log(context.Background(), LevelNotice, "second")
	if err := o.Apply(Config{Program: "dbmail-pop3d", Ident: "dbmail/pop3d", File: path, FileMask: 15, SyslogMask: 0}); err != nil {
		t.Fatal(err)
	}
	l.Log(context.Background(), LevelNotice, "third (filtered)")
	l.Error("fourth")
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), "Warning:[pop3]") || strings.Count(string(old), "\n") != 1 {
		t.Errorf("rotated file: %q", old)
	}
	if strings.Count(string(cur), "\n") != 2 || !strings.Contains(string(cur), ": second") || !strings.Contains(string(cur), ": fourth") {
		t.Errorf("current file: %q", cur)
	}
	// syslog had warning mask: saw "first" only (notice filtered), then was disconnected.
	if len(rec.lines) != 1 || !strings.HasPrefix(rec.lines[0], "warning Warning:[pop3]") {
		t.Errorf("syslog lines: %q", rec.lines)
	}
}
