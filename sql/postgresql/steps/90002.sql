-- dbmail-go step (90001, 90002): a SQLite-only change (its foreign-key
-- triggers fire only when a key changes); nothing to do on this backend.
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (90001, 90002);
