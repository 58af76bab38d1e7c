-- DBMail step (32006, 35001): MySQL only (utf8mb4); PostgreSQL records the row (spec 1.2).
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (32006, 35001, NOW());
