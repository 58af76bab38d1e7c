-- dbmail-go step (90002, 90003): SQLite only (ids never reused after a
-- delete); PostgreSQL sequences never hand out an id twice.
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (90002, 90003);
