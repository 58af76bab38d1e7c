package db

import (
	"context"
	"fmt"
	"time"
)

// namedMailboxes lists every user's mailbox whose name is exactly name
// (case-sensitive, whatever the backend's collation: spec 7.2 --trash).
func (db *DB) namedMailboxes(ctx context.Context, name string) ([]Mailbox, error) {
	rows, err := db.Query(ctx, `SELECT mailbox_idnr, owner_idnr, name, no_select, no_inferiors, permission, seq FROM {mailboxes} WHERE name = ? ORDER BY mailbox_idnr`, name)
	if err != nil {
		return nil, fmt.Errorf("mailboxes named %q: %w", name, err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, fmt.Errorf("mailboxes named %q: %w", name, err)
		}
		if m.Name == name {
			out = append(out, *m)
		}
	}
	return out, rows.Err()
}

// oldMessages is the condition for visible messages delivered before the
// cutoff (internal_date is stored in UTC by this implementation).
func (db *DB) oldMessages() string {
	return `status < 2 AND physmessage_id IN (SELECT id FROM {physmessage} WHERE internal_date < ` + db.timestampLiteral() + `)`
}

// EraseOld gives status 3 (PURGE) to the visible messages older than the
// cutoff in every user's mailbox named trash: `dbmail-util --erase DAYS
// --trash NAME` (spec 7.2). curmail_size is left to a later -d, as DBMail
// does. It returns how many messages were marked.
func (db *DB) EraseOld(ctx context.Context, trash string, before time.Time) (int64, error) {
	boxes, err := db.namedMailboxes(ctx, trash)
	if err != nil {
		return 0, err
	}
	cut := before.UTC().Format("2006-01-02 15:04:05")
	var total int64
	for _, m := range boxes {
		err := db.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.bumpMailboxSeq(ctx, m.ID); err != nil {
				return err
			}
			res, err := tx.Exec(ctx, `UPDATE {messages} SET status = 3 WHERE mailbox_idnr = ? AND `+db.oldMessages(), m.ID, cut)
			if err != nil {
				return fmt.Errorf("erase in mailbox %d: %w", m.ID, err)
			}
			n, err := res.RowsAffected()
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// MoveResult reports a --move run.
type MoveResult struct {
	Moved      int64    // messages moved
	NoTrashFor []string // names of users with the inbox but no trash mailbox (skipped)
}

// MoveOld moves the visible messages older than the cutoff from every
// user's mailbox named inbox into the same user's mailbox named trash:
// `dbmail-util --move DAYS --inbox NAME --trash NAME` (spec 7.2). Unlike
// DBMail, which rewrote mailbox_idnr and so left the message with a UID
// below the trash's UIDNEXT that caching IMAP clients never noticed, each
// message is copied (a new UID, flags and keywords kept, the trash's new
// MODSEQ) and the original expunged (status 2), both mailboxes' seq bumped,
// in one transaction per mailbox. Quota is unchanged: the owner is the same.
func (db *DB) MoveOld(ctx context.Context, inbox, trash string, before time.Time) (MoveResult, error) {
	var res MoveResult
	boxes, err := db.namedMailboxes(ctx, inbox)
	if err != nil {
		return res, err
	}
	cut := before.UTC().Format("2006-01-02 15:04:05")
	for _, in := range boxes {
		dst, err := db.ownedMailboxExact(ctx, in.OwnerID, trash)
		if err != nil {
			return res, err
		}
		if dst == nil {
			u, err := db.UserByID(ctx, in.OwnerID)
			if err != nil {
				return res, err
			}
			res.NoTrashFor = append(res.NoTrashFor, u.Name)
			continue
		}
		if dst.ID == in.ID {
			continue
		}
		n, err := db.moveOldIn(ctx, in.ID, dst.ID, cut)
		res.Moved += n
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// ownedMailboxExact finds owner's mailbox named exactly name, or nil.
func (db *DB) ownedMailboxExact(ctx context.Context, owner int64, name string) (*Mailbox, error) {
	boxes, err := db.namedMailboxes(ctx, name)
	if err != nil {
		return nil, err
	}
	for i := range boxes {
		if boxes[i].OwnerID == owner {
			return &boxes[i], nil
		}
	}
	return nil, nil
}

// moveOldIn copies the old messages of mailbox src into dst and expunges
// the originals, locking the two mailboxes in id order.
func (db *DB) moveOldIn(ctx context.Context, src, dst int64, cut string) (int64, error) {
	var moved int64
	err := db.InTx(ctx, func(tx *Tx) error {
		moved = 0
		first, second := min(src, dst), max(src, dst)
		if _, err := tx.bumpMailboxSeq(ctx, first); err != nil {
			return err
		}
		if _, err := tx.bumpMailboxSeq(ctx, second); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT message_idnr, physmessage_id, seen_flag, answered_flag, deleted_flag, flagged_flag, recent_flag, draft_flag, status
			FROM {messages} WHERE mailbox_idnr = ? AND `+db.oldMessages()+` ORDER BY message_idnr`, src, cut)
		if err != nil {
			return fmt.Errorf("old messages of mailbox %d: %w", src, err)
		}
		type old struct {
			uid, phys int64
			d         Dest
		}
		var list []old
		for rows.Next() {
			var o old
			var seen, ans, del, flg, rec, dra int64
			if err := rows.Scan(&o.uid, &o.phys, &seen, &ans, &del, &flg, &rec, &dra, &o.d.Status); err != nil {
				rows.Close()
				return err
			}
			o.d.MailboxID = dst
			o.d.Flags = Flags{Seen: seen != 0, Answered: ans != 0, Deleted: del != 0, Flagged: flg != 0, Recent: rec != 0, Draft: dra != 0}
			list = append(list, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, o := range list {
			kw, err := messageKeywords(ctx, tx, o.uid)
			if err != nil {
				return err
			}
			o.d.Keywords = kw
			modseq, err := tx.bumpMailboxSeq(ctx, dst)
			if err != nil {
				return err
			}
			if _, err := tx.insertMessageRow(ctx, o.phys, o.d, modseq); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE {messages} SET status = 2 WHERE message_idnr = ?`, o.uid); err != nil {
				return fmt.Errorf("expunge moved message %d: %w", o.uid, err)
			}
			moved++
		}
		if len(list) > 0 {
			_, err = tx.bumpMailboxSeq(ctx, src)
		}
		return err
	})
	return moved, err
}

// messageKeywords lists the keywords of one message instance.
func messageKeywords(ctx context.Context, tx *Tx, uid int64) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT keyword FROM {keywords} WHERE message_idnr = ?`, uid)
	if err != nil {
		return nil, fmt.Errorf("keywords of message %d: %w", uid, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
