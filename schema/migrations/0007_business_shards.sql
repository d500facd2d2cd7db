ALTER TABLE `businesses` ADD `shards` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `businesses` ADD `shard_key` text;--> statement-breakpoint
CREATE TABLE `__new_activity_hours` (
	`business_id` text NOT NULL,
	`hour` integer NOT NULL,
	`shard` integer DEFAULT 0 NOT NULL,
	`events` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`business_id`, `hour`, `shard`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_activity_hours`("business_id", "hour", "shard", "events", "last_at") SELECT "business_id", "hour", 0, "events", "last_at" FROM `activity_hours`;--> statement-breakpoint
DROP TABLE `activity_hours`;--> statement-breakpoint
ALTER TABLE `__new_activity_hours` RENAME TO `activity_hours`;