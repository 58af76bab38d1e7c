-- DBMail step (32001, 32004): security password, action and active flag (spec 1.2, 4.3).
ALTER TABLE dbmail_users ADD COLUMN spasswd VARCHAR(130) DEFAULT '' NOT NULL;
ALTER TABLE dbmail_users ADD COLUMN saction SMALLINT DEFAULT '0' NOT NULL;
ALTER TABLE dbmail_users ADD COLUMN active SMALLINT DEFAULT '1' NOT NULL;
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (32001, 32004, NOW());
