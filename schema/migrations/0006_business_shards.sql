ALTER TABLE `businesses` ADD `shards` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `businesses` ADD `shard_key` text;