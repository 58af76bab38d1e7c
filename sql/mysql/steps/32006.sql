-- DBMail step (32001, 32006): a marker without schema change (spec 1.2).
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (32001, 32006, NOW());
