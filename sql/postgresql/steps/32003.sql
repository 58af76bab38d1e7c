-- DBMail step (32001, 32003): per-message MODSEQ (spec 1.2, 2.15).
ALTER TABLE dbmail_messages ADD COLUMN seq BIGINT DEFAULT '0' NOT NULL;
CREATE INDEX dbmail_messages_seq_index ON dbmail_messages (seq);
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (32001, 32003);
