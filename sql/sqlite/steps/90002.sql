-- dbmail-go step (90001, 90002), SQLite only: DBMail's foreign-key
-- emulation triggers of spec 1.7 propagate a parent's key to its children
-- AFTER UPDATE of ANY column, so charging a user's quota rewrote all of the
-- user's mailboxes and, through their triggers, every message row: a cost
-- that grows with the mailbox. The same triggers, under the same names, now
-- fire only when the key itself changes (AFTER UPDATE OF <key>), which is
-- the only case in which they do anything. DBMail works with them unchanged.
DROP TRIGGER IF EXISTS fk_update2_mailboxes_users_idnr;
CREATE TRIGGER fk_update2_mailboxes_users_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_mailboxes SET owner_idnr = new.user_idnr WHERE owner_idnr = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_subscription_users_idnr;
CREATE TRIGGER fk_update2_subscription_users_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_subscription SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_subscription_mailbox_id;
CREATE TRIGGER fk_update2_subscription_mailbox_id
  AFTER UPDATE OF mailbox_idnr ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_subscription SET mailbox_id = new.mailbox_idnr WHERE mailbox_id = OLD.mailbox_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_acl_user_id;
CREATE TRIGGER fk_update2_acl_user_id
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_acl SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_acl_mailbox_id;
CREATE TRIGGER fk_update2_acl_mailbox_id
  AFTER UPDATE OF mailbox_idnr ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_acl SET mailbox_id = new.mailbox_idnr WHERE mailbox_id = OLD.mailbox_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_messages_physmessage_id;
CREATE TRIGGER fk_update2_messages_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_messages SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_messages_mailbox_idnr;
CREATE TRIGGER fk_update2_messages_mailbox_idnr
  AFTER UPDATE OF mailbox_idnr ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_messages SET mailbox_idnr = new.mailbox_idnr WHERE mailbox_idnr = OLD.mailbox_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_messageblks_physmessage_id;
CREATE TRIGGER fk_update2_messageblks_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_messageblks SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_auto_replies_user_idnr;
CREATE TRIGGER fk_update2_auto_replies_user_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_auto_replies SET user_idnr = new.user_idnr WHERE user_idnr = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_auto_notifications_user_idnr;
CREATE TRIGGER fk_update2_auto_notifications_user_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_auto_notifications SET user_idnr = new.user_idnr WHERE user_idnr = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_sievescripts_owner_idnr;
CREATE TRIGGER fk_update2_sievescripts_owner_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_sievescripts SET owner_idnr = new.user_idnr WHERE owner_idnr = OLD.user_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_header_physmessage_id;
CREATE TRIGGER fk_update2_header_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_header_headername_id;
CREATE TRIGGER fk_update2_header_headername_id
  AFTER UPDATE OF id ON dbmail_headername
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET headername_id = new.id WHERE headername_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_header_headervalue_id;
CREATE TRIGGER fk_update2_header_headervalue_id
  AFTER UPDATE OF id ON dbmail_headervalue
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET headervalue_id = new.id WHERE headervalue_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_referencesfield_physmessage_id;
CREATE TRIGGER fk_update2_referencesfield_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_referencesfield SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_envelope_physmessage_id;
CREATE TRIGGER fk_update2_envelope_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_envelope SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_partlists_mimeparts_id;
CREATE TRIGGER fk_update2_partlists_mimeparts_id
  AFTER UPDATE OF id ON dbmail_mimeparts
  FOR EACH ROW BEGIN
    UPDATE dbmail_partlists SET part_id = new.id WHERE part_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_partlists_physmessage_id;
CREATE TRIGGER fk_update2_partlists_physmessage_id
  AFTER UPDATE OF id ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_partlists SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
DROP TRIGGER IF EXISTS fk_update2_dbmail_keywords_dbmail_messages_message_idnr;
CREATE TRIGGER fk_update2_dbmail_keywords_dbmail_messages_message_idnr
  AFTER UPDATE OF message_idnr ON dbmail_messages
  FOR EACH ROW BEGIN
    UPDATE dbmail_keywords SET message_idnr = new.message_idnr WHERE message_idnr = OLD.message_idnr;
  END;
DROP TRIGGER IF EXISTS fk_update2_filters_users_user_idnr;
CREATE TRIGGER fk_update2_filters_users_user_idnr
  AFTER UPDATE OF user_idnr ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_filters SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
INSERT INTO dbmail_upgrade_steps (from_version, to_version) VALUES (90001, 90002);
