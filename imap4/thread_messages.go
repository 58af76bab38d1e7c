package imap4

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// ErrUnknownThreadAlgorithm is returned for a THREAD algorithm other than
// ORDEREDSUBJECT and REFERENCES; the session answers BAD.
var ErrUnknownThreadAlgorithm = errors.New("imap4: unknown thread algorithm")

// threadMsg is what threading needs of one message (RFC 5256 §2).
type threadMsg struct {
	seq     uint32
	sent    time.Time // RFC 5256 §2.2
	subject string    // base subject, RFC 5256 §2.1
	reply   bool      // the subject had a reply/forward marker
	id      string    // Message-ID without angle brackets
	refs    []string  // References, else the first In-Reply-To id
}

// ThreadMessages threads msgs with algorithm ORDEREDSUBJECT or REFERENCES
// (RFC 5256 §4) and returns the thread list, the text after "* THREAD "
// (e.g. "(1)(2 (3)(4))"); "" when msgs is empty. Only the top-level header
// of each message is read, one message at a time.
func ThreadMessages(ctx context.Context, algorithm string, msgs []MsgMeta, src MsgSource) (string, error) {
	alg := strings.ToUpper(algorithm)
	if alg != "ORDEREDSUBJECT" && alg != "REFERENCES" {
		return "", fmt.Errorf("%w: %s", ErrUnknownThreadAlgorithm, algorithm)
	}
	infos := make([]threadMsg, len(msgs))
	for i := range msgs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
		}
		h, err := readHeader(ctx, src, &msgs[i])
		if err != nil {
			return "", err
		}
		infos[i] = newThreadMsg(&h, &msgs[i])
	}
	var roots []*threadNode
	if alg == "ORDEREDSUBJECT" {
		roots = threadOrderedSubject(infos)
	} else {
		roots = threadReferences(infos)
	}
	var b strings.Builder
	for _, r := range roots {
		b.WriteByte('(')
		r.write(&b)
		b.WriteByte(')')
	}
	return b.String(), nil
}

func newThreadMsg(h *msgHeader, m *MsgMeta) threadMsg {
	t := threadMsg{seq: m.Seq, sent: sentTime(h, m)}
	subj, _ := h.first("subject")
	t.subject = message.BaseSubject(subj)
	t.reply = isReplySubject(subj)
	if v, ok := h.raw("message-id"); ok {
		if ids := threadMsgIDs(v); len(ids) > 0 {
			t.id = ids[0]
		}
	}
	if v, ok := h.raw("references"); ok {
		t.refs = threadMsgIDs(v)
	}
	if len(t.refs) == 0 {
		if v, ok := h.raw("in-reply-to"); ok {
			if ids := threadMsgIDs(v); len(ids) > 0 {
				t.refs = ids[:1]
			}
		}
	}
	// copies, so that the kept values do not hold the header alive
	t.subject, t.id = strings.Clone(t.subject), strings.Clone(t.id)
	for i := range t.refs {
		t.refs[i] = strings.Clone(t.refs[i])
	}
	return t
}

// threadMsgIDs extracts the msg-ids of a field (RFC 5322 §3.6.4): the text
// inside each "<…>".
func threadMsgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return ids
		}
		j := strings.IndexByte(v[i+1:], '>')
		if j < 0 {
			return ids
		}
		if id := strings.TrimSpace(v[i+1 : i+1+j]); id != "" {
			ids = append(ids, id)
		}
		v = v[i+1+j+1:]
	}
}

// threadNode is a container of RFC 5256 §4: a message, or a dummy (msg
// nil) standing for a referenced message that is not in the set.
type threadNode struct {
	msg      *threadMsg
	parent   *threadNode
	children []*threadNode
}

// first is the message a node sorts by: its own, or for a dummy that of
// its first child (RFC 5256 §4 REFERENCES step 5).
func (n *threadNode) first() *threadMsg {
	for n != nil {
		if n.msg != nil {
			return n.msg
		}
		if len(n.children) == 0 {
			return nil
		}
		n = n.children[0]
	}
	return nil
}

// compareThreadNodes orders by sent date, then by sequence number.
func compareThreadNodes(a, b *threadNode) int {
	ma, mb := a.first(), b.first()
	switch {
	case ma == nil && mb == nil:
		return 0
	case ma == nil:
		return 1
	case mb == nil:
		return -1
	}
	if r := ma.sent.Compare(mb.sent); r != 0 {
		return r
	}
	return cmp.Compare(ma.seq, mb.seq)
}

// write renders the node and its descendants (RFC 5256 §5 thread-list
// without the outer parentheses): "1 2 (3)(4 5)".
func (n *threadNode) write(b *strings.Builder) {
	if n.msg != nil {
		b.WriteString(strconv.FormatUint(uint64(n.msg.seq), 10))
	}
	switch len(n.children) {
	case 0:
	case 1:
		if n.msg != nil {
			b.WriteByte(' ')
		}
		n.children[0].write(b)
	default:
		if n.msg != nil {
			b.WriteByte(' ')
		}
		for _, c := range n.children {
			b.WriteByte('(')
			c.write(b)
			b.WriteByte(')')
		}
	}
}

// threadOrderedSubject is ORDEREDSUBJECT (RFC 5256 §4): messages sorted
// by base subject and sent date, grouped by base subject; the first of a
// group is the parent of the others; threads ordered by the sent date of
// their first message.
func threadOrderedSubject(infos []threadMsg) []*threadNode {
	order := make([]*threadMsg, len(infos))
	for i := range infos {
		order[i] = &infos[i]
	}
	slices.SortStableFunc(order, func(a, b *threadMsg) int {
		if r := strings.Compare(strings.ToUpper(a.subject), strings.ToUpper(b.subject)); r != 0 {
			return r
		}
		if r := a.sent.Compare(b.sent); r != 0 {
			return r
		}
		return cmp.Compare(a.seq, b.seq)
	})
	var roots []*threadNode
	var cur *threadNode
	for _, m := range order {
		if cur != nil && strings.EqualFold(cur.msg.subject, m.subject) {
			cur.children = append(cur.children, &threadNode{msg: m, parent: cur})
			continue
		}
		cur = &threadNode{msg: m}
		roots = append(roots, cur)
	}
	slices.SortStableFunc(roots, compareThreadNodes)
	return roots
}
