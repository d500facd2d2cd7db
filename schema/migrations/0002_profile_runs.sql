CREATE TABLE `profile_runs` (
	`business_id` text PRIMARY KEY NOT NULL,
	`ran_at` integer NOT NULL,
	`events` integer NOT NULL,
	`period_from` integer NOT NULL,
	`period_to` integer NOT NULL,
	`group_field` text,
	`notes` text NOT NULL,
	FOREIGN KEY (`business_id`) REFERENCES `businesses`(`id`) ON UPDATE no action ON DELETE cascade
);
