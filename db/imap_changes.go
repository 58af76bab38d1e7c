package db

import (
	"context"
	"fmt"
)

// IMAPChanges is what changed in a mailbox since a MODSEQ, for a session
// that already knows the mailbox as of that MODSEQ.
type IMAPChanges struct {
	// Rows are the message rows whose MODSEQ is above the known one,
	// whatever their status (2 and 3 are expunged), in UID order.
	Rows []MessageInfo
	// Keywords of the visible rows in Rows.
	Keywords map[int64][]string
	// Visible is the number of visible messages (status < 2) now, so the
	// caller can tell whether Rows explain every change (an expunge by a
	// tool that does not set the row's MODSEQ does not show in Rows).
	Visible int64
}

// IMAPChangedSince reads the rows of a mailbox changed since modseq
// (spec 2.15: every flag change, delivery, copy and IMAP expunge gives the
// row the mailbox's new MODSEQ) and the visible count.
func (db *DB) IMAPChangedSince(ctx context.Context, mailboxID int64, modseq uint64) (*IMAPChanges, error) {
	ch := &IMAPChanges{Keywords: map[int64][]string{}}
	rows, err := db.Query(ctx, `SELECT `+messageInfoColumns+db.dateText("p.internal_date")+`
		FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id
		WHERE m.mailbox_idnr = ? AND m.seq > ? AND m.status <= 3 ORDER BY m.message_idnr`, mailboxID, int64(modseq))
	if err != nil {
		return nil, fmt.Errorf("changes of mailbox %d: %w", mailboxID, err)
	}
	var visible []int64
	for rows.Next() {
		var mi MessageInfo
		var seen, ans, del, flg, drf, rec int64
		var idate *string
		if err := rows.Scan(&mi.UID, &mi.MailboxID, &mi.PhysID, &seen, &ans, &del, &flg, &drf, &rec, &mi.Status, &mi.UniqueID, &mi.ModSeq, &mi.MessageSize, &mi.RFCSize, &idate); err != nil {
			rows.Close()
			return nil, fmt.Errorf("changes of mailbox %d: %w", mailboxID, err)
		}
		mi.Flags = Flags{Seen: seen != 0, Answered: ans != 0, Deleted: del != 0, Flagged: flg != 0, Draft: drf != 0, Recent: rec != 0}
		if idate != nil {
			mi.InternalDate = ParseSQLTime(*idate)
		}
		if mi.Status < 2 {
			visible = append(visible, mi.UID)
		}
		ch.Rows = append(ch.Rows, mi)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("changes of mailbox %d: %w", mailboxID, err)
	}
	for rest := visible; len(rest) > 0; {
		n := min(len(rest), chunk)
		krows, err := db.Query(ctx, `SELECT message_idnr, keyword FROM {keywords} WHERE message_idnr IN `+inList(n)+` ORDER BY message_idnr, keyword`, int64Args(rest[:n])...)
		if err != nil {
			return nil, fmt.Errorf("keywords of changed messages: %w", err)
		}
		for krows.Next() {
			var uid int64
			var k string
			if err := krows.Scan(&uid, &k); err != nil {
				krows.Close()
				return nil, err
			}
			ch.Keywords[uid] = append(ch.Keywords[uid], k)
		}
		krows.Close()
		rest = rest[n:]
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM {messages} WHERE mailbox_idnr = ? AND status < 2`, mailboxID).Scan(&ch.Visible); err != nil {
		return nil, fmt.Errorf("count of mailbox %d: %w", mailboxID, err)
	}
	return ch, nil
}
