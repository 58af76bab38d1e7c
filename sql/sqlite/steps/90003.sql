-- dbmail-go step (90002, 90003), SQLite only: DBMail's SQLite tables use
-- INTEGER PRIMARY KEY without AUTOINCREMENT, so SQLite hands out max+1 and
-- an id whose row was deleted last comes back: a re-created mailbox would
-- get the UIDVALIDITY of a deleted one, and a new message the UID of a
-- purged one (RFC 3501 §2.3.1.1 forbids both). This table remembers the
-- highest deleted id of each, and dbmail-go allocates above it. DBMail
-- ignores the table.
CREATE TABLE dbmail_go_idmax (
  name TEXT NOT NULL PRIMARY KEY,
  maxid INTEGER NOT NULL DEFAULT 0
);
INSERT INTO dbmail_go_idmax (name, maxid) VALUES ('mailboxes', 0);
INSERT INTO dbmail_go_idmax (name, maxid) VALUES ('messages', 0);
CREATE TRIGGER dbmail_go_idmax_mailboxes
  AFTER DELETE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_go_idmax SET maxid = OLD.mailbox_idnr WHERE name = 'mailboxes' AND maxid < OLD.mailbox_idnr;
  END;
CREATE TRIGGER dbmail_go_idmax_messages
  AFTER DELETE ON dbmail_messages
  FOR EACH ROW BEGIN
    UPDATE dbmail_go_idmax SET maxid = OLD.message_idnr WHERE name = 'messages' AND maxid < OLD.message_idnr;
  END;
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (90002, 90003);
