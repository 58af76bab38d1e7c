package imaptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// A lean plan (isLeanPlan) runs on leanConn instead of go-imap's client:
// the tool must never be the bottleneck, and in a NOOP-only run go-imap's
// per-command cost (its reader goroutine handing every reply to the
// waiting command over a channel, the command encoder, the response
// decoder) made the tool use as much CPU as dbmail-imapd. leanConn writes
// "tag NOOP\r\n" with one write and reads the replies with the project's
// wire reader (ResponseReader) on the client's own goroutine: per NOOP one
// write, one read that finds the reply (plus the EAGAIN read of Go's
// netpoller when the reply is not there yet) and no allocation.
//
// A connection's reading cannot be shared with go-imap, whose reader
// goroutine reads continuously, so a plan either is lean for all its
// commands or runs entirely on go-imap. leanConn implements what a plan of
// SELECT, NOOP and LOGOUT needs, with the same checks as the go-imap
// path: LOGIN, SELECT (EXISTS, UIDVALIDITY), NOOP, LOGOUT and the
// checkpoints' FETCH set (UID FLAGS). Every tagged reply must carry the
// command's tag and OK; untagged EXISTS, EXPUNGE and FETCH go through the
// same view accounting (stressClient.onExists, onExpunge) as go-imap's
// unilateral data.

// isLeanPlan reports whether every command the plan can reach besides
// LOGIN is one leanConn implements.
func isLeanPlan(w Weights) bool {
	for c := CmdList; c < numCmds; c++ {
		if w[c] == 0 {
			continue
		}
		switch c {
		case CmdSelect, CmdNoop, CmdLogout:
		default:
			return false
		}
	}
	return true
}

// leanConn is one stress connection driven without go-imap.
type leanConn struct {
	nc   net.Conn
	sock *leanSock
	rr   *ResponseReader
	raw  io.Writer // rawlog= protocol trace, or nil
	seq  uint64    // number of the last tag ("L<seq>")
	out  []byte    // the command being sent, reused
	resp []byte    // the response being read, reused
	bye  []byte    // text of an untagged BYE (RFC 3501 §7.1.5), nil if none
}

// leanReply receives the untagged data that belongs to the running
// command rather than to the view.
type leanReply struct {
	selecting   bool // SELECT: EXISTS and UIDVALIDITY describe the new mailbox
	exists      uint32
	haveExists  bool
	uidValidity uint32
	fetching    bool // FETCH: every FETCH response goes to the command
	fetched     []*imapclient.FetchMessageBuffer
}

// leanReadBuffer is a lean connection's read buffer: NOOP replies are a
// few dozen bytes, and 2,000 connections must fit in one process. Longer
// lines are assembled from several reads.
const leanReadBuffer = 4 << 10

// newLeanConn reads the server's greeting (RFC 3501 §7.1: OK or PREAUTH;
// BYE refuses the connection).
func newLeanConn(nc net.Conn, raw io.Writer) (*leanConn, error) {
	sock, err := newLeanSock(nc)
	if err != nil {
		return nil, err
	}
	lc := &leanConn{nc: nc, sock: sock, rr: newResponseReaderSize(sock, leanReadBuffer, 1<<20), raw: raw}
	resp, err := lc.read()
	if err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	word, _, _ := bytes.Cut(bytes.TrimPrefix(resp, []byte("* ")), []byte(" "))
	switch {
	case !bytes.HasPrefix(resp, []byte("* ")):
		return nil, fmt.Errorf("greeting %q is not untagged", resp)
	case asciiIs(word, "OK"), asciiIs(word, "PREAUTH"):
		return lc, nil
	}
	return nil, fmt.Errorf("server refused the connection: %q", resp)
}

func (lc *leanConn) Close() error { return lc.nc.Close() }

// read returns the next response, valid until the next read.
func (lc *leanConn) read() ([]byte, error) {
	resp, err := lc.rr.AppendResponse(lc.resp[:0])
	lc.resp = resp[:0]
	if lc.raw != nil && len(resp) > 0 {
		fmt.Fprintf(lc.raw, "S: %s\r\n", resp)
	}
	if err != nil {
		if lc.bye != nil && errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("server closed the connection after BYE %s", lc.bye)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	return resp, nil
}

// command sends "tag parts…" and reads responses up to the tagged one,
// which must be OK; NO and BAD come back as *imap.Error.
func (lc *leanConn) command(sc *stressClient, rep *leanReply, parts ...string) error {
	lc.seq++
	lc.out = append(lc.out[:0], 'L')
	lc.out = strconv.AppendUint(lc.out, lc.seq, 10)
	tagLen := len(lc.out)
	for _, p := range parts {
		lc.out = append(lc.out, ' ')
		lc.out = append(lc.out, p...)
	}
	lc.out = append(lc.out, '\r', '\n')
	if lc.raw != nil {
		fmt.Fprintf(lc.raw, "C: %s", lc.out)
	}
	if lc.rr.r.Buffered() > 0 {
		// Responses are waiting in the buffer: the reader will not ask
		// the socket before they are consumed.
		if _, err := lc.nc.Write(lc.out); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	} else {
		lc.sock.send = lc.out // written by the reader's next socket read
	}
	tag := lc.out[:tagLen]
	for {
		resp, err := lc.read()
		if err != nil {
			return err
		}
		if rest, ok := bytes.CutPrefix(resp, []byte("* ")); ok {
			if err := lc.untagged(sc, rep, rest); err != nil {
				return err
			}
			continue
		}
		return taggedStatus(tag, resp)
	}
}

// taggedStatus checks the command's completion (RFC 3501 §7.1): its tag,
// then OK, NO or BAD with an optional response code.
func taggedStatus(tag, resp []byte) error {
	rest, ok := bytes.CutPrefix(resp, tag)
	if !ok || len(rest) == 0 || rest[0] != ' ' {
		if len(resp) > 0 && resp[0] == '+' {
			return fmt.Errorf("unexpected continuation request %q", resp)
		}
		return fmt.Errorf("reply %q does not carry the command's tag %s", resp, tag)
	}
	word, text, _ := bytes.Cut(rest[1:], []byte(" "))
	var typ imap.StatusResponseType
	switch {
	case asciiIs(word, "OK"):
		return nil
	case asciiIs(word, "NO"):
		typ = imap.StatusResponseTypeNo
	case asciiIs(word, "BAD"):
		typ = imap.StatusResponseTypeBad
	default:
		return fmt.Errorf("tagged reply %q is not OK, NO or BAD", resp)
	}
	code, _, txt := respCode(text)
	return &imap.Error{Type: typ, Code: imap.ResponseCode(code), Text: string(txt)}
}

// respCode splits resp-text into its "[CODE arg]" and the human-readable
// text (RFC 3501 §7.1).
func respCode(text []byte) (code string, arg, rest []byte) {
	inner, ok := bytes.CutPrefix(text, []byte("["))
	if !ok {
		return "", nil, text
	}
	end := bytes.IndexByte(inner, ']')
	if end < 0 {
		return "", nil, text
	}
	c, a, _ := bytes.Cut(inner[:end], []byte(" "))
	return string(bytes.ToUpper(c)), a, bytes.TrimPrefix(inner[end+1:], []byte(" "))
}

// untagged applies one untagged response (without "* ").
func (lc *leanConn) untagged(sc *stressClient, rep *leanReply, rest []byte) error {
	if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		num, tail, _ := bytes.Cut(rest, []byte(" "))
		kw, args, _ := bytes.Cut(tail, []byte(" "))
		n, ok := parseNumber(num)
		if !ok {
			return fmt.Errorf("bad number in untagged response %q", rest)
		}
		switch {
		case asciiIs(kw, "EXISTS"): // RFC 3501 §7.3.1
			if rep != nil && rep.selecting {
				rep.exists, rep.haveExists = n, true
				return nil
			}
			sc.onExists(n)
		case asciiIs(kw, "RECENT"): // §7.3.2: nothing to check
		case asciiIs(kw, "EXPUNGE"): // §7.4.1
			sc.onExpunge(n)
		case asciiIs(kw, "FETCH"): // §7.4.2
			m, err := parseFetchUIDFlags(n, args)
			if err != nil {
				return err
			}
			if rep != nil && rep.fetching {
				rep.fetched = append(rep.fetched, m)
			}
			// Otherwise another session's flag change: the view keeps
			// no flags from it, as on the go-imap path.
		default:
			return fmt.Errorf("unknown untagged response %q", rest)
		}
		return nil
	}
	word, text, _ := bytes.Cut(rest, []byte(" "))
	switch {
	case asciiIs(word, "BYE"):
		lc.bye = append([]byte(nil), text...)
		return nil
	case asciiIs(word, "OK"):
		if rep != nil && rep.selecting {
			if code, arg, _ := respCode(text); code == "UIDVALIDITY" {
				n, ok := parseNumber(arg)
				if !ok {
					return fmt.Errorf("bad UIDVALIDITY in %q", rest)
				}
				rep.uidValidity = n
			}
		}
		return nil
	case asciiIs(word, "NO"), asciiIs(word, "BAD"), asciiIs(word, "PREAUTH"):
		return nil // resp-text is free text (§7.1)
	}
	if _, err := ParseArgs(text); err != nil {
		return fmt.Errorf("malformed untagged response %q: %w", rest, err)
	}
	return nil // FLAGS, CAPABILITY, ... carry nothing the run checks
}

// parseNumber reads an RFC 3501 number that fits 32 bits.
func parseNumber(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return uint32(n), n <= 0xffffffff
}

// parseFetchUIDFlags parses a FETCH response's msg-att (RFC 3501 §7.4.2),
// keeping UID and FLAGS.
func parseFetchUIDFlags(seq uint32, args []byte) (*imapclient.FetchMessageBuffer, error) {
	a, err := ParseArgs(args)
	if err != nil || len(a) != 1 || a[0].Kind != ArgList {
		return nil, fmt.Errorf("malformed FETCH response %d %q", seq, args)
	}
	if seq == 0 {
		return nil, fmt.Errorf("FETCH response for sequence number 0")
	}
	m := &imapclient.FetchMessageBuffer{SeqNum: seq}
	items := a[0].List
	for i := 0; i+1 < len(items); i += 2 {
		name, val := &items[i], &items[i+1]
		switch {
		case name.AtomIs("UID"):
			n, ok := parseNumber([]byte(val.Str))
			if val.Kind != ArgAtom || !ok || n == 0 {
				return nil, fmt.Errorf("FETCH %d: bad UID %q", seq, FormatArgs([]Arg{*val}))
			}
			m.UID = imap.UID(n)
		case name.AtomIs("FLAGS"):
			if val.Kind != ArgList {
				return nil, fmt.Errorf("FETCH %d: FLAGS is not a list", seq)
			}
			m.Flags = []imap.Flag{}
			for _, f := range val.List {
				if f.Kind != ArgAtom {
					return nil, fmt.Errorf("FETCH %d: flag %q is not an atom", seq, FormatArgs([]Arg{f}))
				}
				m.Flags = append(m.Flags, imap.Flag(f.Str))
			}
		}
	}
	return m, nil
}

// asciiIs reports whether b equals the upper-case ASCII word w, ignoring
// case.
func asciiIs(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// login sends LOGIN (RFC 3501 §6.2.3) with quoted strings.
func (lc *leanConn) login(sc *stressClient, user, pass string) error {
	for _, s := range []string{user, pass} {
		if !quotable(s) {
			return fmt.Errorf("LOGIN: user or password has characters a quoted string cannot carry")
		}
	}
	return lc.command(sc, nil, "LOGIN", quote(user), quote(pass))
}

// quotable reports whether s fits an RFC 3501 §4.3 quoted string (7-bit,
// no CR, LF or NUL).
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return false
		}
	}
	return true
}

// selectBox sends SELECT (RFC 3501 §6.3.1) and returns the mailbox's
// message count and UIDVALIDITY.
func (lc *leanConn) selectBox(sc *stressClient, box string) (exists, uidValidity uint32, err error) {
	rep := &leanReply{selecting: true}
	if err := lc.command(sc, rep, "SELECT", quote(encodeMUTF7(box))); err != nil {
		return 0, 0, err
	}
	if !rep.haveExists {
		return 0, 0, fmt.Errorf("SELECT without EXISTS (RFC 3501 §6.3.1: REQUIRED)")
	}
	return rep.exists, rep.uidValidity, nil
}

// fetchUIDFlags sends FETCH set (UID FLAGS) and returns every FETCH
// response received meanwhile.
func (lc *leanConn) fetchUIDFlags(sc *stressClient, set imap.SeqSet) ([]*imapclient.FetchMessageBuffer, error) {
	rep := &leanReply{fetching: true}
	if err := lc.command(sc, rep, "FETCH", set.String(), "(UID FLAGS)"); err != nil {
		return nil, err
	}
	return rep.fetched, nil
}
