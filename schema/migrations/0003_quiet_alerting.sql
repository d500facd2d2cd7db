CREATE TABLE `silences` (
	`id` text PRIMARY KEY NOT NULL,
	`business_id` text NOT NULL,
	`rule_id` text,
	`group_key` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`rrule` text,
	`duration_seconds` integer,
	`comment` text DEFAULT '' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `silences_business_idx` ON `silences` (`business_id`);--> statement-breakpoint
ALTER TABLE `alerts` ADD `silenced` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `inhibited` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `group_wait_seconds` integer;--> statement-breakpoint
ALTER TABLE `channels` ADD `group_interval_seconds` integer;