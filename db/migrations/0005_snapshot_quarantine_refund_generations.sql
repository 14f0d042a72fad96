ALTER TYPE "public"."snapshot_kind" ADD VALUE 'unexplained';--> statement-breakpoint
ALTER TYPE "public"."snapshot_kind" ADD VALUE 'quarantined';--> statement-breakpoint
DROP INDEX "refunds_order_id_key";--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ALTER COLUMN "memo_text" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ALTER COLUMN "memo_text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ADD COLUMN "issue" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "generation" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "wallet_failed_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_order_generation_key" ON "refunds" USING btree ("order_id","generation");