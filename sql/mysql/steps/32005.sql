-- DBMail step (32001, 32005): sieve scripts get an id primary key and a
-- nullable owner (spec 1.2, 1.4).
ALTER TABLE `dbmail_sievescripts` CHANGE COLUMN `owner_idnr` `owner_idnr` BIGINT(20) UNSIGNED NULL DEFAULT NULL;
ALTER TABLE `dbmail_sievescripts` ADD COLUMN `id` BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (`id`);
INSERT INTO dbmail_upgrade_steps (from_version, to_version, applied) VALUES (32001, 32005, NOW());
