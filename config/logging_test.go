package config

import (
	"log/slog"
	"testing"
)

func TestParseLevelMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want LevelMask
		ok   bool
	}{
		{"nothing", 0, true},
		{"emergency", 1, true},
		{"alert", 3, true},
		{"critical", 7, true},
		{"error", 15, true},
		{"warning", 31, true},
		{"notice", 63, true},
		{"info", 127, true},
		{"debug", 255, true},
		{"database", 511, true},
		{"0", 0, true},
		{"5", LevelEmergency | LevelCritical, true},
		{"511", LevelAll, true},
		{"512", 0, false},
		{"Warning", 0, false}, // keywords are exact lower case
		{"-1", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseLevelMask(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseLevelMask(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestTraceLevelMask(t *testing.T) {
	t.Parallel()
	want := map[int]LevelMask{-1: 7, 0: 7, 1: 15, 2: 31, 3: 63, 4: 127, 5: 255, 9: 255}
	for n, w := range want {
		if got := TraceLevelMask(n); got != w {
			t.Errorf("TraceLevelMask(%d) = %d, want %d", n, got, w)
		}
	}
}

func TestLevelMaskMethods(t *testing.T) {
	t.Parallel()
	m := LevelEmergency | LevelCritical // what -v sets (spec 5.8)
	if !m.Enabled(LevelCritical) || m.Enabled(LevelAlert) || m.Enabled(0) {
		t.Error("Enabled")
	}
	if got := m.String(); got != "emergency|critical" {
		t.Errorf("String = %q", got)
	}
	if got := LevelMask(0).String(); got != "nothing" {
		t.Errorf("String(0) = %q", got)
	}
	if got := LevelMask(1024 | 1).String(); got != "emergency|1024" {
		t.Errorf("String(1025) = %q", got)
	}
	notice := kw("notice")
	slogTests := []struct {
		m    LevelMask
		l    slog.Level
		want bool
	}{
		{notice, slog.LevelDebug, false},
		{notice, slog.LevelInfo, false},
		{notice, slog.LevelWarn, true},
		{notice, slog.LevelError, true},
		{kw("info"), slog.LevelInfo, true},
		{kw("debug"), slog.LevelDebug - 4, true},
		{kw("critical"), slog.LevelError, false},
		{kw("critical"), slog.LevelError + 4, true},
	}
	for _, tc := range slogTests {
		if got := tc.m.SlogEnabled(tc.l); got != tc.want {
			t.Errorf("%v.SlogEnabled(%v) = %v", tc.m, tc.l, got)
		}
	}
	levelTests := map[LevelMask]slog.Level{
		kw("debug"):   slog.LevelDebug,
		kw("notice"):  slog.LevelInfo,
		kw("warning"): slog.LevelWarn,
		kw("error"):   slog.LevelError,
		0:             slog.LevelError + 4,
	}
	for m, want := range levelTests {
		if got := m.SlogLevel(); got != want {
			t.Errorf("%v.SlogLevel() = %v, want %v", m, got, want)
		}
	}
}

// kw is the mask of a level keyword, for expected values.
func kw(keyword string) LevelMask {
	m, ok := keywordMask(keyword)
	if !ok {
		panic("unknown level keyword " + keyword)
	}
	return m
}
