// Package logging implements DBMail's logging model on log/slog: the level
// bit masks of dbmail.conf (spec 5.8), DBMail-style log file lines, syslog
// with facility mail, and protocol tracing that redacts secrets and bodies.
package logging

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// DBMail's levels as slog levels. slog's own Debug, Info, Warn and Error keep
// their meaning; the DBMail levels in between get their own values so that a
// record carries exactly one DBMail level (spec 5.8).
const (
	LevelDatabase  slog.Level = -8
	LevelDebug     slog.Level = slog.LevelDebug // -4
	LevelInfo      slog.Level = slog.LevelInfo  // 0
	LevelNotice    slog.Level = 2
	LevelWarning   slog.Level = slog.LevelWarn  // 4
	LevelError     slog.Level = slog.LevelError // 8
	LevelCritical  slog.Level = 12
	LevelAlert     slog.Level = 16
	LevelEmergency slog.Level = 20
)

// Mask is a DBMail logging level bit mask (spec 5.8): 1 emergency, 2 alert,
// 4 critical, 8 error, 16 warning, 32 notice, 64 info, 128 debug,
// 256 database.
type Mask uint16

// The single bits of a Mask.
const (
	MaskEmergency Mask = 1 << iota
	MaskAlert
	MaskCritical
	MaskError
	MaskWarning
	MaskNotice
	MaskInfo
	MaskDebug
	MaskDatabase
)

// MaskAll enables every level including database.
const MaskAll = Mask(511)

// Defaults when the keys are unset (spec 5.2).
const (
	DefaultFileMask   = Mask(7)  // emergency+alert+critical
	DefaultSyslogMask = Mask(31) // ...+error+warning
)

// keywords are cumulative (spec 5.8).
var keywords = []struct {
	name string
	mask Mask
}{
	{"nothing", 0},
	{"emergency", 1},
	{"alert", 3},
	{"critical", 7},
	{"error", 15},
	{"warning", 31},
	{"notice", 63},
	{"info", 127},
	{"debug", 255},
	{"database", 511},
}

// ParseMask parses a file_logging_levels / syslog_logging_levels value: one
// of the exact lower-case keywords or a decimal bit mask (spec 5.8).
func ParseMask(s string) (Mask, error) {
	s = strings.TrimSpace(s)
	for _, k := range keywords {
		if s == k.name {
			return k.mask, nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n > uint64(MaskAll) {
		return 0, fmt.Errorf("logging level %q: want a keyword (emergency … database, nothing) or a mask 0-511", s)
	}
	return Mask(n), nil
}

// MaskFromTrace converts the deprecated trace_syslog / trace_stderr numbers
// (0 → emergency+alert+critical, 1 adds error, … 5+ debug; spec 5.2).
func MaskFromTrace(n int) Mask {
	switch {
	case n <= 0:
		return 7
	case n == 1:
		return 15
	case n == 2:
		return 31
	case n == 3:
		return 63
	case n == 4:
		return 127
	default:
		return 255
	}
}

// bitFor maps a slog level onto the DBMail bit that governs it. Levels
// between the named ones round towards the more severe one.
func bitFor(l slog.Level) Mask {
	switch {
	case l >= LevelEmergency:
		return MaskEmergency
	case l >= LevelAlert:
		return MaskAlert
	case l >= LevelCritical:
		return MaskCritical
	case l >= LevelError:
		return MaskError
	case l >= LevelWarning:
		return MaskWarning
	case l >= LevelNotice:
		return MaskNotice
	case l >= LevelInfo:
		return MaskInfo
	case l >= LevelDebug:
		return MaskDebug
	default:
		return MaskDatabase
	}
}

// Enabled reports whether records of level l pass the mask.
func (m Mask) Enabled(l slog.Level) bool { return m&bitFor(l) != 0 }

// Name is DBMail's spelling of a level in file lines (spec 5.8).
func Name(l slog.Level) string {
	switch bitFor(l) {
	case MaskEmergency:
		return "EMERGENCY"
	case MaskAlert:
		return "Alert"
	case MaskCritical:
		return "Critical"
	case MaskError:
		return "Error"
	case MaskWarning:
		return "Warning"
	case MaskNotice:
		return "Notice"
	case MaskInfo:
		return "Info"
	case MaskDebug:
		return "Debug"
	default:
		return "Database"
	}
}
