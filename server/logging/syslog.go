//go:build !windows && !plan9

package logging

import (
	"context"
	"fmt"
	"log/slog"
	"log/syslog"
	"strings"
	"sync/atomic"
)

// syslogWriter is the part of *syslog.Writer the handler uses, so tests can
// substitute a recorder.
type syslogWriter interface {
	Emerg(string) error
	Alert(string) error
	Crit(string) error
	Err(string) error
	Warning(string) error
	Notice(string) error
	Info(string) error
	Debug(string) error
}

// SyslogHandler sends records to syslog, facility mail, with DBMail's level
// masks (spec 5.8); database-level records go out as debug.
type SyslogHandler struct {
	w      syslogWriter
	mask   *atomic.Uint32
	module string
	prefix string
	groups string
}

// DialSyslog connects to the local syslog daemon with ident (for example
// "dbmail/imap4d"; log/syslog adds the pid) and facility mail.
func DialSyslog(ident string, mask Mask) (*SyslogHandler, error) {
	w, err := syslog.New(syslog.LOG_MAIL|syslog.LOG_INFO, ident)
	if err != nil {
		return nil, fmt.Errorf("connect to syslog as %s: %w", ident, err)
	}
	return newSyslogHandler(w, mask), nil
}

func newSyslogHandler(w syslogWriter, mask Mask) *SyslogHandler {
	m := new(atomic.Uint32)
	m.Store(uint32(mask))
	return &SyslogHandler{w: w, mask: m, module: "server"}
}

// SetMask changes the level mask of this handler and all derived ones.
func (h *SyslogHandler) SetMask(m Mask) { h.mask.Store(uint32(m)) }

// Close disconnects from syslog when the writer supports it.
func (h *SyslogHandler) Close() error {
	if c, ok := h.w.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			return fmt.Errorf("close syslog: %w", err)
		}
	}
	return nil
}

// Enabled implements slog.Handler.
func (h *SyslogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return Mask(h.mask.Load()).Enabled(l)
}

// WithAttrs implements slog.Handler.
func (h *SyslogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range as {
		if n.groups == "" && a.Key == KeyModule {
			n.module = a.Value.String()
			continue
		}
		appendAttr(&b, n.groups, a)
	}
	n.prefix = b.String()
	return &n
}

// WithGroup implements slog.Handler.
func (h *SyslogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.groups = h.groups + name + "."
	return &n
}

// Handle implements slog.Handler. The line is DBMail's file line without
// the time, host and program, which syslog adds itself.
func (h *SyslogHandler) Handle(_ context.Context, r slog.Record) error {
	module := h.module
	var tail strings.Builder
	tail.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		if h.groups == "" && a.Key == KeyModule {
			module = a.Value.String()
		} else {
			appendAttr(&tail, h.groups, a)
		}
		return true
	})
	line := Name(r.Level) + ":[" + module + "] " + caller(r.PC) + ": " + r.Message + tail.String()
	var err error
	switch bitFor(r.Level) {
	case MaskEmergency:
		err = h.w.Emerg(line)
	case MaskAlert:
		err = h.w.Alert(line)
	case MaskCritical:
		err = h.w.Crit(line)
	case MaskError:
		err = h.w.Err(line)
	case MaskWarning:
		err = h.w.Warning(line)
	case MaskNotice:
		err = h.w.Notice(line)
	case MaskInfo:
		err = h.w.Info(line)
	default:
		err = h.w.Debug(line)
	}
	if err != nil {
		return fmt.Errorf("write syslog: %w", err)
	}
	return nil
}
