package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Attribute keys the handlers print in DBMail's line prefix instead of the
// key=value tail.
const (
	// KeyModule names the component, printed as "Level:[module]".
	KeyModule = "module"
	// KeySession is a session id, printed as "[0x…]" where DBMail prints
	// its thread pointer.
	KeySession = "session"
)

// lineSink is a writer with a level mask shared by a handler and every
// handler derived from it through WithAttrs/WithGroup.
type lineSink struct {
	mu   sync.Mutex
	w    io.Writer
	mask atomic.Uint32
	host string
	prog string
	pid  int
	now  func() time.Time
}

// LineHandler is a slog.Handler writing DBMail-style file lines (spec 5.8):
//
//	Nov 22 21:43:51 host dbmail-lmtpd[8602]: [0x0000002a] Error:[lmtp] lmtp.(*session).data(+212): text key=value
type LineHandler struct {
	sink   *lineSink
	module string
	sess   string
	prefix string // pre-rendered " key=value" attrs
	groups string // "a.b." prefix for later attribute keys
}

// NewLineHandler returns a handler writing to w for program (the process
// name, e.g. dbmail-imapd) with the given level mask.
func NewLineHandler(w io.Writer, program string, mask Mask) *LineHandler {
	host, _ := os.Hostname()
	if i := strings.IndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	s := &lineSink{w: w, host: host, prog: program, pid: os.Getpid(), now: time.Now}
	s.mask.Store(uint32(mask))
	return &LineHandler{sink: s, module: "server", sess: "0x0"}
}

// SetMask changes the level mask of this handler and all derived ones.
func (h *LineHandler) SetMask(m Mask) { h.sink.mask.Store(uint32(m)) }

// Mask returns the current level mask.
func (h *LineHandler) Mask() Mask { return Mask(h.sink.mask.Load()) }

// SetWriter swaps the destination (used when the log file is reopened).
func (h *LineHandler) SetWriter(w io.Writer) {
	h.sink.mu.Lock()
	h.sink.w = w
	h.sink.mu.Unlock()
}

// Enabled implements slog.Handler.
func (h *LineHandler) Enabled(_ context.Context, l slog.Level) bool {
	return Mask(h.sink.mask.Load()).Enabled(l)
}

// WithAttrs implements slog.Handler.
func (h *LineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range as {
		n.absorb(&b, a)
	}
	n.prefix = b.String()
	return &n
}

// WithGroup implements slog.Handler.
func (h *LineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.groups = h.groups + name + "."
	return &n
}

// absorb handles the special keys at top level and renders the rest.
func (h *LineHandler) absorb(b *strings.Builder, a slog.Attr) {
	if h.groups == "" {
		switch a.Key {
		case KeyModule:
			h.module = a.Value.String()
			return
		case KeySession:
			h.sess = sessionTag(a.Value)
			return
		}
	}
	appendAttr(b, h.groups, a)
}

func sessionTag(v slog.Value) string {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindUint64:
		return "0x" + strconv.FormatUint(v.Uint64(), 16)
	case slog.KindInt64:
		return "0x" + strconv.FormatInt(v.Int64(), 16)
	default:
		return v.String()
	}
}

// Handle implements slog.Handler.
func (h *LineHandler) Handle(_ context.Context, r slog.Record) error {
	module, sess := h.module, h.sess
	var tail strings.Builder
	tail.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		if h.groups == "" && a.Key == KeyModule {
			module = a.Value.String()
		} else if h.groups == "" && a.Key == KeySession {
			sess = sessionTag(a.Value)
		} else {
			appendAttr(&tail, h.groups, a)
		}
		return true
	})
	t := r.Time
	if t.IsZero() {
		t = h.sink.now()
	}
	var b strings.Builder
	b.Grow(96 + len(r.Message) + tail.Len())
	b.WriteString(t.Format("Jan 02 15:04:05"))
	fmt.Fprintf(&b, " %s %s[%d]: [%s] %s:[%s] %s: ", h.sink.host, h.sink.prog, h.sink.pid, sess, Name(r.Level), module, caller(r.PC))
	b.WriteString(r.Message)
	b.WriteString(tail.String())
	b.WriteByte('\n')
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	if _, err := io.WriteString(h.sink.w, b.String()); err != nil {
		return fmt.Errorf("write log line: %w", err)
	}
	return nil
}

// caller renders DBMail's "function(+line)" from a record's PC.
func caller(pc uintptr) string {
	if pc == 0 {
		return "-(+0)"
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	fn := f.Function
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fn + "(+" + strconv.Itoa(f.Line) + ")"
}

// appendAttr renders " key=value", flattening groups into dotted keys.
func appendAttr(b *strings.Builder, groups string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := groups
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, sub := range a.Value.Group() {
			appendAttr(b, g, sub)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(groups)
	b.WriteString(a.Key)
	b.WriteByte('=')
	var s string
	if a.Value.Kind() == slog.KindTime {
		s = a.Value.Time().UTC().Format(time.RFC3339)
	} else {
		s = a.Value.String()
	}
	b.WriteString(QuoteValue(s))
}

// QuoteValue returns s unchanged when it is a non-empty run of printable
// characters without spaces, quotes, backslashes or '='; otherwise a Go
// quoted string. The state dump uses the same rule.
func QuoteValue(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r <= ' ' || r == '"' || r == '=' || r == '\\' || r == 0x7f || !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
		i += size
	}
	return s
}
