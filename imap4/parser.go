// Package imap4 implements the IMAP protocol of dbmail-imapd. This part is
// the wire layer: Parser, a push state machine that turns the client's
// byte stream into typed Commands (RFC 3501 §9 and the extensions named on
// each argument type), and Encoder, which writes response syntax.
//
// A connection loop drives the parser like this:
//
//	for len(buf) > 0 {
//		n, ev, err := p.Feed(buf)
//		buf = buf[n:]
//		switch ev {
//		case EventLiteral:      // check p.Literal(); AcceptLiteral(sink) then "+ OK", or RejectLiteral and NO/BAD
//		case EventLiteralTooBig: // answer "<tag> NO [TOOBIG] ..." (or BAD), the parser already skips it
//		case EventLineTooLong:  // answer BAD (or close, as DBMail does)
//		case EventPipelineFull: // stop reading until CommandDone
//		case EventCommand:      // p.Command(): execute, then p.CommandDone()
//		}
//	}
package imap4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is what Parser.Feed reports to the caller (style.md practice 4:
// the parser returns actions and never does I/O).
type Event uint8

const (
	// EventNone: all input was consumed; read more and feed it.
	EventNone Event = iota
	// EventCommand: a command is complete with all its literals. Command()
	// returns it, or a *SyntaxError to answer with BAD. The caller calls
	// CommandDone when it has finished executing it (pipeline accounting).
	EventCommand
	// EventLiteral: a literal was announced that the caller must decide on
	// before any of its bytes are accepted: every APPEND message literal
	// (stream it to a sink) and every synchronising literal (RFC 3501 §7.5:
	// the caller sends "+ ..." only after accepting it). Literal() describes
	// it; answer with AcceptLiteral or RejectLiteral before feeding again.
	EventLiteral
	// EventLiteralTooBig: an announced literal exceeds a limit. The parser
	// has already rejected it: a synchronising literal ends the command (the
	// client waits for "+" and gets the caller's tagged NO/BAD instead); the
	// bytes of a non-synchronising one are read and discarded together with
	// the rest of the command (RFC 7888 §4). Literal() says which limit.
	EventLiteralTooBig
	// EventLineTooLong: a line exceeds Limits.MaxLine or the command exceeds
	// Limits.MaxCommand. The parser discards the rest of the command;
	// LineTag() gives the tag when it could be read.
	EventLineTooLong
	// EventPipelineFull: Limits.MaxPipeline commands wait for CommandDone.
	// Nothing of the new command was consumed; stop reading until a command
	// finishes (or drop the connection).
	EventPipelineFull
	// EventIdleDone: in ModeIdle the client sent "DONE" (RFC 2177 §3).
	EventIdleDone
	// EventIdleBad: in ModeIdle the client sent another line; Line() has it.
	EventIdleBad
	// EventAuthResponse: in ModeAuth the client sent a continuation line
	// (RFC 3501 §6.2.2); AuthResponse() decodes it.
	EventAuthResponse
)

func (e Event) String() string {
	switch e {
	case EventNone:
		return "None"
	case EventCommand:
		return "Command"
	case EventLiteral:
		return "Literal"
	case EventLiteralTooBig:
		return "LiteralTooBig"
	case EventLineTooLong:
		return "LineTooLong"
	case EventPipelineFull:
		return "PipelineFull"
	case EventIdleDone:
		return "IdleDone"
	case EventIdleBad:
		return "IdleBad"
	case EventAuthResponse:
		return "AuthResponse"
	}
	return fmt.Sprintf("Event(%d)", uint8(e))
}

// Mode selects how the next line is read; the caller switches it.
type Mode uint8

const (
	// ModeCommand: lines are tagged commands (the default).
	ModeCommand Mode = iota
	// ModeIdle: the next line must be "DONE" (RFC 2177). One line is read,
	// then the parser returns to ModeCommand.
	ModeIdle
	// ModeAuth: the next line is a base64 SASL response or "*" (RFC 3501
	// §6.2.2). One line is read, then the parser returns to ModeCommand.
	ModeAuth
)

type parserState uint8

const (
	stLine    parserState = iota // reading command line bytes
	stDecide                     // waiting for AcceptLiteral/RejectLiteral
	stLiteral                    // receiving accepted literal bytes
	stSkip                       // discarding a rejected non-sync literal
	stDiscard                    // discarding the rest of a failed command
)

// literal records one literal of the buffered command.
type literal struct {
	off      int // offset of its data in Parser.cmd (or where it would be)
	size     int64
	streamed bool // the data went to a sink, it is not in cmd
	binary   bool // literal8, RFC 3516
}

// LiteralInfo describes an announced literal (EventLiteral,
// EventLiteralTooBig) so the caller can check size, state, mailbox and quota
// before sending "+" (style.md practice 5).
type LiteralInfo struct {
	Tag     string // "" when the tag could not be read
	Command string // upper-case command name, "" when unknown
	UID     bool
	Size    int64
	Sync    bool // synchronising: the client waits for "+"
	Binary  bool // literal8 "~{n}", RFC 3516 §4.2
	// Message is true for APPEND message data: accept it with a sink.
	Message bool
	// Mailbox is the APPEND target mailbox and Index the 0-based number of
	// the message within a MULTIAPPEND (RFC 3502), when Message is true.
	Mailbox string
	Index   int
	// Limit names the exceeded limit for EventLiteralTooBig.
	Limit string
}

// Parser is the per-connection IMAP command parser: a push state machine
// fed arbitrary splits of the input stream. All state lives here; it is
// not safe for concurrent use.
type Parser struct {
	lim     *Limits // read-only, may be shared by many parsers
	state   parserState
	mode    Mode
	inQuote bool
	escape  bool

	cmd       []byte // the command being assembled (lines and buffered literals)
	lineStart int    // offset of the current line in cmd
	lits      []literal
	depth     int

	head      *cmdHead // while a command with literals is parsed; nil otherwise
	info      LiteralInfo
	litRemain int64
	sink      io.Writer

	tail  [32]byte // last bytes of a line being discarded
	tailN int

	queued int

	out    *Command
	outErr error
	line   []byte // mode line (IDLE, AUTHENTICATE) without CRLF
	lineTg string // tag of a too-long line
}

// NewParser returns a parser with the given limits (zero fields default).
func NewParser(lim Limits) *Parser {
	l := lim.withDefaults()
	return newSharedParser(&l)
}

// newSharedParser returns a parser reading limits (defaults applied) that
// other parsers share: a session keeps no copy of its own.
func newSharedParser(lim *Limits) *Parser {
	return &Parser{lim: lim}
}

// Limits returns the effective limits.
func (p *Parser) Limits() Limits { return *p.lim }

// SetMode switches how the next line is read (ModeIdle after answering
// "+ idling", ModeAuth after sending an AUTHENTICATE challenge).
func (p *Parser) SetMode(m Mode) { p.mode = m }

// Mode returns the current line mode.
func (p *Parser) Mode() Mode { return p.mode }

// Command returns the command of the last EventCommand, or a
// *SyntaxError describing why it is invalid.
func (p *Parser) Command() (*Command, error) { return p.out, p.outErr }

// Literal describes the literal of the last EventLiteral or
// EventLiteralTooBig.
func (p *Parser) Literal() LiteralInfo { return p.info }

// LineTag returns the tag of the command of the last EventLineTooLong, ""
// when it could not be read.
func (p *Parser) LineTag() string { return p.lineTg }

// Line returns the line of the last EventIdleBad or EventAuthResponse,
// without CRLF. It is valid until the next Feed.
func (p *Parser) Line() []byte { return p.line }

// CommandDone tells the parser that one command reported by EventCommand
// has been executed, freeing a pipeline slot.
func (p *Parser) CommandDone() {
	if p.queued > 0 {
		p.queued--
	}
}

// Pending returns how many commands wait for CommandDone.
func (p *Parser) Pending() int { return p.queued }

// Retained returns the bytes of buffer the parser currently holds, which
// the limits bound: at most MaxCommand plus small per-literal bookkeeping.
func (p *Parser) Retained() int {
	return cap(p.cmd) + cap(p.lits)*24 + cap(p.line)
}

// ErrLiteralUndecided is returned by Feed when EventLiteral was not
// answered with AcceptLiteral or RejectLiteral.
var ErrLiteralUndecided = errors.New("imap4: literal announced but neither accepted nor rejected")

// Feed consumes bytes from b until it has something to report. It returns
// how many bytes it consumed and the event; the caller handles the event
// and feeds b[n:] (and later input) again. EventNone means all of b was
// consumed. err is non-nil only when the caller broke the protocol of the
// parser (an undecided literal) or a literal sink failed; after a sink
// failure the rest of the literal and of its command are discarded.
func (p *Parser) Feed(b []byte) (n int, ev Event, err error) {
	p.line = p.line[:0]
	for n < len(b) {
		switch p.state {
		case stDecide:
			return n, EventNone, ErrLiteralUndecided
		case stLine:
			if p.mode == ModeCommand && len(p.cmd) == 0 && p.queued >= p.lim.MaxPipeline {
				return n, EventPipelineFull, nil
			}
			k, ev := p.feedLine(b[n:])
			n += k
			if ev != EventNone {
				return n, ev, nil
			}
		case stLiteral:
			k, err := p.feedLiteral(b[n:])
			n += k
			if err != nil {
				return n, EventNone, err
			}
		case stSkip:
			k := int64(len(b) - n)
			if k > p.litRemain {
				k = p.litRemain
			}
			n += int(k)
			p.litRemain -= k
			if p.litRemain == 0 {
				p.state = stDiscard
				p.tailN = 0
			}
		case stDiscard:
			n += p.feedDiscard(b[n:])
		}
	}
	return n, EventNone, nil
}

// feedLine appends bytes of the current line to cmd until LF and handles
// the end of the line. Limits are checked before bytes are appended.
func (p *Parser) feedLine(b []byte) (int, Event) {
	i := bytes.IndexByte(b, '\n')
	seg := b
	if i >= 0 {
		seg = b[:i]
	}
	lineLen := len(p.cmd) - p.lineStart
	if excess := lineLen + len(seg) - p.lim.MaxLine; excess > 0 {
		// A single CR ending the line does not count towards its length.
		var last byte
		if len(seg) > 0 {
			last = seg[len(seg)-1]
		} else if lineLen > 0 {
			last = p.cmd[len(p.cmd)-1]
		}
		if excess > 1 || last != '\r' {
			return p.tooLong(seg, p.lim.MaxLine-lineLen)
		}
	}
	if len(p.cmd)+len(seg) > p.lim.MaxCommand+1 {
		return p.tooLong(seg, p.lim.MaxCommand-len(p.cmd))
	}
	start := len(p.cmd)
	p.cmd = append(p.cmd, seg...)
	if p.mode == ModeCommand {
		if k, ok := p.scanNesting(start); !ok {
			// Accept up to and including the offending parenthesis.
			consumed := k - start + 1
			p.cmd = p.cmd[:k+1]
			p.outErr = &SyntaxError{Tag: p.tag(), Msg: fmt.Sprintf("lists nested deeper than %d", p.lim.MaxDepth)}
			p.out = nil
			p.queued++
			p.startDiscard()
			return consumed, EventCommand
		}
	}
	if i < 0 {
		return len(b), EventNone
	}
	if l := len(p.cmd); l > p.lineStart && p.cmd[l-1] == '\r' {
		p.cmd = p.cmd[:l-1]
	}
	return i + 1, p.endLine()
}

// tooLong consumes what fits (so the tag can be read) and switches to
// discarding the rest of the command.
func (p *Parser) tooLong(seg []byte, allowed int) (int, Event) {
	if allowed < 0 {
		allowed = 0
	}
	if allowed > len(seg) {
		allowed = len(seg)
	}
	p.cmd = append(p.cmd, seg[:allowed]...)
	p.lineTg = ""
	if p.mode == ModeCommand {
		p.lineTg = p.tag()
	}
	p.mode = ModeCommand
	// The discarded line may end with a literal announcement; keep its
	// tail so the discard can skip a non-synchronising literal.
	p.tailN = 0
	p.recordTail(p.cmd[p.lineStart:])
	p.resetCommand()
	p.state = stDiscard
	return allowed, EventLineTooLong
}

// scanNesting tracks quoted strings and parenthesis depth over cmd[from:].
// It returns the offset of a parenthesis that exceeds MaxDepth.
func (p *Parser) scanNesting(from int) (int, bool) {
	for k := from; k < len(p.cmd); k++ {
		c := p.cmd[k]
		if p.inQuote {
			switch {
			case p.escape:
				p.escape = false
			case c == '\\':
				p.escape = true
			case c == '"':
				p.inQuote = false
			}
			continue
		}
		switch c {
		case '"':
			p.inQuote = true
		case '(':
			p.depth++
			if p.depth > p.lim.MaxDepth {
				return k, false
			}
		case ')':
			if p.depth > 0 {
				p.depth--
			}
		}
	}
	return 0, true
}

// endLine handles a complete line (without CRLF) at cmd[lineStart:].
func (p *Parser) endLine() Event {
	if p.mode != ModeCommand {
		return p.endModeLine()
	}
	line := p.cmd[p.lineStart:]
	if len(p.cmd) == 0 {
		// An empty line between commands is ignored.
		return EventNone
	}
	if !p.inQuote {
		if ann, ok := parseLiteralSuffix(line); ok {
			return p.announce(ann)
		}
	}
	p.out, p.outErr = parseCommand(p.cmd, p.lits, false, p.lim.MaxDepth)
	p.queued++
	p.reset()
	return EventCommand
}

func (p *Parser) endModeLine() Event {
	p.line = append(p.line[:0], p.cmd...)
	mode := p.mode
	p.mode = ModeCommand
	p.reset()
	if mode == ModeAuth {
		return EventAuthResponse
	}
	if len(p.line) == 4 && asciiEqualFold(string(p.line), "DONE") {
		return EventIdleDone
	}
	return EventIdleBad
}

// literalAnnouncement is a parsed "{n}", "{n+}", "~{n}" or "~{n+}" at the
// end of a line (RFC 3501 §9 literal, RFC 7888 literal, RFC 3516 literal8).
type literalAnnouncement struct {
	size   int64
	sync   bool
	binary bool
}

func parseLiteralSuffix(line []byte) (literalAnnouncement, bool) {
	var a literalAnnouncement
	k := len(line)
	if k < 3 || line[k-1] != '}' {
		return a, false
	}
	k--
	a.sync = true
	if line[k-1] == '+' {
		a.sync = false
		k--
	}
	end := k
	for k > 0 && line[k-1] >= '0' && line[k-1] <= '9' {
		k--
	}
	digits := line[k:end]
	if len(digits) == 0 || len(digits) > 18 || k == 0 || line[k-1] != '{' {
		return a, false
	}
	for _, d := range digits {
		a.size = a.size*10 + int64(d-'0')
	}
	if k >= 2 && line[k-2] == '~' {
		a.binary = true
	}
	return a, true
}

// announce handles a literal announced at the end of the current line: it
// classifies it by parsing the command so far and checks the limits before
// any literal byte is accepted.
func (p *Parser) announce(a literalAnnouncement) Event {
	info := LiteralInfo{Size: a.size, Sync: a.sync, Binary: a.binary}
	perr := p.classify()
	var pm *pendingMessage
	var syntaxErr *SyntaxError
	switch {
	case errors.As(perr, &pm):
		info.Message = true
		info.Mailbox = pm.mailbox
		info.Index = pm.index
		info.Tag, info.Command, info.UID = pm.tag, pm.name, pm.uid
	case errors.As(perr, &syntaxErr):
		// The command is invalid before the literal: report it now, so
		// the client is not invited to send data for it.
		info.Tag = syntaxErr.Tag
		p.info = info
		p.out, p.outErr = nil, syntaxErr
		p.queued++
		p.rejectAnnounced(a)
		return EventCommand
	default:
		var ps *pendingString
		if errors.As(perr, &ps) {
			info.Tag, info.Command, info.UID = ps.tag, ps.name, ps.uid
		}
	}
	if info.Message {
		p.cmdHead().msgs = info.Index + 1
	}
	switch {
	case len(p.lits) >= p.lim.MaxLiterals:
		info.Limit = fmt.Sprintf("more than %d literals in one command", p.lim.MaxLiterals)
	case info.Message && a.size > p.lim.MaxLiteral:
		info.Limit = fmt.Sprintf("message literal of %d bytes exceeds %d", a.size, p.lim.MaxLiteral)
	case !info.Message && a.size > p.lim.MaxStringLiteral:
		info.Limit = fmt.Sprintf("literal of %d bytes exceeds %d", a.size, p.lim.MaxStringLiteral)
	case !info.Message && int64(len(p.cmd))+2+a.size > int64(p.lim.MaxCommand):
		info.Limit = fmt.Sprintf("command exceeds %d bytes", p.lim.MaxCommand)
	case !a.sync && p.lim.MaxNonSyncLiteral > 0 && a.size > p.lim.MaxNonSyncLiteral:
		info.Limit = fmt.Sprintf("non-synchronizing literal of %d bytes exceeds %d (LITERAL-)", a.size, p.lim.MaxNonSyncLiteral)
	}
	p.info = info
	if info.Limit != "" {
		p.rejectAnnounced(a)
		return EventLiteralTooBig
	}
	if !info.Message && !a.sync {
		// A small non-synchronising string literal needs no decision.
		p.acceptLiteral(nil)
		return EventNone
	}
	p.state = stDecide
	return EventLiteral
}

// cmdHead caches what the parse of a command's first lines found, so a
// command with many literals is not parsed again from its start for each
// one (which would cost MaxLiterals times MaxCommand).
type cmdHead struct {
	known      bool // tag and name are known, and so is the role of literals
	append     bool // APPEND with its mailbox parsed: every literal is a message
	tag, name  string
	uid        bool
	mailbox    string
	msgs       int // message literals announced so far
	scanFrom   int // APPEND: where the next message's syntax starts in cmd
	scanFromLi int // APPEND: how many literals precede scanFrom
}

// cmdHead returns the command's head cache, made on the first literal.
func (p *Parser) cmdHead() *cmdHead {
	if p.head == nil {
		p.head = new(cmdHead)
	}
	return p.head
}

// classify parses the command up to the literal announced at the end of
// cmd: it returns *pendingString, *pendingMessage or *SyntaxError.
func (p *Parser) classify() error {
	h := p.cmdHead()
	switch {
	case h.known && !h.append:
		return &pendingString{tag: h.tag, name: h.name, uid: h.uid}
	case h.known && h.append:
		// Only the syntax since the previous message literal is new.
		r := &reader{b: p.cmd, pos: h.scanFrom, lits: p.lits, li: h.scanFromLi, pending: true,
			maxDepth: p.lim.MaxDepth, tag: h.tag, name: h.name, uid: h.uid}
		_, err := r.appendMessage(h.mailbox, h.msgs)
		if err == nil {
			err = r.errorf("unexpected data after message literal")
		}
		return err
	}
	_, err := parseCommand(p.cmd, p.lits, true, p.lim.MaxDepth)
	var ps *pendingString
	var pm *pendingMessage
	switch {
	case errors.As(err, &ps) && ps.name != "APPEND":
		*h = cmdHead{known: true, tag: ps.tag, name: ps.name, uid: ps.uid}
	case errors.As(err, &pm):
		*h = cmdHead{known: true, append: true, tag: pm.tag, name: pm.name, uid: pm.uid, mailbox: pm.mailbox}
	}
	return err
}

// rejectAnnounced abandons the command of a literal announced at the end of
// the current line: a synchronising literal will not be sent by the client;
// a non-synchronising one is read and discarded with the rest of the
// command (RFC 7888 §4).
func (p *Parser) rejectAnnounced(a literalAnnouncement) {
	if a.sync {
		p.reset()
		return
	}
	p.resetCommand()
	p.litRemain = a.size
	p.state = stSkip
	if a.size == 0 {
		p.state = stDiscard
		p.tailN = 0
	}
}

// AcceptLiteral accepts the literal of the last EventLiteral. A message
// literal is streamed to sink (which must not be nil unless the literal is
// small enough to buffer); a string literal must have a nil sink and is
// buffered. For a synchronising literal the caller then sends "+ ...".
func (p *Parser) AcceptLiteral(sink io.Writer) error {
	if p.state != stDecide {
		return errors.New("imap4: AcceptLiteral without a pending literal")
	}
	if sink == nil && (p.info.Size > p.lim.MaxStringLiteral || int64(len(p.cmd))+2+p.info.Size > int64(p.lim.MaxCommand)) {
		return fmt.Errorf("imap4: literal of %d bytes is too big to buffer; give a sink", p.info.Size)
	}
	if sink != nil && !p.info.Message {
		return errors.New("imap4: only APPEND message literals can be streamed to a sink")
	}
	p.acceptLiteral(sink)
	return nil
}

func (p *Parser) acceptLiteral(sink io.Writer) {
	p.cmd = append(p.cmd, '\r', '\n')
	p.lits = append(p.lits, literal{off: len(p.cmd), size: p.info.Size, streamed: sink != nil, binary: p.info.Binary})
	p.sink = sink
	p.litRemain = p.info.Size
	p.state = stLiteral
	if p.litRemain == 0 {
		p.endLiteral()
	}
}

// RejectLiteral refuses the literal of the last EventLiteral; the caller
// answers the command with a tagged NO or BAD.
func (p *Parser) RejectLiteral() error {
	if p.state != stDecide {
		return errors.New("imap4: RejectLiteral without a pending literal")
	}
	p.rejectAnnounced(literalAnnouncement{size: p.info.Size, sync: p.info.Sync, binary: p.info.Binary})
	return nil
}

func (p *Parser) feedLiteral(b []byte) (int, error) {
	k := int64(len(b))
	if k > p.litRemain {
		k = p.litRemain
	}
	chunk := b[:k]
	if p.sink != nil {
		if _, err := p.sink.Write(chunk); err != nil {
			p.litRemain -= k
			p.resetCommand()
			p.state = stSkip
			if p.litRemain == 0 {
				p.state = stDiscard
				p.tailN = 0
			}
			return int(k), fmt.Errorf("imap4: literal sink: %w", err)
		}
	} else {
		p.cmd = append(p.cmd, chunk...)
	}
	p.litRemain -= k
	if p.litRemain == 0 {
		p.endLiteral()
	}
	return int(k), nil
}

func (p *Parser) endLiteral() {
	if p.head != nil && p.head.append {
		p.head.scanFrom, p.head.scanFromLi = len(p.cmd), len(p.lits)
	}
	p.sink = nil
	p.state = stLine
	p.lineStart = len(p.cmd)
	p.inQuote, p.escape = false, false
}

// feedDiscard skips bytes to the end of the line; a line that ends with a
// non-synchronising literal is followed by its bytes, which are skipped too.
func (p *Parser) feedDiscard(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		p.recordTail(b)
		return len(b)
	}
	p.recordTail(b[:i])
	tail := p.tail[:p.tailN]
	if len(tail) > 0 && tail[len(tail)-1] == '\r' {
		tail = tail[:len(tail)-1]
	}
	if a, ok := parseLiteralSuffix(tail); ok && !a.sync && a.size > 0 {
		p.litRemain = a.size
		p.state = stSkip
		return i + 1
	}
	p.reset()
	return i + 1
}

func (p *Parser) recordTail(b []byte) {
	if len(b) >= len(p.tail) {
		p.tailN = copy(p.tail[:], b[len(b)-len(p.tail):])
		return
	}
	if p.tailN+len(b) > len(p.tail) {
		drop := p.tailN + len(b) - len(p.tail)
		copy(p.tail[:], p.tail[drop:p.tailN])
		p.tailN -= drop
	}
	p.tailN += copy(p.tail[p.tailN:], b)
}

func (p *Parser) startDiscard() {
	p.resetCommand()
	p.state = stDiscard
	p.tailN = 0
}

// resetCommand drops the buffered command; buffers grown past the line
// limit are released so an idle connection holds little memory.
func (p *Parser) resetCommand() {
	if cap(p.cmd) > 2*p.lim.MaxLine || cap(p.cmd) > 64<<10 {
		p.cmd = nil
	} else {
		p.cmd = p.cmd[:0]
	}
	if cap(p.lits) > 64 {
		p.lits = nil
	} else {
		p.lits = p.lits[:0]
	}
	p.lineStart = 0
	p.inQuote, p.escape = false, false
	p.depth = 0
	p.sink = nil
	p.head = nil
}

// reset prepares for the next command.
func (p *Parser) reset() {
	p.resetCommand()
	p.state = stLine
}

// tag returns the tag at the start of cmd if it is a valid tag.
func (p *Parser) tag() string {
	end := bytes.IndexByte(p.cmd, ' ')
	if end < 0 {
		end = len(p.cmd)
	}
	t := p.cmd[:end]
	if !validTag(t) {
		return ""
	}
	return string(t)
}
