package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
)

// Config is what a daemon's main reads from dbmail.conf for logging
// (spec 5.2, 5.8).
type Config struct {
	Program    string // process name in file lines: dbmail-imapd
	Ident      string // syslog ident: dbmail/imap4d
	File       string // logfile path; "stderr" or "" logs to stderr
	FileMask   Mask   // file_logging_levels
	SyslogMask Mask   // syslog_logging_levels; 0 disables syslog
}

// Output owns the log destinations of one process: a file (or stderr) and
// syslog. Its Handler is what the process's slog.Logger writes to; Apply and
// Reopen change levels and files under it without replacing loggers.
type Output struct {
	mu     sync.Mutex
	cfg    Config
	file   *os.File // nil when logging to stderr
	stderr io.Writer
	line   *LineHandler
	sys    *SyslogHandler // nil when syslog is off or unreachable
	dial   func(ident string, m Mask) (*SyslogHandler, error)
}

// Open creates an Output from cfg. A syslog connection failure is not
// fatal: it is reported on the file log and syslog stays off.
func Open(cfg Config) (*Output, error) {
	return open(cfg, os.Stderr, DialSyslog)
}

func open(cfg Config, stderr io.Writer, dial func(string, Mask) (*SyslogHandler, error)) (*Output, error) {
	o := &Output{stderr: stderr, dial: dial}
	w, f, err := o.openFile(cfg.File)
	if err != nil {
		return nil, err
	}
	o.file = f
	o.line = NewLineHandler(w, cfg.Program, cfg.FileMask)
	o.cfg = cfg
	o.connectSyslog(cfg)
	return o, nil
}

func (o *Output) openFile(path string) (io.Writer, *os.File, error) {
	if path == "" || path == "stderr" {
		return o.stderr, nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("open logfile %s: %w", path, err)
	}
	return f, f, nil
}

func (o *Output) connectSyslog(cfg Config) {
	if cfg.SyslogMask == 0 || o.dial == nil {
		return
	}
	s, err := o.dial(cfg.Ident, cfg.SyslogMask)
	if err != nil {
		slog.New(o.line).Error("syslog unavailable, logging to file only", "err", err)
		return
	}
	o.sys = s
}

// Handler returns the slog.Handler that fans out to file and syslog.
func (o *Output) Handler() slog.Handler {
	return &fanout{o: o, line: o.line}
}

// Apply switches to new settings: levels change at once, a different file
// is opened (the old one closed), syslog is connected or disconnected.
func (o *Output) Apply(cfg Config) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cfg.File != o.cfg.File {
		w, f, err := o.openFile(cfg.File)
		if err != nil {
			return err
		}
		o.line.SetWriter(w)
		if o.file != nil {
			_ = o.file.Close()
		}
		o.file = f
	}
	o.line.SetMask(cfg.FileMask)
	switch {
	case cfg.SyslogMask == 0 && o.sys != nil:
		_ = o.sys.Close()
		o.sys = nil
	case o.sys != nil && cfg.Ident == o.cfg.Ident:
		o.sys.SetMask(cfg.SyslogMask)
	default:
		if o.sys != nil {
			_ = o.sys.Close()
			o.sys = nil
		}
		o.connectSyslog(cfg)
	}
	o.cfg = cfg
	return nil
}

// Reopen closes and reopens the log file (after logrotate moved it).
func (o *Output) Reopen() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil {
		return nil
	}
	w, f, err := o.openFile(o.cfg.File)
	if err != nil {
		return err
	}
	o.line.SetWriter(w)
	_ = o.file.Close()
	o.file = f
	return nil
}

// Close releases the file and the syslog connection.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	if o.file != nil {
		o.line.SetWriter(io.Discard)
		errs = append(errs, o.file.Close())
		o.file = nil
	}
	if o.sys != nil {
		errs = append(errs, o.sys.Close())
		o.sys = nil
	}
	return errors.Join(errs...)
}

func (o *Output) syslog() *SyslogHandler {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sys
}

// fanout sends each record to the line handler and, when connected, to
// syslog. Attributes and groups are replayed onto the syslog handler per
// record because syslog may be reconnected by Apply.
type fanout struct {
	o     *Output
	line  slog.Handler
	attrs []func(slog.Handler) slog.Handler
}

func (f *fanout) Enabled(ctx context.Context, l slog.Level) bool {
	if f.line.Enabled(ctx, l) {
		return true
	}
	s := f.o.syslog()
	return s != nil && s.Enabled(ctx, l)
}

func (f *fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	if f.line.Enabled(ctx, r.Level) {
		errs = append(errs, f.line.Handle(ctx, r))
	}
	if s := f.o.syslog(); s != nil && s.Enabled(ctx, r.Level) {
		var h slog.Handler = s
		for _, a := range f.attrs {
			h = a(h)
		}
		errs = append(errs, h.Handle(ctx, r.Clone()))
	}
	return errors.Join(errs...)
}

func (f *fanout) WithAttrs(as []slog.Attr) slog.Handler {
	n := *f
	n.line = f.line.WithAttrs(as)
	n.attrs = append(f.attrs[:len(f.attrs):len(f.attrs)], func(h slog.Handler) slog.Handler { return h.WithAttrs(as) })
	return &n
}

func (f *fanout) WithGroup(name string) slog.Handler {
	n := *f
	n.line = f.line.WithGroup(name)
	n.attrs = append(f.attrs[:len(f.attrs):len(f.attrs)], func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
	return &n
}
