-- DBMail step (32006, 35001): MySQL only (utf8mb4); SQLite records the row (spec 1.2).
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (32006, 35001);
