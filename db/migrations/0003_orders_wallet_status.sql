ALTER TABLE "orders" ADD COLUMN "wallet_status" varchar(32);--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "wallet_checked_at" timestamp with time zone;