ALTER TYPE "public"."snapshot_kind" ADD VALUE 'unexplained';--> statement-breakpoint
ALTER TYPE "public"."snapshot_kind" ADD VALUE 'quarantined';--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ALTER COLUMN "memo_text" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ALTER COLUMN "memo_text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ADD COLUMN "issue" text;