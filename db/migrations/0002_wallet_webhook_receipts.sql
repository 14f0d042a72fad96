CREATE TABLE "wallet_webhook_receipts" (
	"provider" varchar(20) NOT NULL,
	"nonce" varchar(64) NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"biz_type" varchar(40) NOT NULL,
	"biz_id" text NOT NULL,
	"biz_status" varchar(40) NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallet_webhook_receipts_provider_nonce_pk" PRIMARY KEY("provider","nonce")
);
--> statement-breakpoint
CREATE INDEX "wallet_webhook_receipts_received_idx" ON "wallet_webhook_receipts" USING btree ("received_at");--> statement-breakpoint
-- The seed used to map the "binance" wallet to the demo provider. It now names the binance
-- provider, which the broker serves with the demo wallet until Binance Pay keys are configured.
UPDATE "wallets" SET "provider" = 'binance' WHERE "name" = 'binance' AND "provider" = 'demo';
