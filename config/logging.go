package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// LevelMask is a set of DBMail log levels (spec 5.8): one bit per level,
// as file_logging_levels and syslog_logging_levels take them.
type LevelMask uint16

// The levels of spec 5.8, lowest bit most severe.
const (
	LevelEmergency LevelMask = 1 << iota
	LevelAlert
	LevelCritical
	LevelError
	LevelWarning
	LevelNotice
	LevelInfo
	LevelDebug
	LevelDatabase // every SQL statement; sent to syslog as debug

	// LevelAll is every level (511).
	LevelAll = LevelDatabase<<1 - 1
)

// Default masks when neither the key nor its deprecated trace_* form is set.
const (
	DefaultFileLevels   = LevelEmergency | LevelAlert | LevelCritical                             // 7
	DefaultSyslogLevels = LevelEmergency | LevelAlert | LevelCritical | LevelError | LevelWarning // 31
)

// keywordMask maps the cumulative keywords of spec 5.8 (exact lower case)
// to their masks: each keyword enables its level and every more severe one.
func keywordMask(s string) (LevelMask, bool) {
	if s == "nothing" {
		return 0, true
	}
	for i, name := range levelNames() {
		if s == name {
			return LevelMask(1)<<(i+1) - 1, true
		}
	}
	return 0, false
}

// levelNames lists the levels from bit 0 (emergency) to bit 8 (database).
func levelNames() [9]string {
	return [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug", "database"}
}

// ParseLevelMask reads a logging level as spec 5.8 defines it: a keyword
// ("nothing", "emergency" … "database", exact lower case, cumulative) or a
// decimal bit mask from 0 to 511.
func ParseLevelMask(s string) (LevelMask, error) {
	if m, ok := keywordMask(s); ok {
		return m, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || LevelMask(n) > LevelAll {
		return 0, fmt.Errorf("logging level %q: want one of nothing, emergency, alert, critical, error, warning, notice, info, debug, database, or a number from 0 to 511", s)
	}
	return LevelMask(n), nil
}

// TraceLevelMask converts a deprecated trace_syslog/trace_stderr number
// (0–5) to a mask: 0 is emergency+alert+critical, each step adds one level,
// 5 and above reach debug (spec 5.2).
func TraceLevelMask(n int) LevelMask {
	switch {
	case n <= 0:
		return DefaultFileLevels
	case n >= 5:
		return LevelDebug<<1 - 1
	}
	return LevelMask(1)<<(n+3) - 1
}

// Enabled reports whether every bit of l is in m.
func (m LevelMask) Enabled(l LevelMask) bool { return l != 0 && m&l == l }

// SlogEnabled maps an slog level to a DBMail level and reports whether m
// lets it through: Debug→debug, Info→info, Warn→warning, Error→error; levels
// above Error count as critical.
func (m LevelMask) SlogEnabled(l slog.Level) bool {
	switch {
	case l < slog.LevelInfo:
		return m.Enabled(LevelDebug)
	case l < slog.LevelWarn:
		return m.Enabled(LevelInfo)
	case l < slog.LevelError:
		return m.Enabled(LevelWarning)
	case l == slog.LevelError:
		return m.Enabled(LevelError)
	}
	return m.Enabled(LevelCritical)
}

// String lists the enabled levels, "nothing" for none: "emergency|alert".
func (m LevelMask) String() string {
	if m == 0 {
		return "nothing"
	}
	var parts []string
	for i, name := range levelNames() {
		if m&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if rest := m &^ LevelAll; rest != 0 {
		parts = append(parts, strconv.Itoa(int(rest)))
	}
	return strings.Join(parts, "|")
}

// Logging is where and how much a program logs (spec 5.2, 5.3, 5.8).
type Logging struct {
	Logfile             string    // file log; "stderr" keeps logging on stderr
	FileLoggingLevels   LevelMask // file (or stderr) log
	SyslogLoggingLevels LevelMask // syslog, facility mail
}

// SlogLevel is the least severe slog level that m lets through, for
// handlers that take one threshold; with nothing enabled it is above
// slog.LevelError.
func (m LevelMask) SlogLevel() slog.Level {
	switch {
	case m.Enabled(LevelDebug):
		return slog.LevelDebug
	case m.Enabled(LevelInfo), m.Enabled(LevelNotice):
		return slog.LevelInfo
	case m.Enabled(LevelWarning):
		return slog.LevelWarn
	case m.Enabled(LevelError):
		return slog.LevelError
	}
	return slog.LevelError + 4
}

// readLogging is SetTraceLevel plus config_get_logfiles for one section.
func (r *reader) readLogging(service string) Logging {
	g := Logging{
		Logfile:             r.str(service, "logfile", DefaultLogFile),
		FileLoggingLevels:   r.levels(service, "file_logging_levels", "trace_stderr", DefaultFileLevels),
		SyslogLoggingLevels: r.levels(service, "syslog_logging_levels", "trace_syslog", DefaultSyslogLevels),
	}
	if s := r.get(service, "trace_level"); s.set() {
		r.warn(s, "deprecated and ignored; use syslog_logging_levels and file_logging_levels")
	}
	if s := r.get(service, "errorlog"); s.set() {
		r.warn(s, "removed in DBMail 3.5.1 and ignored; errors go to logfile")
	}
	return g
}

func (r *reader) levels(service, name, deprecated string, def LevelMask) LevelMask {
	if s := r.get(service, name); s.set() {
		m, err := ParseLevelMask(s.text)
		if err != nil {
			r.fail(s, "must be a keyword (nothing, emergency, alert, critical, error, warning, notice, info, debug, database) or a number from 0 to 511")
			return def
		}
		return m
	}
	if s := r.get(service, deprecated); s.set() {
		n, err := strconv.Atoi(s.text)
		if err != nil {
			r.fail(s, "must be a number from 0 to 5")
			return def
		}
		r.warn(s, "deprecated; use %s", name)
		return TraceLevelMask(n)
	}
	return def
}
