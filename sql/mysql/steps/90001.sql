-- dbmail-go step (35002, 90001): index for UIDNEXT = MAX(message_idnr) per
-- mailbox (DBMail issue #189; spec 1.4 allows it). Optional for DBMail.
CREATE INDEX dbmail_messages_mailbox_idnr_message_idnr ON dbmail_messages (mailbox_idnr, message_idnr);
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (35002, 90001, NOW());
