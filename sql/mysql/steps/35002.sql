-- DBMail step (35001, 35002): MIME part data nullable, table compressed (spec 1.2).
ALTER TABLE dbmail_mimeparts MODIFY COLUMN `data` longblob NULL;
ALTER TABLE dbmail_mimeparts ROW_FORMAT=COMPRESSED;
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (35001, 35002, NOW());
