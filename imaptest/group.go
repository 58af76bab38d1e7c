package imaptest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// groupRun is the state of one command group while it runs.
type groupRun struct {
	g          *Group
	c          *scriptConn
	senders    []*sender
	cmdByTag   map[string]*Command
	replied    map[*Command]bool
	found      []bool
	best       []string // closest received reply per expected line
	bestCount  []int
	mismatches int
	firstExtra string
	logout     bool
}

// runGroup sends a group's commands (pipelined) and checks every reply.
// Mismatches are recorded and the test continues; an error return (a
// timeout, an unexpected disconnection) ends the test.
func (r *testRun) runGroup(ctx context.Context, g *Group) error {
	if g.Conn >= len(r.conns) {
		return fmt.Errorf("connection %d does not exist", g.Conn+1)
	}
	c := r.conns[g.Conn]
	gr := &groupRun{
		g: g, c: c, cmdByTag: map[string]*Command{}, replied: map[*Command]bool{},
		found: make([]bool, len(g.Untagged)), best: make([]string, len(g.Untagged)),
		bestCount: make([]int, len(g.Untagged)),
	}
	r.m.ResetSeqMap(c.exists)
	if g.IsBanner {
		r.matchUntagged(gr, c.greet)
		r.finishGroup(gr)
		return nil
	}
	if c.closed {
		return fmt.Errorf("connection %d is already closed", g.Conn+1)
	}
	for _, cmd := range g.Commands {
		text, err := r.expandCommand(ctx, cmd)
		if err != nil {
			return err
		}
		if strings.EqualFold(text, "logout") || g.HasBye {
			gr.logout = true
		}
		tag := c.newTag()
		gr.cmdByTag[tag] = cmd
		gr.senders = append(gr.senders, newSender(c, tag, splitCommand(text)))
	}
	if err := gr.sendMore(); err != nil {
		return err
	}
	for len(gr.replied) < len(g.Commands) {
		resp, err := c.next(ctx, r.cfg.Timeout)
		if err != nil {
			if g.HasBye && c.seenBye {
				return r.finishAfterBye(gr)
			}
			return fmt.Errorf("unexpected disconnection or timeout: %w", err)
		}
		switch resp.Tag {
		case "+":
			cur := gr.current()
			if cur == nil || !cur.wait {
				return fmt.Errorf("unexpected continuation request %q", resp.Raw)
			}
			if err := gr.sendMore(); err != nil {
				return err
			}
		case "*":
			r.matchUntagged(gr, resp)
			if len(resp.Args) > 1 && resp.Args[1].AtomIs("EXPUNGE") && resp.Args[0].Kind == ArgAtom {
				if n, err := strconv.ParseUint(resp.Args[0].Str, 10, 32); err == nil {
					r.m.Expunge(uint32(n))
				}
			}
		default:
			cmd, ok := gr.cmdByTag[resp.Tag]
			if !ok || gr.replied[cmd] {
				return fmt.Errorf("reply with unknown tag: %s", resp.Raw)
			}
			gr.replied[cmd] = true
			r.matchTagged(gr, cmd, resp)
			// A command refused before its literal was sent is finished.
			if cur := gr.current(); cur != nil && cur.tag == resp.Tag && cur.wait {
				cur.done = true
				if err := gr.sendMore(); err != nil {
					return err
				}
			}
		}
	}
	r.finishGroup(gr)
	return nil
}

// expandCommand expands variables outside literal data, and turns a bare
// "append" or an "append" without message into one that sends the next
// message of the test's mbox.
func (r *testRun) expandCommand(ctx context.Context, cmd *Command) (string, error) {
	parts := splitCommand(cmd.Text)
	var sb strings.Builder
	for _, p := range parts {
		if p.literal {
			sb.WriteString(p.text)
			continue
		}
		s, err := r.m.Expand(p.text)
		if err != nil {
			return "", err
		}
		sb.WriteString(s)
	}
	text := sb.String()
	lower := strings.ToLower(text)
	switch {
	case lower == "append":
		src, err := r.source()
		if err != nil {
			return "", err
		}
		return appendCommand(quote(r.cfg.Mailbox), src.Next(), true), nil
	case strings.HasPrefix(lower, "append ") && !appendHasBody(text[len("append "):]):
		src, err := r.source()
		if err != nil {
			return "", err
		}
		return appendCommand(text[len("append "):], src.Next(), false), nil
	}
	return text, nil
}

// appendHasBody reports whether APPEND arguments (mailbox [flags] [date]
// message) already include the message or a CATENATE list (RFC 3501
// §6.3.11, RFC 4469).
func appendHasBody(args string) bool {
	a, err := ParseArgs([]byte(args))
	if err != nil || len(a) == 0 {
		return false
	}
	i := 1
	if i < len(a) && a[i].Kind == ArgList {
		i++
	}
	if i < len(a) && a[i].Kind == ArgString {
		i++
	}
	return i < len(a) && (a[i].Kind == ArgLiteral || a[i].AtomIs("catenate"))
}

// current is the sender still writing (nil when all are written).
func (gr *groupRun) current() *sender {
	for _, s := range gr.senders {
		if !s.done {
			return s
		}
	}
	return nil
}

// sendMore writes commands until one waits for a continuation.
func (gr *groupRun) sendMore() error {
	for {
		s := gr.current()
		if s == nil {
			return nil
		}
		if err := s.advance(); err != nil {
			return err
		}
		if s.wait {
			return nil
		}
	}
}

func (r *testRun) matchTagged(gr *groupRun, cmd *Command, resp Response) {
	r.m.SetVar("tag", resp.Tag)
	ok, _ := r.m.MatchReply(cmd.Reply, resp.Args, true)
	r.m.DeleteVar("tag")
	if !ok {
		r.failCmd(gr.g, "expected tagged reply '%s', got '%s'\n - command: %s",
			FormatArgs(cmd.Reply), FormatArgs(resp.Args), cmd.Text)
	}
}

// matchUntagged matches one received untagged reply against the group's
// expected lines (any order unless "!ordered").
func (r *testRun) matchUntagged(gr *groupRun, resp Response) {
	g := gr.g
	if len(g.Untagged) == 0 && (r.t.IgnoreExtraUntagged || gr.logout) {
		return
	}
	prefix := len(resp.Args) > 0 && (resp.Args[0].AtomIs("OK") || resp.Args[0].AtomIs("NO") ||
		resp.Args[0].AtomIs("BAD") || resp.Args[0].AtomIs("BYE"))
	tag := ""
	if len(gr.senders) > 0 {
		tag = gr.senders[0].tag
	}
	foundSome := false
	for i, u := range g.Untagged {
		if gr.found[i] {
			continue
		}
		if tag != "" {
			r.m.SetVar("tag", tag)
		}
		r.m.BeginAttempt()
		ok, n := r.m.MatchReply(u.Args, resp.Args, prefix)
		if tag != "" {
			r.m.DeleteVar("tag")
		}
		if ok {
			if u.Existence == MustNotExist {
				r.failCmd(g, "unexpected untagged match:\n - match: %s\n - reply: %s",
					FormatArgs(u.Args), FormatArgs(resp.Args))
				return
			}
			gr.found[i] = true
			foundSome = true
			if g.Ordered {
				break
			}
			continue
		}
		if n >= gr.bestCount[i] {
			gr.bestCount[i] = n
			gr.best[i] = FormatArgs(resp.Args)
		}
		r.m.RevertAttempt()
		if g.Ordered && u.Existence == MustExist {
			break
		}
	}
	if !foundSome {
		gr.mismatches++
		if !r.t.IgnoreExtraUntagged && gr.firstExtra == "" {
			gr.firstExtra = FormatArgs(resp.Args)
		}
	}
}

// finishGroup reports missing and unexpected untagged replies.
func (r *testRun) finishGroup(gr *groupRun) {
	g := gr.g
	missing, first := 0, -1
	for i, u := range g.Untagged {
		if u.Existence == MustExist && !gr.found[i] {
			missing++
			if first < 0 {
				first = i
			}
		}
	}
	if missing > 0 {
		u := g.Untagged[first]
		unexp := FormatArgs(u.Args)
		r.failCmd(g, "missing %d untagged replies (%d mismatches)\n - first expected (line %d): %s\n - first expanded: %s\n - best match: %s",
			missing, gr.mismatches, u.Line, unexp, r.m.ExpandKnown(unexp), gr.best[first])
	}
	if gr.firstExtra != "" {
		r.failCmd(g, "%d unexpected untagged replies received, first: %s", gr.mismatches, gr.firstExtra)
	}
	for _, o := range g.Output {
		s, err := r.m.Expand(o)
		if err != nil {
			r.failCmd(g, "!output: %v", err)
			continue
		}
		fmt.Fprintln(r.cfg.Out, s)
	}
	if g.SleepMS > 0 {
		time.Sleep(time.Duration(g.SleepMS) * time.Millisecond)
	}
}

// finishAfterBye ends a group that expected BYE and lost the connection:
// only commands expecting "" may lack a tagged reply.
func (r *testRun) finishAfterBye(gr *groupRun) error {
	for _, cmd := range gr.g.Commands {
		if gr.replied[cmd] {
			continue
		}
		if len(cmd.Reply) != 1 || cmd.Reply[0].Str != "" {
			r.failCmd(gr.g, "command expected '%s' as tagged reply - only \"\" allowed when BYE happens",
				FormatArgs(cmd.Reply))
		}
	}
	r.finishGroup(gr)
	return nil
}
