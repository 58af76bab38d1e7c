-- DBMail step (0, 32001): the schema-version table (spec 1.2).
CREATE TABLE dbmail_upgrade_steps (
  from_version INT NOT NULL,
  to_version INT NOT NULL,
  applied DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX dbmail_upgrade_steps_index_1 ON dbmail_upgrade_steps (from_version, to_version);
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (0, 32001);
