-- DBMail step (0, 32001): the schema-version table (spec 1.2).
CREATE TABLE dbmail_upgrade_steps (
  from_version int NOT NULL,
  to_version int NOT NULL,
  applied datetime NOT NULL,
  UNIQUE KEY (from_version, to_version)
);
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (0, 32001, NOW());
