package logging

import (
	"log/slog"
	"testing"
)

func TestParseMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Mask
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
		{" notice ", 63, true},
		{"5", 5, true},
		{"0", 0, true},
		{"511", 511, true},
		{"512", 0, false},
		{"Notice", 0, false}, // keywords are exact lower case (spec 5.8)
		{"-1", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseMask(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMask(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMaskEnabled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mask  Mask
		level slog.Level
		want  bool
	}{
		{5, LevelEmergency, true},
		{5, LevelAlert, false},
		{5, LevelCritical, true},
		{63, LevelNotice, true},
		{63, LevelInfo, false},
		{31, LevelWarning, true},
		{31, slog.LevelError, true},
		{255, LevelDatabase, false},
		{511, LevelDatabase, true},
		{MaskDatabase, LevelDebug, false},
		{MaskInfo, slog.Level(1), true}, // between info and notice rounds down to info
	}
	for _, tt := range tests {
		if got := tt.mask.Enabled(tt.level); got != tt.want {
			t.Errorf("Mask(%d).Enabled(%v) = %v, want %v", tt.mask, tt.level, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	want := map[slog.Level]string{
		LevelEmergency: "EMERGENCY", LevelAlert: "Alert", LevelCritical: "Critical",
		LevelError: "Error", LevelWarning: "Warning", LevelNotice: "Notice",
		LevelInfo: "Info", LevelDebug: "Debug", LevelDatabase: "Database",
	}
	for l, n := range want {
		if got := Name(l); got != n {
			t.Errorf("Name(%v) = %q, want %q", l, got, n)
		}
	}
}

func TestMaskFromTrace(t *testing.T) {
	t.Parallel()
	want := []Mask{7, 15, 31, 63, 127, 255, 255}
	for n, w := range want {
		if got := MaskFromTrace(n); got != w {
			t.Errorf("MaskFromTrace(%d) = %d, want %d", n, got, w)
		}
	}
}

func FuzzParseMask(f *testing.F) {
	for _, s := range []string{"notice", "511", "0", " debug", "1x", "-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMask(s)
		if err == nil && m > MaskAll {
			t.Fatalf("ParseMask(%q) = %d beyond the mask range", s, m)
		}
		tf, err := ParseTrace(s)
		if err != nil {
			return
		}
		if tf&^(TraceOn|TraceSecrets|TraceBodies) != 0 || (tf != TraceOff && tf&TraceOn == 0) {
			t.Fatalf("ParseTrace(%q) = %b: unknown bits or secrets/bodies without on", s, tf)
		}
	})
}
