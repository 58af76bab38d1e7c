-- DBMail step (32001, 32005): MySQL only; SQLite records the row (spec 1.2).
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (32001, 32005);
