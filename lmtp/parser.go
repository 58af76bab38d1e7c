// Package lmtp implements dbmail-lmtpd's protocol (RFC 2033 on top of the
// SMTP grammar of RFC 5321) as a push state machine: the server core feeds
// it whatever bytes arrived, it emits commands and message data, and never
// does I/O itself.
package lmtp

import (
	"bytes"
	"strings"
)

// EventKind says what the parser found.
type EventKind int

const (
	// EventCommand is one command line (RFC 5321 §4.1.1).
	EventCommand EventKind = iota + 1
	// EventLineTooLong: a command line exceeded the limit; it was discarded
	// up to its end (RFC 5321 §4.5.3.1.4: reply 500).
	EventLineTooLong
	// EventData carries message bytes after dot-unstuffing (RFC 5321
	// §4.5.2), with the sender's line endings.
	EventData
	// EventDataEnd: the terminating "." line was read.
	EventDataEnd
)

// Event is one thing the parser found; Data is only valid during the emit
// call.
type Event struct {
	Kind EventKind
	Verb string // upper-cased command verb
	Arg  string // the rest of the line, trimmed
	Data []byte
}

type dataState int

const (
	lineStart dataState = iota // at the start of a message line
	sawDot                     // a "." at the start of a line
	sawDotCR                   // ".\r" at the start of a line
	midLine                    // inside a line
)

// Parser is the LMTP read state machine. The zero value is not usable: set
// MaxLine (DBMail's 65536) with NewParser.
type Parser struct {
	maxLine int
	inData  bool
	ds      dataState
	line    []byte // carry-over of a partial command line, at most maxLine
	tooLong bool   // discarding the rest of an over-long line
}

// NewParser returns a parser in command mode.
func NewParser(maxLine int) *Parser {
	if maxLine <= 0 {
		maxLine = 65536
	}
	return &Parser{maxLine: maxLine}
}

// StartData switches to message-data mode after the 354 reply (RFC 5321
// §4.1.1.4); the parser returns to command mode after the final ".".
func (p *Parser) StartData() {
	p.inData = true
	p.ds = lineStart
}

// InData reports whether the parser is reading message data.
func (p *Parser) InData() bool { return p.inData }

// Buffered is the number of bytes the parser holds between calls.
func (p *Parser) Buffered() int { return cap(p.line) }

// Feed consumes b, calling emit for each event. If emit returns an error,
// Feed stops and returns it along with the number of bytes consumed.
func (p *Parser) Feed(b []byte, emit func(Event) error) (int, error) {
	i := 0
	for i < len(b) {
		if p.inData {
			n, done, err := p.feedData(b[i:], emit)
			i += n
			if err != nil {
				return i, err
			}
			if done {
				p.inData = false
				if err := emit(Event{Kind: EventDataEnd}); err != nil {
					return i, err
				}
			}
			continue
		}
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			p.carry(b[i:])
			return len(b), nil
		}
		chunk := b[i : i+j]
		i += j + 1
		if p.tooLong {
			p.tooLong = false
			p.line = p.line[:0]
			if err := emit(Event{Kind: EventLineTooLong}); err != nil {
				return i, err
			}
			continue
		}
		var line []byte
		if len(p.line) > 0 {
			p.carry(chunk)
			if p.tooLong {
				p.tooLong = false
				p.line = p.line[:0]
				if err := emit(Event{Kind: EventLineTooLong}); err != nil {
					return i, err
				}
				continue
			}
			line = p.line
		} else {
			if len(chunk) > p.maxLine {
				if err := emit(Event{Kind: EventLineTooLong}); err != nil {
					return i, err
				}
				continue
			}
			line = chunk
		}
		ev := parseCommand(line)
		p.line = p.line[:0]
		if cap(p.line) > 4096 {
			p.line = nil // give a big carry-over buffer back
		}
		if err := emit(ev); err != nil {
			return i, err
		}
	}
	return i, nil
}

// carry appends a partial line, switching to discard mode past the limit;
// the limit is checked before the bytes are kept.
func (p *Parser) carry(b []byte) {
	if p.tooLong {
		return
	}
	if len(p.line)+len(b) > p.maxLine {
		p.tooLong = true
		p.line = p.line[:0]
		return
	}
	p.line = append(p.line, b...)
}

func parseCommand(line []byte) Event {
	s := strings.TrimRight(string(line), "\r")
	verb, arg, _ := strings.Cut(s, " ")
	return Event{Kind: EventCommand, Verb: strings.ToUpper(verb), Arg: strings.TrimSpace(arg)}
}

// feedData unstuffs message data (RFC 5321 §4.5.2) and finds the end of
// data ("." alone on a line; a bare-LF ".\n" is accepted too). It returns
// the bytes consumed and whether the end was reached.
func (p *Parser) feedData(b []byte, emit func(Event) error) (int, bool, error) {
	i := 0
	start := 0 // start of the pending run of content bytes
	flush := func(end int) error {
		if end > start {
			if err := emit(Event{Kind: EventData, Data: b[start:end]}); err != nil {
				return err
			}
		}
		return nil
	}
	for i < len(b) {
		switch p.ds {
		case lineStart:
			if b[i] == '.' {
				if err := flush(i); err != nil {
					return i, false, err
				}
				p.ds = sawDot
				i++
				start = i
				continue
			}
			p.ds = midLine
		case sawDot:
			switch b[i] {
			case '\r':
				p.ds = sawDotCR
				i++
				start = i
				continue
			case '\n':
				return i + 1, true, nil
			}
			// A stuffed dot: it was dropped, this byte is content.
			p.ds = midLine
		case sawDotCR:
			if b[i] == '\n' {
				return i + 1, true, nil
			}
			// ".\r" then something else: the CR is content.
			if err := emit(Event{Kind: EventData, Data: []byte{'\r'}}); err != nil {
				return i, false, err
			}
			p.ds = midLine
		case midLine:
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				i = len(b)
				continue
			}
			i += j + 1
			p.ds = lineStart
		}
	}
	return i, false, flush(i)
}
