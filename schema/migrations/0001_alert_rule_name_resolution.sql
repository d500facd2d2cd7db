ALTER TABLE `alerts` ADD `rule_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `resolution` text;--> statement-breakpoint
CREATE INDEX `alerts_severity_idx` ON `alerts` (`severity`,`id`);