CREATE TABLE `activity_hours` (
	`business_id` text NOT NULL,
	`hour` integer NOT NULL,
	`events` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`business_id`, `hour`),
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alerts_active_idx` ON `alerts` (`business_id`,`severity`) WHERE status in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX `alerts_active_recent_idx` ON `alerts` (`id`) WHERE status in ('open', 'acknowledged');