package db

import (
	"context"
	"fmt"
)

// IMAPCopySources reads what COPY and MOVE need of the listed visible
// messages of a mailbox: physmessage, size for the quota, flags, keywords
// and status, in UID order.
func (db *DB) IMAPCopySources(ctx context.Context, mailboxID int64, uids []int64) ([]IMAPCopySource, error) {
	var out []IMAPCopySource
	for rest := uids; len(rest) > 0; {
		n := min(len(rest), chunk)
		args := append([]any{mailboxID}, int64Args(rest[:n])...)
		rows, err := db.Query(ctx, `SELECT m.message_idnr, m.physmessage_id, p.messagesize, m.seen_flag, m.answered_flag, m.deleted_flag, m.flagged_flag, m.draft_flag, m.status
			FROM {messages} m JOIN {physmessage} p ON p.id = m.physmessage_id
			WHERE m.mailbox_idnr = ? AND m.status < 2 AND m.message_idnr IN `+inList(n)+` ORDER BY m.message_idnr`, args...)
		if err != nil {
			return nil, fmt.Errorf("copy sources: %w", err)
		}
		for rows.Next() {
			var s IMAPCopySource
			var seen, ans, del, flg, drf int64
			if err := rows.Scan(&s.UID, &s.PhysID, &s.Size, &seen, &ans, &del, &flg, &drf, &s.Status); err != nil {
				rows.Close()
				return nil, fmt.Errorf("copy sources: %w", err)
			}
			s.Flags = Flags{Seen: seen != 0, Answered: ans != 0, Deleted: del != 0, Flagged: flg != 0, Draft: drf != 0}
			out = append(out, s)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("copy sources: %w", err)
		}
		rest = rest[n:]
	}
	kws, err := db.Keywords(ctx, mailboxID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Keywords = kws[out[i].UID]
	}
	return out, nil
}
