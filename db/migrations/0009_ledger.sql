CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"journal_id" bigint NOT NULL,
	"account" varchar(60) NOT NULL,
	"asset_id" uuid NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"order_id" uuid,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_journals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" varchar(200) NOT NULL,
	"kind" varchar(40) NOT NULL,
	"order_id" uuid,
	"snapshot_id" uuid,
	"resolves_journal_id" bigint,
	"actor" text NOT NULL,
	"memo" text DEFAULT '' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_journal_idx" ON "ledger_entries" USING btree ("journal_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_asset_idx" ON "ledger_entries" USING btree ("account","asset_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_order_idx" ON "ledger_entries" USING btree ("order_id") WHERE order_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_journals_idempotency_key" ON "ledger_journals" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_journals_resolves_key" ON "ledger_journals" USING btree ("resolves_journal_id");--> statement-breakpoint
CREATE INDEX "ledger_journals_snapshot_idx" ON "ledger_journals" USING btree ("snapshot_id");--> statement-breakpoint
CREATE INDEX "ledger_journals_order_idx" ON "ledger_journals" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "ledger_journals_kind_idx" ON "ledger_journals" USING btree ("kind","id");