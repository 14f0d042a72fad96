CREATE TABLE "balance_sync_state" (
	"id" varchar(16) PRIMARY KEY NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_success_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reservation_holds" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"asset_id" uuid NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"held_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balances" ADD COLUMN "reserved" numeric(38, 8) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "balances" ADD COLUMN "sync_started_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "reservation_holds_asset_held_idx" ON "reservation_holds" USING btree ("asset_id","held_at");