-- DBMail schema level 35002 for MySQL/MariaDB: a fresh install (spec 1.3-1.6).
-- Equivalent to DBMail's sql/mysql/upgrades/create_tables.mysql followed by
-- upgrade steps 32001-35002 (InnoDB, utf8mb4). Columns added by steps sit
-- where the step puts them, so both paths give the same catalog.
-- dbmail_users is created last: MySQL commits every DDL statement, so an
-- interrupted creation leaves no users table and is reported as a partial
-- schema instead of being mistaken for an old one.

ALTER DATABASE CHARACTER SET utf8mb4;
SET FOREIGN_KEY_CHECKS = 0;

CREATE TABLE `dbmail_authlog` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `userid` varchar(100) DEFAULT NULL,
  `service` varchar(32) DEFAULT NULL,
  `login_time` datetime DEFAULT NULL,
  `logout_time` datetime DEFAULT NULL,
  `src_ip` varchar(40) DEFAULT NULL,
  `src_port` int(11) DEFAULT NULL,
  `dst_ip` varchar(40) DEFAULT NULL,
  `dst_port` int(11) DEFAULT NULL,
  `status` varchar(32) DEFAULT 'active',
  `bytes_rx` bigint(20) NOT NULL DEFAULT '0',
  `bytes_tx` bigint(20) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_acl` (
  `user_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `mailbox_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `lookup_flag` tinyint(1) NOT NULL DEFAULT '0',
  `read_flag` tinyint(1) NOT NULL DEFAULT '0',
  `seen_flag` tinyint(1) NOT NULL DEFAULT '0',
  `write_flag` tinyint(1) NOT NULL DEFAULT '0',
  `insert_flag` tinyint(1) NOT NULL DEFAULT '0',
  `post_flag` tinyint(1) NOT NULL DEFAULT '0',
  `create_flag` tinyint(1) NOT NULL DEFAULT '0',
  `delete_flag` tinyint(1) NOT NULL DEFAULT '0',
  `deleted_flag` tinyint(1) NOT NULL DEFAULT '0',
  `expunge_flag` tinyint(1) NOT NULL DEFAULT '0',
  `administer_flag` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`user_id`, `mailbox_id`),
  KEY `user_id_index` (`user_id`),
  KEY `mailbox_id_index` (`mailbox_id`),
  CONSTRAINT `dbmail_acl_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_acl_ibfk_2` FOREIGN KEY (`mailbox_id`) REFERENCES `dbmail_mailboxes` (`mailbox_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_aliases` (
  `alias_idnr` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `alias` varchar(255) NOT NULL DEFAULT '',
  `deliver_to` varchar(255) NOT NULL DEFAULT '',
  `client_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  PRIMARY KEY (`alias_idnr`),
  KEY `alias_index` (`alias`),
  KEY `client_idnr_index` (`client_idnr`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_envelope` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `physmessage_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `envelope` text NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `physmessage_id_1` (`physmessage_id`),
  UNIQUE KEY `physmessage_id_2` (`physmessage_id`, `id`),
  CONSTRAINT `dbmail_envelope_ibfk_1` FOREIGN KEY (`physmessage_id`) REFERENCES `dbmail_physmessage` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_filters` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `user_id` bigint(20) UNSIGNED NOT NULL,
  `headername` varchar(255) NOT NULL,
  `headervalue` varchar(255) NOT NULL,
  `mailbox` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `user_id` (`user_id`),
  CONSTRAINT `dbmail_filters_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_header` (
  `physmessage_id` bigint(20) UNSIGNED NOT NULL,
  `headername_id` bigint(20) UNSIGNED NOT NULL,
  `headervalue_id` bigint(20) UNSIGNED NOT NULL,
  PRIMARY KEY (`physmessage_id`, `headername_id`, `headervalue_id`),
  KEY `physmessage_id` (`physmessage_id`),
  KEY `headername_id` (`headername_id`),
  KEY `headervalue_id` (`headervalue_id`),
  KEY `physmessage_id_headername_id` (`physmessage_id`, `headername_id`),
  KEY `physmessage_id_headervalue_id` (`physmessage_id`, `headervalue_id`),
  KEY `headername_id_headervalue_id` (`headername_id`, `headervalue_id`),
  CONSTRAINT `dbmail_header_ibfk_1` FOREIGN KEY (`physmessage_id`) REFERENCES `dbmail_physmessage` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_header_ibfk_2` FOREIGN KEY (`headername_id`) REFERENCES `dbmail_headername` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_header_ibfk_3` FOREIGN KEY (`headervalue_id`) REFERENCES `dbmail_headervalue` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_headername` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `headername` varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `headername` (`headername`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_headervalue` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `hash` varchar(255) NOT NULL,
  `headervalue` text NOT NULL,
  `sortfield` varchar(255) DEFAULT NULL,
  `datefield` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `hash` (`hash`),
  KEY `headervalue` (`headervalue`(255)),
  KEY `sortfield` (`sortfield`),
  KEY `datefield` (`datefield`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_keywords` (
  `message_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `keyword` varchar(255) NOT NULL,
  PRIMARY KEY (`message_idnr`, `keyword`),
  CONSTRAINT `dbmail_keywords_ibfk_1` FOREIGN KEY (`message_idnr`) REFERENCES `dbmail_messages` (`message_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_mailboxes` (
  `mailbox_idnr` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `owner_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `name` varchar(255) NOT NULL DEFAULT '',
  `seen_flag` tinyint(1) NOT NULL DEFAULT '0',
  `answered_flag` tinyint(1) NOT NULL DEFAULT '0',
  `deleted_flag` tinyint(1) NOT NULL DEFAULT '0',
  `flagged_flag` tinyint(1) NOT NULL DEFAULT '0',
  `recent_flag` tinyint(1) NOT NULL DEFAULT '0',
  `draft_flag` tinyint(1) NOT NULL DEFAULT '0',
  `no_inferiors` tinyint(1) NOT NULL DEFAULT '0',
  `no_select` tinyint(1) NOT NULL DEFAULT '0',
  `permission` tinyint(1) DEFAULT '2',
  `seq` bigint(20) NOT NULL DEFAULT '0',
  PRIMARY KEY (`mailbox_idnr`),
  UNIQUE KEY `owner_idnr_name_index` (`owner_idnr`, `name`),
  KEY `name_index` (`name`),
  KEY `owner_idnr_index` (`owner_idnr`),
  KEY `seq_index` (`seq`),
  CONSTRAINT `dbmail_mailboxes_ibfk_1` FOREIGN KEY (`owner_idnr`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- seq and dbmail_messages_seq_index come from step 32003.
CREATE TABLE `dbmail_messages` (
  `message_idnr` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `mailbox_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `physmessage_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `seen_flag` tinyint(1) NOT NULL DEFAULT '0',
  `answered_flag` tinyint(1) NOT NULL DEFAULT '0',
  `deleted_flag` tinyint(1) NOT NULL DEFAULT '0',
  `flagged_flag` tinyint(1) NOT NULL DEFAULT '0',
  `recent_flag` tinyint(1) NOT NULL DEFAULT '0',
  `draft_flag` tinyint(1) NOT NULL DEFAULT '0',
  `unique_id` varchar(70) NOT NULL DEFAULT '',
  `status` tinyint(3) UNSIGNED NOT NULL DEFAULT '0',
  `seq` bigint NOT NULL DEFAULT '0',
  PRIMARY KEY (`message_idnr`),
  KEY `physmessage_id_index` (`physmessage_id`),
  KEY `mailbox_idnr_index` (`mailbox_idnr`),
  KEY `seen_flag_index` (`seen_flag`),
  KEY `unique_id_index` (`unique_id`),
  KEY `status_index` (`status`),
  KEY `mailbox_status` (`mailbox_idnr`, `status`),
  KEY `dbmail_messages_seq_index` (`seq`),
  CONSTRAINT `dbmail_messages_ibfk_1` FOREIGN KEY (`physmessage_id`) REFERENCES `dbmail_physmessage` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_messages_ibfk_2` FOREIGN KEY (`mailbox_idnr`) REFERENCES `dbmail_mailboxes` (`mailbox_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- data is nullable and the table compressed since step 35002.
CREATE TABLE `dbmail_mimeparts` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `hash` char(128) NOT NULL,
  `data` longblob NULL,
  `size` bigint(20) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`),
  KEY `hash` (`hash`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=COMPRESSED;

CREATE TABLE `dbmail_partlists` (
  `physmessage_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `is_header` tinyint(1) NOT NULL DEFAULT '0',
  `part_key` smallint(6) NOT NULL DEFAULT '0',
  `part_depth` smallint(6) NOT NULL DEFAULT '0',
  `part_order` smallint(6) NOT NULL DEFAULT '0',
  `part_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  KEY `physmessage_id` (`physmessage_id`),
  KEY `part_id` (`part_id`),
  UNIQUE KEY `message_parts` (`physmessage_id`, `part_key`, `part_depth`, `part_order`),
  CONSTRAINT `dbmail_partlists_ibfk_1` FOREIGN KEY (`physmessage_id`) REFERENCES `dbmail_physmessage` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_partlists_ibfk_2` FOREIGN KEY (`part_id`) REFERENCES `dbmail_mimeparts` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_pbsp` (
  `idnr` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `since` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',
  `ipnumber` varchar(40) NOT NULL,
  PRIMARY KEY (`idnr`),
  UNIQUE KEY `ipnumber_index` (`ipnumber`),
  KEY `since_index` (`since`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_physmessage` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `messagesize` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `rfcsize` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `internal_date` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_referencesfield` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `physmessage_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `referencesfield` varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `physmessage_id` (`physmessage_id`, `referencesfield`),
  CONSTRAINT `dbmail_referencesfield_ibfk_1` FOREIGN KEY (`physmessage_id`) REFERENCES `dbmail_physmessage` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_replycache` (
  `to_addr` varchar(255) NOT NULL DEFAULT '',
  `from_addr` varchar(255) NOT NULL DEFAULT '',
  `handle` varchar(255) NOT NULL DEFAULT '',
  `lastseen` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',
  UNIQUE KEY `replycache_1` (`to_addr`, `from_addr`, `handle`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- id (first column, primary key) and the nullable owner_idnr are step 32005's.
CREATE TABLE `dbmail_sievescripts` (
  `id` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `owner_idnr` bigint(20) UNSIGNED NULL DEFAULT NULL,
  `name` varchar(255) NOT NULL,
  `script` text,
  `active` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`),
  UNIQUE KEY `owner_idnr_2` (`owner_idnr`, `name`),
  KEY `name` (`name`),
  KEY `owner_idnr` (`owner_idnr`),
  CONSTRAINT `dbmail_sievescripts_ibfk_1` FOREIGN KEY (`owner_idnr`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_subscription` (
  `user_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `mailbox_id` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  PRIMARY KEY (`user_id`, `mailbox_id`),
  KEY `user_id_index` (`user_id`),
  KEY `mailbox_id_index` (`mailbox_id`),
  CONSTRAINT `dbmail_subscription_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `dbmail_subscription_ibfk_2` FOREIGN KEY (`mailbox_id`) REFERENCES `dbmail_mailboxes` (`mailbox_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_usermap` (
  `login` varchar(255) NOT NULL,
  `sock_allow` varchar(255) NOT NULL,
  `sock_deny` varchar(255) NOT NULL,
  `userid` varchar(255) NOT NULL,
  UNIQUE KEY `usermap_idx_1` (`login`, `sock_allow`, `userid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_auto_notifications` (
  `user_idnr` bigint(20) UNSIGNED NOT NULL,
  `notify_address` varchar(100) NOT NULL DEFAULT '',
  KEY `user_idnr_index` (`user_idnr`),
  CONSTRAINT `dbmail_auto_notifications_fk_dbmail_users` FOREIGN KEY (`user_idnr`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `dbmail_auto_replies` (
  `user_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `start_date` datetime NOT NULL,
  `stop_date` datetime NOT NULL,
  `reply_body` mediumtext,
  KEY `user_idnr_index` (`user_idnr`),
  CONSTRAINT `dbmail_auto_replies_fk_dbmail_users` FOREIGN KEY (`user_idnr`) REFERENCES `dbmail_users` (`user_idnr`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Step 32001's table and the rows of all eight DBMail steps (spec 1.2).
CREATE TABLE `dbmail_upgrade_steps` (
  `from_version` int NOT NULL,
  `to_version` int NOT NULL,
  `applied` datetime NOT NULL,
  UNIQUE KEY (`from_version`, `to_version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

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

-- spasswd, saction and active come from step 32004.
CREATE TABLE `dbmail_users` (
  `user_idnr` bigint(20) UNSIGNED NOT NULL AUTO_INCREMENT,
  `userid` varchar(255) NOT NULL DEFAULT '',
  `passwd` varchar(255) NOT NULL DEFAULT '',
  `client_idnr` bigint(20) UNSIGNED NOT NULL DEFAULT '0',
  `maxmail_size` bigint(20) NOT NULL DEFAULT '0',
  `curmail_size` bigint(20) NOT NULL DEFAULT '0',
  `maxsieve_size` bigint(20) NOT NULL DEFAULT '0',
  `cursieve_size` bigint(20) NOT NULL DEFAULT '0',
  `encryption_type` varchar(255) NOT NULL DEFAULT '',
  `last_login` datetime NOT NULL DEFAULT '1979-11-03 22:05:58',
  `spasswd` varchar(130) NOT NULL DEFAULT '',
  `saction` smallint NOT NULL DEFAULT '0',
  `active` smallint NOT NULL DEFAULT '1',
  PRIMARY KEY (`user_idnr`),
  UNIQUE KEY `userid_index` (`userid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

SET FOREIGN_KEY_CHECKS = 1;

INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES
  (0, 32001, NOW()), (32001, 32002, NOW()), (32001, 32003, NOW()), (32001, 32004, NOW()),
  (32001, 32005, NOW()), (32001, 32006, NOW()), (32006, 35001, NOW()), (35001, 35002, NOW());

-- Special users (spec 1.6).
INSERT INTO dbmail_users (userid, passwd, encryption_type) VALUES
  ('__@!internal_delivery_user!@__', '', 'md5'),
  ('anyone', '', 'md5'),
  ('__public__', '', 'md5');
