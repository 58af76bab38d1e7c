package imaptest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// stressClient is one simulated user session. Its goroutine walks
// Dovecot imaptest's plan: LOGIN, then LIST, STATUS, SELECT, FETCH,
// FETCH2, STORE, DELETE, EXPUNGE, APPEND, NOOP, IDLE, LOGOUT in that
// order, each done with its weight as probability, wrapping around.
type stressClient struct {
	id  int
	run *stressRun
	rng *rand.Rand
	lat latencies

	c    *imapclient.Client         // go-imap's client, or nil
	lc   *leanConn                  // the lean client of a lean plan (stress_lean.go), or nil
	cur  atomic.Pointer[stressConn] // the connection, for closing from the run at its end
	user string

	loggedIn bool
	mu       sync.Mutex // guards view and inCmd (server data arrives on go-imap's reader goroutine)
	view     *mailboxView
	inSeqCmd bool // a sequence-number FETCH/STORE is running: no EXPUNGE allowed
	// inExpunge: an EXPUNGE command runs; its expunges reach us after
	// its end while EXISTS arrive at once, so EXISTS wait for them.
	inExpunge      bool
	deferredExists []uint32
	selected       bool

	raw           *os.File            // rawlog= protocol trace
	lastAppendUID map[string]imap.UID // per user+uidvalidity, APPENDUIDs must grow
	nextMsg       int
}

// errorf records a protocol error with the client and user.
func (sc *stressClient) errorf(cmd Cmd, format string, a ...any) {
	sc.run.errors.add(fmt.Sprintf("client %d (%s) %s: %s", sc.id, sc.user, strings.ToUpper(cmd.String()), fmt.Sprintf(format, a...)))
}

// onExpunge applies an "* n EXPUNGE" that is not a reply to EXPUNGE
// (RFC 3501 §7.4.1) to the view.
func (sc *stressClient) onExpunge(seq uint32) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.view == nil {
		sc.run.errors.add(fmt.Sprintf("client %d (%s): EXPUNGE %d without a selected mailbox", sc.id, sc.user, seq))
		return
	}
	if sc.inSeqCmd {
		sc.run.errors.add(fmt.Sprintf("client %d (%s): EXPUNGE %d sent during a sequence-number FETCH/STORE (RFC 3501 §7.4.1)", sc.id, sc.user, seq))
	}
	uid, err := sc.view.expunge(seq)
	if err != nil {
		sc.run.errors.add(fmt.Sprintf("client %d (%s): %v", sc.id, sc.user, err))
		return
	}
	if uid != 0 {
		sc.run.cat.markExpunged(msgKey{sc.user, sc.view.uidValidity, uid})
	}
}

// onExists applies an "* n EXISTS" that is not a reply to SELECT (RFC 3501
// §7.3.1) to the view.
func (sc *stressClient) onExists(n uint32) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.view == nil {
		return
	}
	if sc.inExpunge {
		// The command's EXPUNGE replies are applied when it
		// completes; this count is checked after them.
		sc.deferredExists = append(sc.deferredExists, n)
		return
	}
	if err := sc.view.exists(n); err != nil {
		sc.run.errors.add(fmt.Sprintf("client %d (%s): %v", sc.id, sc.user, err))
	}
}

func (sc *stressClient) unilateral() *imapclient.UnilateralDataHandler {
	return &imapclient.UnilateralDataHandler{
		Expunge: sc.onExpunge,
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				sc.onExists(*d.NumMessages)
			}
		},
		// Unsolicited FETCH (flag changes of other sessions) carries no
		// state we compare; checkpoints fetch flags explicitly.
		Fetch: func(msg *imapclient.FetchMessageData) { _, _ = msg.Collect() },
	}
}

// loop runs commands until ctx ends.
func (sc *stressClient) loop(ctx context.Context) {
	w := sc.run.cfg.Weights
	state := CmdLogin
	for ctx.Err() == nil {
		sc.run.cp.maybePark(ctx, sc)
		if !sc.connected() {
			if err := sc.connect(ctx); err != nil {
				if ctx.Err() == nil {
					sc.run.errors.add(fmt.Sprintf("client %d: %v", sc.id, err))
					sleepCtx(ctx, 100*time.Millisecond)
				}
				continue
			}
			state = CmdLogin
		}
		if state == CmdLogin {
			sc.do(ctx, CmdLogin)
			state = CmdList
			continue
		}
		if state >= numCmds {
			state = CmdList
		}
		cmd := state
		state++
		if w[cmd] == 0 || sc.rng.IntN(100) >= w[cmd] {
			continue
		}
		if needsSelected(cmd) && !sc.selected {
			continue
		}
		sc.do(ctx, cmd)
		if d := sc.run.cfg.DelayMS; d > 0 {
			sleepCtx(ctx, time.Duration(sc.rng.IntN(d+1))*time.Millisecond)
		}
	}
	if sc.connected() {
		_ = sc.logout()
		sc.disconnect()
	}
	if sc.raw != nil {
		sc.raw.Close()
	}
}

func (sc *stressClient) connected() bool { return sc.c != nil || sc.lc != nil }

func (sc *stressClient) logout() error {
	if sc.lc != nil {
		return sc.lc.command(sc, nil, "LOGOUT")
	}
	return sc.c.Logout().Wait()
}

func needsSelected(c Cmd) bool {
	switch c {
	case CmdFetch, CmdFetch2, CmdStore, CmdDelete, CmdExpunge:
		return true
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (sc *stressClient) connect(ctx context.Context) error {
	cfg := sc.run.cfg
	n := cfg.UsersFrom + sc.rng.IntN(cfg.UsersTo-cfg.UsersFrom+1)
	sc.user = cfg.User
	if strings.Contains(cfg.User, "%d") {
		sc.user = fmt.Sprintf(cfg.User, n)
	}
	opts := &imapclient.Options{UnilateralDataHandler: sc.unilateral()}
	var raw io.Writer
	if cfg.RawLog != "" {
		if sc.raw == nil {
			f, err := os.Create(filepath.Join(cfg.RawLog, fmt.Sprintf("client-%d.log", sc.id)))
			if err != nil {
				return fmt.Errorf("rawlog: %w", err)
			}
			sc.raw = f
		}
		fmt.Fprintf(sc.raw, "** connect as %s\n", sc.user)
		opts.DebugWriter = sc.raw
		raw = sc.raw
	}
	// Not bound to ctx: a client that reconnects as the run ends must not
	// report the run's own deadline as a connect failure.
	d := net.Dialer{Timeout: cfg.Timeout}
	nc, err := d.Dial("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	conn := &stressConn{nc}
	if sc.run.lean {
		// No deadlines either: the run's end and RunStress's timeout
		// bound every wait, as for go-imap (stressConn).
		lc, err := newLeanConn(nc, raw)
		if err != nil {
			nc.Close()
			return err
		}
		sc.lc = lc
	} else {
		sc.c = imapclient.New(conn, opts)
	}
	sc.cur.Store(conn)
	return nil
}

// stressConn is a client connection without I/O deadlines. go-imap's
// client sets and clears a read and a write deadline around every command
// and response: four timer updates per NOOP, a tenth of the tool's CPU in
// a NOOP-only run, where the tool must stay cheaper than the server it
// drives. A stress run does not need them: every wait ends with the run,
// and a server that stops answering is cut off by RunStress's timeout
// after the run and reported as an error.
type stressConn struct{ net.Conn }

func (stressConn) SetDeadline(time.Time) error      { return nil }
func (stressConn) SetReadDeadline(time.Time) error  { return nil }
func (stressConn) SetWriteDeadline(time.Time) error { return nil }

func (sc *stressClient) disconnect() {
	if sc.loggedIn {
		sc.loggedIn = false
		sc.run.loggedIn(-1)
	}
	if sc.c != nil {
		sc.c.Close()
		sc.c = nil
	}
	if sc.lc != nil {
		sc.lc.Close()
		sc.lc = nil
	}
	sc.cur.Store(nil)
	sc.mu.Lock()
	if sc.selected {
		sc.run.unselect(sc.user)
	}
	sc.view, sc.selected = nil, false
	sc.mu.Unlock()
}

// do runs one command, timing it; a failed connection is dropped and
// reopened on the next turn.
func (sc *stressClient) do(ctx context.Context, cmd Cmd) {
	start := time.Now()
	err := sc.exec(ctx, cmd)
	if errors.Is(err, errNothingToDo) {
		return
	}
	sc.lat.add(cmd, time.Since(start))
	sc.run.ops[cmd].Add(1)
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && ie.Code == "EXPUNGEISSUED" {
		// RFC 4551 §4.3/RFC 5530: another session expunged a message
		// of the set; the view catches up at the next EXPUNGE.
		return
	}
	if err != nil {
		sc.errorf(cmd, "%v", err)
		sc.disconnect()
		// Back off before reconnecting so a refusing server is not
		// flooded with new connections.
		sleepCtx(ctx, time.Duration(100+sc.rng.IntN(400))*time.Millisecond)
	}
}

// errNothingToDo means the command was not sent (an empty mailbox has
// nothing to fetch or store); it is neither counted nor an error.
var errNothingToDo = errors.New("nothing to do")

func (sc *stressClient) exec(ctx context.Context, cmd Cmd) error {
	if sc.lc != nil {
		return sc.execLean(cmd)
	}
	switch cmd {
	case CmdLogin:
		if err := sc.c.Login(sc.user, sc.run.cfg.Pass).Wait(); err != nil {
			return err
		}
		sc.loggedIn = true
		sc.run.loggedIn(1)
		return nil
	case CmdList:
		return sc.list()
	case CmdStatus:
		return sc.status()
	case CmdSelect:
		return sc.selectBox()
	case CmdFetch:
		return sc.fetch()
	case CmdFetch2:
		return sc.fetchBody()
	case CmdStore:
		return sc.store(false)
	case CmdDelete:
		return sc.store(true)
	case CmdExpunge:
		return sc.expunge()
	case CmdAppend:
		return sc.appendMsg()
	case CmdNoop:
		return sc.c.Noop().Wait()
	case CmdIdle:
		return sc.idle(ctx)
	case CmdLogout:
		err := sc.c.Logout().Wait()
		sc.disconnect()
		return err
	}
	return fmt.Errorf("unknown command %d", cmd)
}

// execLean runs a command of a lean plan (isLeanPlan) on the lean client.
func (sc *stressClient) execLean(cmd Cmd) error {
	switch cmd {
	case CmdLogin:
		if err := sc.lc.login(sc, sc.user, sc.run.cfg.Pass); err != nil {
			return err
		}
		sc.loggedIn = true
		sc.run.loggedIn(1)
		return nil
	case CmdSelect:
		return sc.selectBox()
	case CmdNoop:
		return sc.lc.command(sc, nil, "NOOP")
	case CmdLogout:
		err := sc.logout()
		sc.disconnect()
		return err
	}
	return fmt.Errorf("%s is not a command of a lean plan", cmd)
}

func (sc *stressClient) list() error {
	boxes, err := sc.c.List("", "*", nil).Collect()
	if err != nil {
		return err
	}
	for _, b := range boxes {
		if strings.EqualFold(b.Mailbox, "INBOX") {
			return nil
		}
	}
	return fmt.Errorf("LIST \"\" * did not return INBOX")
}

func (sc *stressClient) status() error {
	box := sc.run.box
	d, err := sc.c.Status(box, &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true}).Wait()
	if err != nil {
		return err
	}
	var missing []string
	if d.NumMessages == nil {
		missing = append(missing, "MESSAGES")
	}
	if d.UIDValidity == 0 {
		missing = append(missing, "UIDVALIDITY (absent or 0, RFC 3501 §9 nz-number)")
	}
	if d.UIDNext == 0 {
		missing = append(missing, "UIDNEXT")
	}
	if d.NumUnseen == nil {
		missing = append(missing, "UNSEEN")
	}
	if len(missing) > 0 {
		return fmt.Errorf("STATUS %s reply lacks %s", box, strings.Join(missing, " "))
	}
	if *d.NumUnseen > *d.NumMessages {
		return fmt.Errorf("STATUS UNSEEN %d > MESSAGES %d", *d.NumUnseen, *d.NumMessages)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if v := sc.view; v != nil && v.uidValidity == d.UIDValidity && d.UIDNext <= v.maxUID {
		return fmt.Errorf("STATUS UIDNEXT %d but UID %d exists", d.UIDNext, v.maxUID)
	}
	return nil
}

func (sc *stressClient) selectBox() error {
	sc.mu.Lock()
	wasSelected := sc.selected
	sc.view, sc.selected = nil, false
	sc.mu.Unlock()
	if wasSelected {
		sc.run.unselect(sc.user)
	}
	var exists, uidValidity uint32
	if sc.lc != nil {
		var err error
		if exists, uidValidity, err = sc.lc.selectBox(sc, sc.run.box); err != nil {
			return err
		}
	} else {
		d, err := sc.c.Select(sc.run.box, nil).Wait()
		if err != nil {
			return err
		}
		exists, uidValidity = d.NumMessages, d.UIDValidity
	}
	if uidValidity == 0 {
		return fmt.Errorf("SELECT without UIDVALIDITY")
	}
	sc.mu.Lock()
	sc.view = newView(sc.user, exists, uidValidity)
	sc.selected = true
	sc.mu.Unlock()
	sc.run.selectBox(sc.user, sc.id)
	return nil
}

// randomRange picks up to max consecutive sequence numbers.
func (sc *stressClient) randomRange(max int) (imap.SeqSet, bool) {
	sc.mu.Lock()
	n := len(sc.view.uids)
	sc.mu.Unlock()
	if n == 0 {
		return nil, false
	}
	first := 1 + sc.rng.IntN(n)
	last := first + sc.rng.IntN(max)
	if last > n {
		last = n
	}
	var s imap.SeqSet
	s.AddRange(uint32(first), uint32(last))
	return s, true
}

func (sc *stressClient) setSeqCmd(on bool) {
	sc.mu.Lock()
	sc.inSeqCmd = on
	sc.mu.Unlock()
}

// fetch checks UID, FLAGS, RFC822.SIZE and BODYSTRUCTURE of a range.
func (sc *stressClient) fetch() error {
	set, ok := sc.randomRange(10)
	if !ok {
		return errNothingToDo
	}
	msgs, err := sc.fetchSeqs(set, &imap.FetchOptions{
		UID: true, Flags: true, RFC822Size: true, BodyStructure: &imap.FetchItemBodyStructure{},
	})
	if err != nil {
		return err
	}
	return sc.checkFetched(CmdFetch, set, msgs, checkMeta)
}

// fetchBody fetches one message's BODY.PEEK[] and compares its hash with
// what was appended (or first seen) under that UID.
func (sc *stressClient) fetchBody() error {
	set, ok := sc.randomRange(1)
	if !ok {
		return errNothingToDo
	}
	msgs, err := sc.fetchSeqs(set, &imap.FetchOptions{
		UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	if err != nil {
		return err
	}
	return sc.checkFetched(CmdFetch2, set, msgs, checkBody)
}

// fetchCheck says which items a FETCH asked for.
type fetchCheck int

const (
	checkUIDFlags fetchCheck = iota // UID FLAGS only
	checkMeta                       // + RFC822.SIZE BODYSTRUCTURE
	checkBody                       // UID RFC822.SIZE BODY.PEEK[]
)

// fetchSeqs runs a sequence-number FETCH. A server may send an
// unsolicited FETCH (another session's flag change, RFC 3501 §7.4.2)
// while the command runs; go-imap hands it to the command by sequence
// number, and the requested data then goes elsewhere. Such replies lack
// the UID we always ask for: those messages are fetched once more.
func (sc *stressClient) fetchSeqs(set imap.SeqSet, opts *imap.FetchOptions) ([]*imapclient.FetchMessageBuffer, error) {
	sc.setSeqCmd(true)
	defer sc.setSeqCmd(false)
	collect := func(set imap.SeqSet) ([]*imapclient.FetchMessageBuffer, error) {
		if sc.lc != nil {
			// A lean plan fetches only at checkpoints: UID FLAGS.
			return sc.lc.fetchUIDFlags(sc, set)
		}
		return sc.c.Fetch(set, opts).Collect()
	}
	msgs, err := collect(set)
	if err != nil {
		return nil, err
	}
	var again imap.SeqSet
	keep := msgs[:0]
	for _, m := range msgs {
		if m.UID == 0 {
			again.AddNum(m.SeqNum)
		} else {
			keep = append(keep, m)
		}
	}
	if len(again) == 0 {
		return keep, nil
	}
	more, err := collect(again)
	if err != nil {
		return nil, err
	}
	return append(keep, more...), nil
}

// mergeFetches joins the FETCH responses of one message: a server may send
// several for one message in a command (RFC 3501 §7.4.2), for example an
// unsolicited FLAGS update from another session next to the requested
// items, and go-imap hands each to the running command separately. Later
// values win, as the last response is the newest.
func mergeFetches(msgs []*imapclient.FetchMessageBuffer) []*imapclient.FetchMessageBuffer {
	bySeq := map[uint32]*imapclient.FetchMessageBuffer{}
	var out []*imapclient.FetchMessageBuffer
	for _, m := range msgs {
		acc, ok := bySeq[m.SeqNum]
		if !ok {
			c := *m
			bySeq[m.SeqNum] = &c
			out = append(out, &c)
			continue
		}
		if m.Flags != nil {
			acc.Flags = m.Flags
		}
		if m.Envelope != nil {
			acc.Envelope = m.Envelope
		}
		if !m.InternalDate.IsZero() {
			acc.InternalDate = m.InternalDate
		}
		if m.RFC822Size != 0 {
			acc.RFC822Size = m.RFC822Size
		}
		if m.UID != 0 {
			acc.UID = m.UID
		}
		if m.BodyStructure != nil {
			acc.BodyStructure = m.BodyStructure
		}
		acc.BodySection = append(acc.BodySection, m.BodySection...)
		acc.BinarySection = append(acc.BinarySection, m.BinarySection...)
		acc.BinarySectionSize = append(acc.BinarySectionSize, m.BinarySectionSize...)
		if m.ModSeq != 0 {
			acc.ModSeq = m.ModSeq
		}
	}
	return out
}

func (sc *stressClient) checkFetched(cmd Cmd, set imap.SeqSet, msgs []*imapclient.FetchMessageBuffer, items fetchCheck) error {
	msgs = mergeFetches(msgs)
	body := items == checkBody
	sc.mu.Lock()
	defer sc.mu.Unlock()
	v := sc.view
	if v == nil {
		return fmt.Errorf("FETCH reply without selected mailbox")
	}
	seen := map[uint32]bool{}
	for _, m := range msgs {
		seen[m.SeqNum] = true
		if err := v.setUID(m.SeqNum, m.UID); err != nil {
			sc.errorf(cmd, "%v", err)
			continue
		}
		key := msgKey{v.user, v.uidValidity, m.UID}
		if v.expunged[m.UID] {
			sc.errorf(cmd, "UID %d returned after this session saw it expunged (UIDs must not be reused)", m.UID)
		}
		if items != checkBody {
			v.flags[m.UID] = newFlagSet(m.Flags)
		}
		known := sc.run.cat.get(key)
		if body {
			if len(m.BodySection) != 1 {
				sc.errorf(cmd, "seq %d: no BODY[] in reply", m.SeqNum)
				continue
			}
			data := m.BodySection[0].Bytes
			if len(data) == 0 && (sc.run.cat.isExpunged(key) || sc.run.shared(v.user)) {
				// Expunged by another session but still in this view:
				// the server may return empty data (RFC 2180 §4.1.3).
				continue
			}
			mi := describeMessage(data)
			if known == nil {
				known = sc.run.cat.bind(key, mi)
			}
			if known.hash != mi.hash {
				sc.errorf(cmd, "UID %d: BODY[] (%d bytes, sha256 %x) differs from the message appended (%d bytes, sha256 %x)",
					m.UID, len(data), mi.hash[:8], known.size, known.hash[:8])
			}
			if int64(len(data)) != m.RFC822Size {
				sc.errorf(cmd, "UID %d: RFC822.SIZE %d but BODY[] has %d bytes", m.UID, m.RFC822Size, len(data))
			}
			continue
		}
		if items == checkUIDFlags {
			continue
		}
		if known != nil && m.RFC822Size == 0 && m.BodyStructure == nil && (sc.run.cat.isExpunged(key) || sc.run.shared(v.user)) {
			// Expunged by another session: the server may return
			// the message without content (RFC 2180 §4.1.3).
			continue
		}
		if known != nil {
			if m.RFC822Size != known.size {
				sc.errorf(cmd, "UID %d: RFC822.SIZE %d, message has %d bytes", m.UID, m.RFC822Size, known.size)
			}
			if m.BodyStructure == nil {
				sc.errorf(cmd, "UID %d: no BODYSTRUCTURE in reply", m.UID)
			} else if err := known.checkBodyStructure(m.BodyStructure); err != nil {
				sc.errorf(cmd, "UID %d: %v", m.UID, err)
			}
		}
	}
	for _, r := range set {
		for s := r.Start; s <= r.Stop; s++ {
			if !seen[s] && int(s) <= len(v.uids) {
				sc.errorf(cmd, "no FETCH reply for sequence %d of %d", s, len(v.uids))
			}
		}
	}
	return nil
}

var stressFlags = []imap.Flag{imap.FlagSeen, imap.FlagFlagged, imap.FlagAnswered, imap.FlagDraft, "$Label1", "$Label2"}

// store changes flags on a range (or sets \Deleted for "delete") and
// checks that every message's returned FLAGS reflect the change. When
// other clients of this run have the mailbox selected their concurrent
// stores may interleave, so only presence of the reply is then checked.
func (sc *stressClient) store(deleted bool) error {
	cmd := CmdStore
	set, ok := sc.randomRange(5)
	if !ok {
		return errNothingToDo
	}
	sf := &imap.StoreFlags{Op: imap.StoreFlagsAdd}
	if deleted {
		cmd = CmdDelete
		sf.Flags = []imap.Flag{imap.FlagDeleted}
	} else {
		switch sc.rng.IntN(3) {
		case 0:
			sf.Op = imap.StoreFlagsAdd
		case 1:
			sf.Op = imap.StoreFlagsDel
		default:
			sf.Op = imap.StoreFlagsSet
		}
		for _, f := range stressFlags {
			if sc.rng.IntN(3) == 0 {
				sf.Flags = append(sf.Flags, f)
			}
		}
		if len(sf.Flags) == 0 && sf.Op != imap.StoreFlagsSet {
			sf.Flags = []imap.Flag{stressFlags[sc.rng.IntN(len(stressFlags))]}
		}
	}
	sc.setSeqCmd(true)
	msgs, err := sc.c.Store(set, sf, nil).Collect()
	sc.setSeqCmd(false)
	if err != nil {
		return err
	}
	exclusive := sc.run.selectedCount(sc.user) <= 1
	sc.mu.Lock()
	defer sc.mu.Unlock()
	v := sc.view
	seen := map[uint32]bool{}
	want := newFlagSet(sf.Flags)
	for _, m := range msgs {
		seen[m.SeqNum] = true
		if m.UID != 0 {
			if err := v.setUID(m.SeqNum, m.UID); err != nil {
				sc.errorf(cmd, "%v", err)
			}
		}
		got := newFlagSet(m.Flags)
		if !exclusive {
			continue
		}
		switch sf.Op {
		case imap.StoreFlagsAdd:
			for f := range want {
				if !got[f] {
					sc.errorf(cmd, "seq %d: +FLAGS %s but FETCH FLAGS %s", m.SeqNum, want, got)
					break
				}
			}
		case imap.StoreFlagsDel:
			for f := range want {
				if got[f] {
					sc.errorf(cmd, "seq %d: -FLAGS %s but FETCH FLAGS %s", m.SeqNum, want, got)
					break
				}
			}
		case imap.StoreFlagsSet:
			if !got.equal(want) {
				sc.errorf(cmd, "seq %d: FLAGS %s but FETCH FLAGS %s", m.SeqNum, want, got)
			}
		}
	}
	if !exclusive {
		return nil
	}
	// A server may leave out the FETCH of a message whose flags did not
	// change (RFC 3501 §6.4.6 "SHOULD"); a change must be reported.
	for _, r := range set {
		for s := r.Start; s <= r.Stop; s++ {
			if seen[s] || int(s) > len(v.uids) {
				continue
			}
			uid := v.uids[s-1]
			old, known := v.flags[uid]
			gone := sc.run.cat.isExpunged(msgKey{v.user, v.uidValidity, uid})
			if uid != 0 && known && !gone && flagsChange(old, sf.Op, want) {
				sc.errorf(cmd, "STORE changed the flags of sequence %d %s but sent no FETCH FLAGS", s, old)
			}
		}
	}
	for _, m := range msgs {
		if m.UID != 0 {
			v.flags[m.UID] = newFlagSet(m.Flags)
		} else if int(m.SeqNum) <= len(v.uids) && v.uids[m.SeqNum-1] != 0 {
			v.flags[v.uids[m.SeqNum-1]] = newFlagSet(m.Flags)
		}
	}
	return nil
}

// flagsChange reports whether a STORE changes old.
func flagsChange(old flagSet, op imap.StoreFlagsOp, want flagSet) bool {
	switch op {
	case imap.StoreFlagsAdd:
		for f := range want {
			if !old[f] {
				return true
			}
		}
	case imap.StoreFlagsDel:
		for f := range want {
			if old[f] {
				return true
			}
		}
	case imap.StoreFlagsSet:
		return !old.equal(want)
	}
	return false
}

func (sc *stressClient) expunge() error {
	sc.mu.Lock()
	sc.inExpunge, sc.deferredExists = true, sc.deferredExists[:0]
	sc.mu.Unlock()
	seqs, err := sc.c.Expunge().Collect()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.inExpunge = false
	defer func() {
		for _, n := range sc.deferredExists {
			if sc.view == nil {
				break
			}
			if err := sc.view.exists(n); err != nil {
				sc.errorf(CmdExpunge, "%v", err)
			}
		}
	}()
	if err != nil {
		return err
	}
	for _, s := range seqs {
		uid, err := sc.view.expunge(s)
		if err != nil {
			sc.errorf(CmdExpunge, "%v", err)
			continue
		}
		if uid != 0 {
			sc.run.cat.markExpunged(msgKey{sc.user, sc.view.uidValidity, uid})
		}
	}
	return nil
}

// appendMsg appends the next mbox message (random flags sometimes) and
// records its APPENDUID (RFC 4315) for later content checks.
func (sc *stressClient) appendMsg() error {
	idx := sc.nextMsg % len(sc.run.msgs)
	m := sc.run.msgs[idx]
	sc.nextMsg++
	opts := &imap.AppendOptions{}
	if sc.rng.IntN(2) == 0 {
		for _, f := range stressFlags[:4] {
			if sc.rng.IntN(2) == 0 {
				opts.Flags = append(opts.Flags, f)
			}
		}
	}
	if sc.rng.IntN(2) == 0 {
		opts.Time = m.Time
	}
	ac := sc.c.Append(sc.run.box, int64(len(m.Data)), opts)
	if _, err := ac.Write(m.Data); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := ac.Close(); err != nil {
		return fmt.Errorf("finish message: %w", err)
	}
	d, err := ac.Wait()
	if err != nil {
		return err
	}
	if d.UID == 0 {
		return nil // server without UIDPLUS
	}
	k := fmt.Sprintf("%s/%d", sc.user, d.UIDValidity)
	if last := sc.lastAppendUID[k]; d.UID <= last {
		sc.errorf(CmdAppend, "APPENDUID %d not above this client's previous APPENDUID %d", d.UID, last)
	}
	sc.lastAppendUID[k] = d.UID
	// Another session may already have seen, and expunged, the new
	// message before this APPEND's tagged reply arrived: reuse of UIDs
	// is checked per view (checkFetched), not here.
	mi := sc.run.infos[idx]
	key := msgKey{sc.user, d.UIDValidity, d.UID}
	if old := sc.run.cat.bind(key, mi); old != mi && old.hash != mi.hash {
		sc.errorf(CmdAppend, "APPENDUID %d was already seen with other content", d.UID)
	}
	return nil
}

func (sc *stressClient) idle(ctx context.Context) error {
	ic, err := sc.c.Idle()
	if err != nil {
		return err
	}
	sleepCtx(ctx, time.Duration(100+sc.rng.IntN(900))*time.Millisecond)
	if err := ic.Close(); err != nil {
		return err
	}
	return ic.Wait()
}

// checkpointSync makes the client's view current: NOOP, then FETCH 1:*
// (UID FLAGS) so that every client reports the same instant.
func (sc *stressClient) checkpointSync() (*viewSnapshot, error) {
	if !sc.connected() || !sc.selected {
		return nil, nil
	}
	noop := func() error { return sc.c.Noop().Wait() }
	if sc.lc != nil {
		noop = func() error { return sc.lc.command(sc, nil, "NOOP") }
	}
	if err := noop(); err != nil {
		return nil, err
	}
	sc.mu.Lock()
	n := len(sc.view.uids)
	sc.mu.Unlock()
	if n > 0 {
		var set imap.SeqSet
		set.AddRange(1, uint32(n))
		msgs, err := sc.fetchSeqs(set, &imap.FetchOptions{UID: true, Flags: true})
		if err != nil {
			return nil, err
		}
		if err := sc.checkFetched(CmdFetch, set, msgs, checkUIDFlags); err != nil {
			return nil, err
		}
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	s := sc.view.snapshot(sc.id)
	return &s, nil
}
