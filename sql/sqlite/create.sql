-- DBMail schema level 35002 for SQLite: a fresh install (spec 1.3-1.7).
-- Equivalent to DBMail's sql/sqlite/create_tables.sqlite followed by upgrade
-- steps 32001-35002; columns added by steps come last, as ALTER TABLE puts
-- them. There are no declared foreign keys: triggers.sql, run after this
-- file, emulates them (spec 1.7).

PRAGMA auto_vacuum = 1;

CREATE TABLE dbmail_aliases (
  alias_idnr INTEGER PRIMARY KEY,
  alias TEXT NOT NULL,
  deliver_to TEXT NOT NULL,
  client_idnr INTEGER DEFAULT '0' NOT NULL
);
CREATE INDEX dbmail_aliases_index_1 ON dbmail_aliases (alias);
CREATE INDEX dbmail_aliases_index_2 ON dbmail_aliases (client_idnr);

CREATE TABLE dbmail_authlog (
  id INTEGER PRIMARY KEY,
  userid TEXT,
  service TEXT,
  login_time DATETIME,
  logout_time DATETIME,
  src_ip TEXT,
  src_port INTEGER,
  dst_ip TEXT,
  dst_port INTEGER,
  status TEXT DEFAULT 'active',
  bytes_rx INTEGER DEFAULT '0' NOT NULL,
  bytes_tx INTEGER DEFAULT '0' NOT NULL
);

-- spasswd, saction and active come from step 32004.
CREATE TABLE dbmail_users (
  user_idnr INTEGER PRIMARY KEY,
  userid TEXT NOT NULL,
  passwd TEXT NOT NULL,
  client_idnr INTEGER DEFAULT '0' NOT NULL,
  maxmail_size INTEGER DEFAULT '0' NOT NULL,
  curmail_size INTEGER DEFAULT '0' NOT NULL,
  encryption_type TEXT DEFAULT '' NOT NULL,
  last_login DATETIME DEFAULT '1979-11-03 22:05:58' NOT NULL,
  spasswd VARCHAR(130) DEFAULT '' NOT NULL,
  saction SMALLINT DEFAULT '0' NOT NULL,
  active SMALLINT DEFAULT '1' NOT NULL
);
CREATE UNIQUE INDEX dbmail_users_1 ON dbmail_users (userid);

CREATE TABLE dbmail_mailboxes (
  mailbox_idnr INTEGER PRIMARY KEY,
  owner_idnr INTEGER DEFAULT '0' NOT NULL,
  name TEXT BINARY NOT NULL,
  seq INTEGER DEFAULT '0' NOT NULL,
  seen_flag BOOLEAN DEFAULT '0' NOT NULL,
  answered_flag BOOLEAN DEFAULT '0' NOT NULL,
  deleted_flag BOOLEAN DEFAULT '0' NOT NULL,
  flagged_flag BOOLEAN DEFAULT '0' NOT NULL,
  recent_flag BOOLEAN DEFAULT '0' NOT NULL,
  draft_flag BOOLEAN DEFAULT '0' NOT NULL,
  no_inferiors BOOLEAN DEFAULT '0' NOT NULL,
  no_select BOOLEAN DEFAULT '0' NOT NULL,
  permission BOOLEAN DEFAULT '2'
);
CREATE INDEX dbmail_mailboxes_1 ON dbmail_mailboxes (name);
CREATE INDEX dbmail_mailboxes_2 ON dbmail_mailboxes (owner_idnr);
CREATE UNIQUE INDEX dbmail_mailboxes_3 ON dbmail_mailboxes (owner_idnr, name);
CREATE INDEX dbmail_mailbox_4 ON dbmail_mailboxes (seq);

CREATE TABLE dbmail_subscription (
  user_id INTEGER NOT NULL,
  mailbox_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX dbmail_subscriptioin_1 ON dbmail_subscription (user_id, mailbox_id);

CREATE TABLE dbmail_acl (
  user_id INTEGER NOT NULL,
  mailbox_id INTEGER NOT NULL,
  lookup_flag BOOLEAN DEFAULT '0' NOT NULL,
  read_flag BOOLEAN DEFAULT '0' NOT NULL,
  seen_flag BOOLEAN DEFAULT '0' NOT NULL,
  write_flag BOOLEAN DEFAULT '0' NOT NULL,
  insert_flag BOOLEAN DEFAULT '0' NOT NULL,
  post_flag BOOLEAN DEFAULT '0' NOT NULL,
  create_flag BOOLEAN DEFAULT '0' NOT NULL,
  delete_flag BOOLEAN DEFAULT '0' NOT NULL,
  deleted_flag BOOLEAN DEFAULT '0' NOT NULL,
  expunge_flag BOOLEAN DEFAULT '0' NOT NULL,
  administer_flag BOOLEAN DEFAULT '0' NOT NULL
);
CREATE INDEX dbmail_acl_1 ON dbmail_acl (user_id);
CREATE INDEX dbmail_acl_2 ON dbmail_acl (mailbox_id);
CREATE UNIQUE INDEX dbmail_acl_3 ON dbmail_acl (user_id, mailbox_id);

CREATE TABLE dbmail_physmessage (
  id INTEGER PRIMARY KEY,
  messagesize INTEGER DEFAULT '0' NOT NULL,
  rfcsize INTEGER DEFAULT '0' NOT NULL,
  internal_date DATETIME DEFAULT '0' NOT NULL
);

-- seq and dbmail_messages_seq_index come from step 32003.
CREATE TABLE dbmail_messages (
  message_idnr INTEGER PRIMARY KEY,
  mailbox_idnr INTEGER DEFAULT '0' NOT NULL,
  physmessage_id INTEGER DEFAULT '0' NOT NULL,
  seen_flag BOOLEAN DEFAULT '0' NOT NULL,
  answered_flag BOOLEAN DEFAULT '0' NOT NULL,
  deleted_flag BOOLEAN DEFAULT '0' NOT NULL,
  flagged_flag BOOLEAN DEFAULT '0' NOT NULL,
  recent_flag BOOLEAN DEFAULT '0' NOT NULL,
  draft_flag BOOLEAN DEFAULT '0' NOT NULL,
  unique_id TEXT NOT NULL,
  status BOOLEAN UNSIGNED DEFAULT '0' NOT NULL,
  seq INTEGER NOT NULL DEFAULT '0'
);
CREATE INDEX dbmail_messages_1 ON dbmail_messages (mailbox_idnr);
CREATE INDEX dbmail_messages_2 ON dbmail_messages (physmessage_id);
CREATE INDEX dbmail_messages_3 ON dbmail_messages (seen_flag);
CREATE INDEX dbmail_messages_4 ON dbmail_messages (unique_id);
CREATE INDEX dbmail_messages_5 ON dbmail_messages (status);
CREATE INDEX dbmail_messages_6 ON dbmail_messages (mailbox_idnr, status);
CREATE INDEX dbmail_messages_7 ON dbmail_messages (mailbox_idnr, status, seen_flag);
CREATE INDEX dbmail_messages_8 ON dbmail_messages (mailbox_idnr, status, recent_flag);
CREATE INDEX dbmail_messages_seq_index ON dbmail_messages (seq);

CREATE TABLE dbmail_messageblks (
  messageblk_idnr INTEGER PRIMARY KEY,
  physmessage_id INTEGER DEFAULT '0' NOT NULL,
  messageblk TEXT NOT NULL,
  blocksize INTEGER DEFAULT '0' NOT NULL,
  is_header BOOLEAN DEFAULT '0' NOT NULL
);
CREATE INDEX dbmail_messageblks_1 ON dbmail_messageblks (physmessage_id);
CREATE INDEX dbmail_messageblks_2 ON dbmail_messageblks (physmessage_id, is_header);

CREATE TABLE dbmail_auto_replies (
  user_idnr INTEGER PRIMARY KEY,
  reply_body TEXT,
  start_date DATETIME DEFAULT '1980-01-01 22:05:58' NOT NULL,
  stop_date DATETIME DEFAULT '1980-01-01 22:05:58' NOT NULL
);

CREATE TABLE dbmail_auto_notifications (
  user_idnr INTEGER PRIMARY KEY,
  notify_address TEXT
);

CREATE TABLE dbmail_pbsp (
  idnr INTEGER PRIMARY KEY,
  since DATETIME DEFAULT '0' NOT NULL,
  ipnumber TEXT NOT NULL
);
CREATE UNIQUE INDEX dbmail_pbsp_1 ON dbmail_pbsp (ipnumber);
CREATE INDEX dbmail_pbsp_2 ON dbmail_pbsp (since);

CREATE TABLE dbmail_sievescripts (
  owner_idnr INTEGER DEFAULT '0' NOT NULL,
  name TEXT NOT NULL,
  script TEXT,
  active BOOLEAN DEFAULT '0' NOT NULL
);
CREATE INDEX dbmail_sievescripts_1 ON dbmail_sievescripts (name);
CREATE INDEX dbmail_sievescripts_2 ON dbmail_sievescripts (owner_idnr);
CREATE UNIQUE INDEX dbmail_sievescripts_3 ON dbmail_sievescripts (owner_idnr, name);

CREATE TABLE dbmail_headername (
  id INTEGER PRIMARY KEY,
  headername TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX dbmail_headername_1 ON dbmail_headername (headername);

CREATE TABLE dbmail_headervalue (
  id INTEGER NOT NULL PRIMARY KEY,
  hash TEXT NOT NULL,
  headervalue BLOB NOT NULL,
  sortfield TEXT NOT NULL,
  datefield DATETIME
);
CREATE INDEX dbmail_headervalue_1 ON dbmail_headervalue (hash);
CREATE INDEX dbmail_headervalue_2 ON dbmail_headervalue (sortfield);
CREATE INDEX dbmail_headervalue_3 ON dbmail_headervalue (datefield);

CREATE TABLE dbmail_header (
  physmessage_id INTEGER NOT NULL,
  headername_id INTEGER NOT NULL,
  headervalue_id INTEGER NOT NULL
);
CREATE UNIQUE INDEX dbmail_header_1 ON dbmail_header (physmessage_id, headername_id, headervalue_id);

CREATE TABLE dbmail_referencesfield (
  physmessage_id INTEGER NOT NULL,
  id INTEGER NOT NULL PRIMARY KEY,
  referencesfield TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX dbmail_referencesfield_1 ON dbmail_referencesfield (physmessage_id, referencesfield);

CREATE TABLE dbmail_replycache (
  to_addr TEXT NOT NULL DEFAULT '',
  from_addr TEXT NOT NULL DEFAULT '',
  handle TEXT NOT NULL DEFAULT '',
  lastseen DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00'
);
CREATE UNIQUE INDEX dbmail_replycache_1 ON dbmail_replycache (to_addr, from_addr, handle);

CREATE TABLE dbmail_usermap (
  login TEXT NOT NULL,
  sock_allow TEXT NOT NULL,
  sock_deny TEXT NOT NULL,
  userid TEXT NOT NULL
);
CREATE UNIQUE INDEX usermap_idx_1 ON dbmail_usermap (login, sock_allow, userid);

CREATE TABLE dbmail_envelope (
  physmessage_id INTEGER NOT NULL,
  id INTEGER NOT NULL PRIMARY KEY,
  envelope TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX dbmail_envelope_1 ON dbmail_envelope (physmessage_id);
CREATE UNIQUE INDEX dbmail_envelope_2 ON dbmail_envelope (physmessage_id, id);

CREATE TABLE dbmail_mimeparts (
  id INTEGER NOT NULL PRIMARY KEY,
  hash TEXT NOT NULL,
  data BLOB NOT NULL,
  size INTEGER NOT NULL
);
CREATE INDEX dbmail_mimeparts_1 ON dbmail_mimeparts (hash);

CREATE TABLE dbmail_partlists (
  physmessage_id INTEGER NOT NULL,
  is_header BOOLEAN DEFAULT '0' NOT NULL,
  part_key INTEGER DEFAULT '0' NOT NULL,
  part_depth INTEGER DEFAULT '0' NOT NULL,
  part_order INTEGER DEFAULT '0' NOT NULL,
  part_id INTEGER NOT NULL
);
CREATE INDEX dbmail_partlists_1 ON dbmail_partlists (physmessage_id);
CREATE INDEX dbmail_partlists_2 ON dbmail_partlists (part_id);
CREATE UNIQUE INDEX message_parts ON dbmail_partlists (physmessage_id, part_key, part_depth, part_order);

CREATE TABLE dbmail_keywords (
  keyword TEXT NOT NULL,
  message_idnr INT NOT NULL
);
CREATE UNIQUE INDEX dbmail_keywords_1 ON dbmail_keywords (keyword, message_idnr);

CREATE TABLE dbmail_filters (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  headername TEXT NOT NULL,
  headervalue TEXT NOT NULL,
  mailbox TEXT NOT NULL
);
CREATE UNIQUE INDEX dbmail_filters_index_1 ON dbmail_filters (user_id, id);

-- Sort views (spec 1.5).
CREATE VIEW dbmail_fromfield AS
  SELECT physmessage_id, sortfield AS fromfield
  FROM dbmail_messages m
  JOIN dbmail_header h USING (physmessage_id)
  JOIN dbmail_headername n ON h.headername_id = n.id
  JOIN dbmail_headervalue v ON h.headervalue_id = v.id
  WHERE n.headername = 'from';

CREATE VIEW dbmail_ccfield AS
  SELECT physmessage_id, sortfield AS ccfield
  FROM dbmail_messages m
  JOIN dbmail_header h USING (physmessage_id)
  JOIN dbmail_headername n ON h.headername_id = n.id
  JOIN dbmail_headervalue v ON h.headervalue_id = v.id
  WHERE n.headername = 'cc';

CREATE VIEW dbmail_tofield AS
  SELECT physmessage_id, sortfield AS tofield
  FROM dbmail_messages m
  JOIN dbmail_header h USING (physmessage_id)
  JOIN dbmail_headername n ON h.headername_id = n.id
  JOIN dbmail_headervalue v ON h.headervalue_id = v.id
  WHERE n.headername = 'to';

-- The sortfield column is step 32002's.
CREATE VIEW dbmail_subjectfield AS
  SELECT physmessage_id, headervalue AS subjectfield, sortfield
  FROM dbmail_messages m
  JOIN dbmail_header h USING (physmessage_id)
  JOIN dbmail_headername n ON h.headername_id = n.id
  JOIN dbmail_headervalue v ON h.headervalue_id = v.id
  WHERE n.headername = 'subject';

CREATE VIEW dbmail_datefield AS
  SELECT physmessage_id, datefield, sortfield
  FROM dbmail_messages m
  JOIN dbmail_header h USING (physmessage_id)
  JOIN dbmail_headername n ON h.headername_id = n.id
  JOIN dbmail_headervalue v ON h.headervalue_id = v.id
  WHERE n.headername = 'date';

-- Step 32001's table and the rows of all eight DBMail steps (spec 1.2).
CREATE TABLE dbmail_upgrade_steps (
  from_version INT NOT NULL,
  to_version INT NOT NULL,
  applied DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX dbmail_upgrade_steps_index_1 ON dbmail_upgrade_steps (from_version, to_version);
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES
  (0, 32001), (32001, 32002), (32001, 32003), (32001, 32004),
  (32001, 32005), (32001, 32006), (32006, 35001), (35001, 35002);

-- Special users (spec 1.6).
INSERT INTO dbmail_users (userid, passwd, encryption_type) VALUES
  ('__@!internal_delivery_user!@__', '', 'md5'),
  ('anyone', '', 'md5'),
  ('__public__', '', 'md5');
