-- dbmail-go step (90002, 90003): SQLite only (ids never reused after a
-- delete); InnoDB keeps its AUTO_INCREMENT counter across deletes and restarts.
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (90002, 90003, NOW());
