package imap4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// appendState holds the target and the received message literals of an
// APPEND in progress: the mailbox is checked when the first literal is
// announced, before the client sends it (RFC 3501 §6.3.11 TRYCREATE).
type appendState struct {
	tag    string
	mb     *db.Mailbox
	rights db.Rights
	data   []appendData
	err    error // a refusal decided at announcement time
}

// appendData is where one message literal went: memory, or a spool file
// when it was announced bigger than message.SpoolThreshold (the store then
// reads it in rows and the session's memory stays bounded).
type appendData struct {
	buf   *bytes.Buffer
	spool *message.Spool
}

// close releases the spool files of the literals; st may be nil.
func (st *appendState) close() {
	if st == nil {
		return
	}
	for _, d := range st.data {
		if d.spool != nil {
			d.spool.Close()
		}
	}
	st.data = nil
}

// dropAppends abandons the APPEND in progress, if any.
func (s *Session) dropAppends() {
	s.appends.close()
	s.appends = nil
}

// onLiteral decides on an announced literal (RFC 3501 §7.5; RFC 7888
// LITERAL+ needs no continuation).
func (s *Session) onLiteral(li LiteralInfo) {
	if !li.Message {
		if err := s.p.AcceptLiteral(nil); err != nil {
			_ = s.p.RejectLiteral()
			s.tagged(li.Tag, "NO", "TOOBIG", "literal too big")
			return
		}
		if li.Sync {
			s.enc.Raw("+ Ready for literal data").CRLF()
			_ = s.flush()
		}
		return
	}
	if s.state == StateNotAuth {
		_ = s.p.RejectLiteral()
		s.tagged(li.Tag, "BAD", "", "APPEND command received in invalid state")
		return
	}
	if li.Index == 0 || s.appends == nil || s.appends.tag != li.Tag {
		s.dropAppends()
		s.appends = &appendState{tag: li.Tag}
		s.appends.err = s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			s.appends.mb, s.appends.rights, err = s.findMailbox(ctx, d, li.Mailbox)
			return err
		})
		if s.appends.err == nil && s.appends.rights&db.RightInsert == 0 {
			s.appends.err = fmt.Errorf("append to %q: %w", li.Mailbox, db.ErrPermission)
		}
		if s.appends.err == nil && s.appends.mb.NoSelect {
			s.appends.err = fmt.Errorf("append to %q: %w", li.Mailbox, db.ErrPermission)
		}
	}
	if err := s.appends.err; err != nil {
		_ = s.p.RejectLiteral()
		s.dropAppends()
		cmd := &Command{Tag: li.Tag, Name: "APPEND"}
		s.mailboxError(cmd, err)
		return
	}
	var d appendData
	var sink io.Writer
	if li.Size > message.SpoolThreshold {
		// A big literal goes to a spool file, not memory; when none can
		// be made the command fails before the client sends the data
		// (RFC 3501 §7.5; SERVERBUG, RFC 5530 §3).
		sp, err := message.NewSpool("")
		if err != nil {
			s.log.Error("append spool", "err", err)
			_ = s.p.RejectLiteral()
			s.dropAppends()
			s.tagged(li.Tag, "NO", "SERVERBUG", "cannot receive the message")
			return
		}
		d.spool, sink = sp, sp
	} else {
		d.buf = &bytes.Buffer{}
		d.buf.Grow(int(li.Size))
		sink = d.buf
	}
	s.appends.data = append(s.appends.data, d)
	if err := s.p.AcceptLiteral(sink); err != nil {
		_ = s.p.RejectLiteral()
		s.dropAppends()
		s.tagged(li.Tag, "BAD", "", "literal refused")
		return
	}
	if li.Sync {
		s.enc.Raw("+ Ready for literal data").CRLF()
		_ = s.flush()
	}
}

// literalFailed handles a parser error while receiving literal data.
func (s *Session) literalFailed(err error) {
	tag := ""
	if s.appends != nil {
		tag = s.appends.tag
	}
	s.dropAppends()
	s.log.Warn("imap literal failed", "err", err)
	s.tagged(tag, "BAD", "", "literal data failed")
}

// RFC 3501 §6.3.11 APPEND with RFC 4315 APPENDUID (spec 6.2): the
// message gets status 1 and \Recent; flags the user has no right to set
// are dropped (RFC 4314 §4).
func (s *Session) cmdAppend(cmd *Command) {
	a := cmd.Args.(*AppendArgs)
	st := s.appends
	s.appends = nil
	defer st.close()
	if st == nil || st.tag != cmd.Tag {
		st.close()
		st = &appendState{tag: cmd.Tag}
		err := s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			st.mb, st.rights, err = s.findMailbox(ctx, d, a.Mailbox)
			return err
		})
		if err == nil && st.rights&db.RightInsert == 0 {
			err = db.ErrPermission
		}
		if err != nil {
			s.mailboxError(cmd, err)
			return
		}
	}
	var uids []uint32
	for i, msg := range a.Messages {
		data := msg.Data
		var spool *message.Spool
		if msg.Streamed {
			if i >= len(st.data) {
				s.bad(cmd, "message literal missing")
				return
			}
			if spool = st.data[i].spool; spool == nil {
				data = st.data[i].buf.Bytes()
			}
		}
		if spool != nil && msg.Binary {
			// literal8 is rewritten in memory (rare, and the
			// rewrite needs the whole message).
			var err error
			if data, err = spool.Bytes(); err != nil {
				s.discard(st.mb.ID, uids)
				s.fail(cmd, err)
				return
			}
			spool = nil
		}
		if msg.Binary {
			data = encodeBinaryParts(data)
		}
		if msg.Binary && bytes.IndexByte(data, 0) >= 0 {
			// RFC 3516 §4.2: binary content outside parts labelled
			// binary cannot be stored as text; refuse it.
			s.discard(st.mb.ID, uids)
			s.no(cmd, "UNKNOWN-CTE", "binary content with NUL octets cannot be stored")
			return
		}
		if spool == nil && len(data) == 0 {
			s.discard(st.mb.ID, uids)
			s.no(cmd, "", "empty message")
			return
		}
		opt := message.Options{MaxDepth: message.DefaultMaxDepth}
		var parsed *message.Message
		var err error
		if spool != nil {
			parsed, err = message.ParseSpool(spool, opt)
		} else {
			parsed, err = message.Parse(data, opt)
		}
		if err != nil {
			s.discard(st.mb.ID, uids)
			s.no(cmd, "PARSE", "message could not be parsed")
			return
		}
		flags, kws := s.flagsWithRights(msg.Flags, st.rights)
		flags.Recent = true
		idate := time.Now()
		if msg.HasDate {
			idate = msg.Date
		}
		var res []db.Stored
		err = s.query(func(ctx context.Context, d *db.DB) error {
			var err error
			_, res, err = d.StoreMessage(ctx, parsed, idate, []db.Dest{{MailboxID: st.mb.ID, QuotaUser: s.user.ID, Flags: flags, Keywords: kws, Status: 1}})
			return err
		})
		if err != nil {
			s.discard(st.mb.ID, uids)
		}
		if errors.Is(err, db.ErrNothingStored) && len(res) == 1 && errors.Is(res[0].Err, db.ErrQuota) {
			s.no(cmd, "OVERQUOTA", "not enough quotum left")
			return
		}
		if err != nil {
			s.fail(cmd, err)
			return
		}
		uids = append(uids, uint32(res[0].UID))
	}
	s.cfg.Hub.Publish(st.mb.ID)
	if s.sel != nil && s.sel.mb.ID == st.mb.ID {
		s.sendUpdates(true)
	}
	var code strings.Builder
	fmt.Fprintf(&code, "APPENDUID %d %s", st.mb.ID, CompressSeqSet(uids).String())
	s.done(cmd, code.String())
}

// flagsWithRights converts a client flag list into system flags and
// keywords, dropping what the rights do not allow (spec 6.2: \Seen needs
// s, \Deleted needs t, the others w) and \Recent, which clients cannot
// set (RFC 3501 §2.3.2).
func (s *Session) flagsWithRights(list []string, r db.Rights) (db.Flags, []string) {
	var f db.Flags
	var kws []string
	for _, x := range list {
		switch strings.ToLower(x) {
		case `\seen`:
			f.Seen = r&db.RightSeen != 0
		case `\deleted`:
			f.Deleted = r&db.RightDeleteMsg != 0
		case `\answered`:
			f.Answered = r&db.RightWrite != 0
		case `\flagged`:
			f.Flagged = r&db.RightWrite != 0
		case `\draft`:
			f.Draft = r&db.RightWrite != 0
		case `\recent`:
		default:
			if r&db.RightWrite != 0 && !strings.HasPrefix(x, `\`) {
				kws = append(kws, x)
			}
		}
	}
	return f, kws
}

// discard removes the messages a failed MULTIAPPEND already stored, so the
// command appends all or nothing (RFC 3502 §6.3.11).
func (s *Session) discard(mailboxID int64, uids []uint32) {
	if len(uids) == 0 {
		return
	}
	ids := make([]int64, len(uids))
	for i, u := range uids {
		ids[i] = int64(u)
	}
	err := s.query(func(ctx context.Context, d *db.DB) error {
		return d.IMAPDiscard(ctx, mailboxID, s.user.ID, ids)
	})
	if err != nil {
		s.log.Error("undo partial MULTIAPPEND", "mailbox", mailboxID, "err", err)
	}
}
