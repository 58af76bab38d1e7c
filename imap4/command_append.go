package imap4

import "time"

// AppendArgs: APPEND SP mailbox 1*(SP [flag-list SP] [date-time SP]
// (literal / literal8)) (RFC 3501 §6.3.11, MULTIAPPEND RFC 3502 §6,
// literal8 RFC 3516 §4.2).
type AppendArgs struct {
	Mailbox  string
	Messages []AppendMessage
}

// AppendMessage is one message of an APPEND. Its data went to the sink the
// caller gave AcceptLiteral (Streamed), or is in Data when the caller let
// the parser buffer it.
type AppendMessage struct {
	Flags    []string // nil when no flag list was given
	Date     time.Time
	HasDate  bool
	Size     int64
	Binary   bool // literal8: the data may contain NUL (RFC 3516)
	Streamed bool
	Data     []byte
}

func (*AppendArgs) isArgs() {}

func parseAppend(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	a := &AppendArgs{Mailbox: m}
	for {
		if r.eof() && len(a.Messages) > 0 && !r.pending {
			return a, nil
		}
		msg, err := r.appendMessage(a.Mailbox, len(a.Messages))
		if err != nil {
			return nil, err
		}
		a.Messages = append(a.Messages, msg)
	}
}

// appendMessage parses SP [flag-list SP] [date-time SP] (literal /
// literal8), one message of an APPEND. At the announced, not yet received
// literal it returns *pendingMessage.
func (r *reader) appendMessage(mailbox string, index int) (AppendMessage, error) {
	var msg AppendMessage
	var err error
	if err = r.sp(); err != nil {
		return msg, err
	}
	if r.peek() == '(' {
		if msg.Flags, err = r.flagList(); err != nil {
			return msg, err
		}
		if err = r.sp(); err != nil {
			return msg, err
		}
	}
	if r.peek() == '"' {
		if msg.Date, err = r.dateTime(); err != nil {
			return msg, err
		}
		msg.HasDate = true
		if err = r.sp(); err != nil {
			return msg, err
		}
	}
	if !r.literalAhead() {
		return msg, r.errorf("expected message literal, got %s", r.what())
	}
	lit, pend, err := r.literalHeader()
	if err != nil {
		return msg, err
	}
	if pend {
		return msg, &pendingMessage{tag: r.tag, name: r.name, uid: r.uid, mailbox: mailbox, index: index}
	}
	msg.Size, msg.Binary, msg.Streamed = lit.size, lit.binary, lit.streamed
	if !lit.streamed {
		msg.Data = append([]byte(nil), r.b[lit.off:lit.off+int(lit.size)]...)
	}
	return msg, nil
}
