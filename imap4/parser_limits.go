package imap4

// Limits bounds what one connection's parser accepts (style.md practice 13).
// Every limit is checked before the bytes it concerns are accepted. A zero
// field takes the default named in its comment.
type Limits struct {
	// MaxLine is the longest command line in bytes, without CRLF and
	// without literal data (default 65536, DBMail's MAX_LINESIZE, spec 0.1).
	MaxLine int
	// MaxCommand bounds the bytes of one command the parser buffers: all
	// its lines plus its buffered (non-message) literals (default 1 MiB).
	MaxCommand int
	// MaxLiteral bounds a message literal of APPEND, streamed to the
	// caller's sink (default 64 MiB; advertise it as APPENDLIMIT).
	MaxLiteral int64
	// MaxStringLiteral bounds a literal used as a string argument, which
	// is buffered (default 65536).
	MaxStringLiteral int64
	// MaxNonSyncLiteral, when positive, rejects larger non-synchronising
	// literals as RFC 7888 §4 LITERAL- requires (4096); 0 means LITERAL+.
	MaxNonSyncLiteral int64
	// MaxDepth bounds the nesting of parenthesised lists (default 32).
	MaxDepth int
	// MaxPipeline is how many parsed commands may wait for the caller to
	// call CommandDone before the parser stops accepting bytes (default 64).
	MaxPipeline int
	// MaxLiterals bounds the number of literals in one command (default 1024).
	MaxLiterals int
}

// Default limits.
const (
	DefaultMaxLine          = 65536
	DefaultMaxCommand       = 1 << 20
	DefaultMaxLiteral       = 64 << 20
	DefaultMaxStringLiteral = 65536
	DefaultMaxDepth         = 32
	DefaultMaxPipeline      = 64
	DefaultMaxLiterals      = 1024
	// LiteralMinusMax is the RFC 7888 §4 bound on non-synchronising
	// literals for servers that advertise LITERAL-.
	LiteralMinusMax = 4096
)

func (l Limits) withDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.MaxCommand <= 0 {
		l.MaxCommand = DefaultMaxCommand
	}
	if l.MaxCommand < l.MaxLine {
		l.MaxCommand = l.MaxLine
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultMaxLiteral
	}
	if l.MaxStringLiteral <= 0 {
		l.MaxStringLiteral = DefaultMaxStringLiteral
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxPipeline <= 0 {
		l.MaxPipeline = DefaultMaxPipeline
	}
	if l.MaxLiterals <= 0 {
		l.MaxLiterals = DefaultMaxLiterals
	}
	return l
}
