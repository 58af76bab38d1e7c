-- The SQLite foreign-key emulation of DBMail (spec 1.7): for every
-- child -> parent pair, BEFORE INSERT / BEFORE UPDATE checks on the child, an
-- AFTER UPDATE on the parent that propagates a changed key, and a BEFORE
-- DELETE on the parent that deletes the children. Trigger names are DBMail's
-- (sql/sqlite/create_tables.sqlite), irregularities included; the abort
-- messages name the trigger as DBMail's do.

-- dbmail_mailboxes.owner_idnr -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_mailboxes_users_idnr
  BEFORE INSERT ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.owner_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.owner_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_mailboxes" violates foreign key constraint "fk_insert_mailboxes_users_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_mailboxes_users_idnr
  BEFORE UPDATE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.owner_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.owner_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_mailboxes" violates foreign key constraint "fk_update1_mailboxes_users_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_mailboxes_users_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_mailboxes SET owner_idnr = new.user_idnr WHERE owner_idnr = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_mailboxes_users_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_mailboxes WHERE owner_idnr = OLD.user_idnr;
  END;

-- dbmail_subscription.user_id -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_subscription_users_idnr
  BEFORE INSERT ON dbmail_subscription
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_subscription" violates foreign key constraint "fk_insert_subscription_users_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_subscription_users_idnr
  BEFORE UPDATE ON dbmail_subscription
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_subscription" violates foreign key constraint "fk_update1_subscription_users_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_subscription_users_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_subscription SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_subscription_users_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_subscription WHERE user_id = OLD.user_idnr;
  END;

-- dbmail_subscription.mailbox_id -> dbmail_mailboxes.mailbox_idnr
CREATE TRIGGER fk_insert_subscription_mailbox_id
  BEFORE INSERT ON dbmail_subscription
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_id IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_subscription" violates foreign key constraint "fk_insert_subscription_mailbox_id"')
    END;
  END;
CREATE TRIGGER fk_update1_subscription_mailbox_id
  BEFORE UPDATE ON dbmail_subscription
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_id IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_subscription" violates foreign key constraint "fk_update1_subscription_mailbox_id"')
    END;
  END;
CREATE TRIGGER fk_update2_subscription_mailbox_id
  AFTER UPDATE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_subscription SET mailbox_id = new.mailbox_idnr WHERE mailbox_id = OLD.mailbox_idnr;
  END;
CREATE TRIGGER fk_delete_subscription_mailbox_id
  BEFORE DELETE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_subscription WHERE mailbox_id = OLD.mailbox_idnr;
  END;

-- dbmail_acl.user_id -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_acl_user_id
  BEFORE INSERT ON dbmail_acl
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_acl" violates foreign key constraint "fk_insert_acl_user_id"')
    END;
  END;
CREATE TRIGGER fk_update1_acl_user_id
  BEFORE UPDATE ON dbmail_acl
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_acl" violates foreign key constraint "fk_update1_acl_user_id"')
    END;
  END;
CREATE TRIGGER fk_update2_acl_user_id
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_acl SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_acl_user_id
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_acl WHERE user_id = OLD.user_idnr;
  END;

-- dbmail_acl.mailbox_id -> dbmail_mailboxes.mailbox_idnr
CREATE TRIGGER fk_insert_acl_mailbox_id
  BEFORE INSERT ON dbmail_acl
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_id IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_acl" violates foreign key constraint "fk_insert_acl_mailbox_id"')
    END;
  END;
CREATE TRIGGER fk_update1_acl_mailbox_id
  BEFORE UPDATE ON dbmail_acl
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_id IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_acl" violates foreign key constraint "fk_update1_acl_mailbox_id"')
    END;
  END;
CREATE TRIGGER fk_update2_acl_mailbox_id
  AFTER UPDATE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_acl SET mailbox_id = new.mailbox_idnr WHERE mailbox_id = OLD.mailbox_idnr;
  END;
CREATE TRIGGER fk_delete_acl_mailbox_id
  BEFORE DELETE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_acl WHERE mailbox_id = OLD.mailbox_idnr;
  END;

-- dbmail_messages.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_messages_physmessage_id
  BEFORE INSERT ON dbmail_messages
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_messages" violates foreign key constraint "fk_insert_messages_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update1_messages_physmessage_id
  BEFORE UPDATE ON dbmail_messages
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_messages" violates foreign key constraint "fk_update1_messages_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_messages_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_messages SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_message_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_messages WHERE physmessage_id = OLD.id;
  END;

-- dbmail_messages.mailbox_idnr -> dbmail_mailboxes.mailbox_idnr
CREATE TRIGGER fk_insert_messages_mailbox_idnr
  BEFORE INSERT ON dbmail_messages
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_idnr IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_messages" violates foreign key constraint "fk_insert_messages_mailbox_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_messages_mailbox_idnr
  BEFORE UPDATE ON dbmail_messages
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.mailbox_idnr IS NOT NULL)
        AND ((SELECT mailbox_idnr FROM dbmail_mailboxes WHERE mailbox_idnr = new.mailbox_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_messages" violates foreign key constraint "fk_update1_messages_mailbox_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_messages_mailbox_idnr
  AFTER UPDATE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    UPDATE dbmail_messages SET mailbox_idnr = new.mailbox_idnr WHERE mailbox_idnr = OLD.mailbox_idnr;
  END;
CREATE TRIGGER fk_delete_messages_mailbox_idnr
  BEFORE DELETE ON dbmail_mailboxes
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_messages WHERE mailbox_idnr = OLD.mailbox_idnr;
  END;

-- dbmail_messageblks.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_messageblks_physmessage_id
  BEFORE INSERT ON dbmail_messageblks
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_messageblks" violates foreign key constraint "fk_insert_messageblks_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update1_messageblks_physmessage_id
  BEFORE UPDATE ON dbmail_messageblks
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_messageblks" violates foreign key constraint "fk_update1_messageblks_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_messageblks_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_messageblks SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_messageblks_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_messageblks WHERE physmessage_id = OLD.id;
  END;

-- dbmail_auto_replies.user_idnr -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_auto_replies_user_idnr
  BEFORE INSERT ON dbmail_auto_replies
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_auto_replies" violates foreign key constraint "fk_insert_auto_replies_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_auto_replies_user_idnr
  BEFORE UPDATE ON dbmail_auto_replies
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_auto_replies" violates foreign key constraint "fk_update1_auto_replies_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_auto_replies_user_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_auto_replies SET user_idnr = new.user_idnr WHERE user_idnr = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_auto_replies_user_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_auto_replies WHERE user_idnr = OLD.user_idnr;
  END;

-- dbmail_auto_notifications.user_idnr -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_auto_notifications_user_idnr
  BEFORE INSERT ON dbmail_auto_notifications
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_auto_notifications" violates foreign key constraint "fk_insert_auto_notifications_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_auto_notifications_user_idnr
  BEFORE UPDATE ON dbmail_auto_notifications
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_auto_notifications" violates foreign key constraint "fk_update1_auto_notifications_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_auto_notifications_user_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_auto_notifications SET user_idnr = new.user_idnr WHERE user_idnr = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_auto_notifications_user_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_auto_notifications WHERE user_idnr = OLD.user_idnr;
  END;

-- dbmail_sievescripts.owner_idnr -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_sievescripts_owner_idnr
  BEFORE INSERT ON dbmail_sievescripts
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.owner_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.owner_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_sievescripts" violates foreign key constraint "fk_insert_sievescripts_owner_idnr"')
    END;
  END;
CREATE TRIGGER fk_update1_sievescripts_owner_idnr
  BEFORE UPDATE ON dbmail_sievescripts
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.owner_idnr IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.owner_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_sievescripts" violates foreign key constraint "fk_update1_sievescripts_owner_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_sievescripts_owner_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_sievescripts SET owner_idnr = new.user_idnr WHERE owner_idnr = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_sievescripts_owner_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_sievescripts WHERE owner_idnr = OLD.user_idnr;
  END;

-- dbmail_header.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_header_physmessage_id
  BEFORE INSERT ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_header" violates foreign key constraint "fk_insert_header_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update_header_physmessage_id
  BEFORE UPDATE ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_header" violates foreign key constraint "fk_update_header_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_header_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_header_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_header WHERE physmessage_id = OLD.id;
  END;

-- dbmail_header.headername_id -> dbmail_headername.id
CREATE TRIGGER fk_insert_header_headername_id
  BEFORE INSERT ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.headername_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_headername WHERE id = new.headername_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_header" violates foreign key constraint "fk_insert_header_headername_id"')
    END;
  END;
CREATE TRIGGER fk_update_header_headername_id
  BEFORE UPDATE ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.headername_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_headername WHERE id = new.headername_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_header" violates foreign key constraint "fk_update_header_headername_id"')
    END;
  END;
CREATE TRIGGER fk_update2_header_headername_id
  AFTER UPDATE ON dbmail_headername
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET headername_id = new.id WHERE headername_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_header_headername_id
  BEFORE DELETE ON dbmail_headername
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_header WHERE headername_id = OLD.id;
  END;

-- dbmail_header.headervalue_id -> dbmail_headervalue.id
CREATE TRIGGER fk_insert_header_headervalue_id
  BEFORE INSERT ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.headervalue_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_headervalue WHERE id = new.headervalue_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_header" violates foreign key constraint "fk_insert_header_headervalue_id"')
    END;
  END;
CREATE TRIGGER fk_update_header_headervalue_id
  BEFORE UPDATE ON dbmail_header
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.headervalue_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_headervalue WHERE id = new.headervalue_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_header" violates foreign key constraint "fk_update_header_headervalue_id"')
    END;
  END;
CREATE TRIGGER fk_update2_header_headervalue_id
  AFTER UPDATE ON dbmail_headervalue
  FOR EACH ROW BEGIN
    UPDATE dbmail_header SET headervalue_id = new.id WHERE headervalue_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_header_headervalue_id
  BEFORE DELETE ON dbmail_headervalue
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_header WHERE headervalue_id = OLD.id;
  END;

-- dbmail_referencesfield.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_referencesfield_physmessage_id
  BEFORE INSERT ON dbmail_referencesfield
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_referencesfield" violates foreign key constraint "fk_insert_referencesfield_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update1_referencesfield_physmessage_id
  BEFORE UPDATE ON dbmail_referencesfield
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_referencesfield" violates foreign key constraint "fk_update1_referencesfield_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_referencesfield_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_referencesfield SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_referencesfield_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_referencesfield WHERE physmessage_id = OLD.id;
  END;

-- dbmail_envelope.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_envelope_physmessage_id
  BEFORE INSERT ON dbmail_envelope
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_envelope" violates foreign key constraint "fk_insert_envelope_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update1_envelope_physmessage_id
  BEFORE UPDATE ON dbmail_envelope
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_envelope" violates foreign key constraint "fk_update1_envelope_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_envelope_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_envelope SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_envelope_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_envelope WHERE physmessage_id = OLD.id;
  END;

-- dbmail_partlists.part_id -> dbmail_mimeparts.id
CREATE TRIGGER fk_insert_partlists_mimeparts_id
  BEFORE INSERT ON dbmail_partlists
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.part_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_mimeparts WHERE id = new.part_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_partlists" violates foreign key constraint "fk_insert_partlists_mimeparts_id"')
    END;
  END;
CREATE TRIGGER fk_update_partlists_mimeparts_id
  BEFORE UPDATE ON dbmail_partlists
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.part_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_mimeparts WHERE id = new.part_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_partlists" violates foreign key constraint "fk_update_partlists_mimeparts_id"')
    END;
  END;
CREATE TRIGGER fk_update2_partlists_mimeparts_id
  AFTER UPDATE ON dbmail_mimeparts
  FOR EACH ROW BEGIN
    UPDATE dbmail_partlists SET part_id = new.id WHERE part_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_partlists_mimeparts_id
  BEFORE DELETE ON dbmail_mimeparts
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_partlists WHERE part_id = OLD.id;
  END;

-- dbmail_partlists.physmessage_id -> dbmail_physmessage.id
CREATE TRIGGER fk_insert_partlists_physmessage_id
  BEFORE INSERT ON dbmail_partlists
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_partlists" violates foreign key constraint "fk_insert_partlists_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update_partlists_physmessage_id
  BEFORE UPDATE ON dbmail_partlists
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.physmessage_id IS NOT NULL)
        AND ((SELECT id FROM dbmail_physmessage WHERE id = new.physmessage_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_partlists" violates foreign key constraint "fk_update_partlists_physmessage_id"')
    END;
  END;
CREATE TRIGGER fk_update2_partlists_physmessage_id
  AFTER UPDATE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    UPDATE dbmail_partlists SET physmessage_id = new.id WHERE physmessage_id = OLD.id;
  END;
CREATE TRIGGER fk_delete_partlists_physmessage_id
  BEFORE DELETE ON dbmail_physmessage
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_partlists WHERE physmessage_id = OLD.id;
  END;

-- dbmail_keywords.message_idnr -> dbmail_messages.message_idnr
CREATE TRIGGER fk_insert_dbmail_keywords_dbmail_messages_message_idnr
  BEFORE INSERT ON dbmail_keywords
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.message_idnr IS NOT NULL)
        AND ((SELECT message_idnr FROM dbmail_messages WHERE message_idnr = new.message_idnr) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_keywords" violates foreign key constraint "fk_insert_dbmail_keywords_dbmail_messages_message_idnr"')
    END;
  END;
CREATE TRIGGER fk_update_dbmail_keywords_dbmail_messages_message_idnr
  BEFORE UPDATE ON dbmail_keywords
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.message_idnr IS NOT NULL)
        AND ((SELECT message_idnr FROM dbmail_messages WHERE message_idnr = new.message_idnr) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_keywords" violates foreign key constraint "fk_update_dbmail_keywords_dbmail_messages_message_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_dbmail_keywords_dbmail_messages_message_idnr
  AFTER UPDATE ON dbmail_messages
  FOR EACH ROW BEGIN
    UPDATE dbmail_keywords SET message_idnr = new.message_idnr WHERE message_idnr = OLD.message_idnr;
  END;
CREATE TRIGGER fk_delete_dbmail_keywords_dbmail_messages_message_idnr
  BEFORE DELETE ON dbmail_messages
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_keywords WHERE message_idnr = OLD.message_idnr;
  END;

-- dbmail_filters.user_id -> dbmail_users.user_idnr
CREATE TRIGGER fk_insert_filters_users_user_idnr
  BEFORE INSERT ON dbmail_filters
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'insert on table "dbmail_filters" violates foreign key constraint "fk_insert_filters_users_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update_filters_users_user_idnr
  BEFORE UPDATE ON dbmail_filters
  FOR EACH ROW BEGIN
    SELECT CASE
      WHEN (new.user_id IS NOT NULL)
        AND ((SELECT user_idnr FROM dbmail_users WHERE user_idnr = new.user_id) IS NULL)
      THEN RAISE (ABORT, 'update on table "dbmail_filters" violates foreign key constraint "fk_update_filters_users_user_idnr"')
    END;
  END;
CREATE TRIGGER fk_update2_filters_users_user_idnr
  AFTER UPDATE ON dbmail_users
  FOR EACH ROW BEGIN
    UPDATE dbmail_filters SET user_id = new.user_idnr WHERE user_id = OLD.user_idnr;
  END;
CREATE TRIGGER fk_delete_filters_users_user_idnr
  BEFORE DELETE ON dbmail_users
  FOR EACH ROW BEGIN
    DELETE FROM dbmail_filters WHERE user_id = OLD.user_idnr;
  END;
