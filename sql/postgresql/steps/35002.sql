-- DBMail step (35001, 35002): MySQL only (LONGBLOB data); PostgreSQL records the row (spec 1.2).
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (35001, 35002, NOW());
