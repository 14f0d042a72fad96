CREATE TYPE "public"."payee_access_mode" AS ENUM('open', 'allow_list');--> statement-breakpoint
CREATE TYPE "public"."payee_list_kind" AS ENUM('allow', 'block');--> statement-breakpoint
CREATE TYPE "public"."wallet_provider_kind" AS ENUM('demo', 'binance');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('created', 'failed', 'cancelled', 'expired', 'paid', 'paid_late', 'settling', 'settled', 'settlement_failed', 'mixpay_refunded', 'refunding', 'refunded', 'refund_failed');--> statement-breakpoint
CREATE TYPE "public"."alert_severity" AS ENUM('info', 'warning', 'critical');--> statement-breakpoint
CREATE TYPE "public"."attempt_kind" AS ENUM('mixin_transfer', 'mixpay_confirm', 'wallet_create', 'wallet_query', 'wallet_close', 'wallet_refund', 'alert_webhook', 'alert_mixin_message');--> statement-breakpoint
CREATE TYPE "public"."attempt_outcome" AS ENUM('started', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."refund_reason" AS ENUM('mixpay_refund', 'paid_late');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('pending', 'processing', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."snapshot_kind" AS ENUM('settlement', 'mixpay_refund', 'top_up', 'other');--> statement-breakpoint
CREATE TYPE "public"."transfer_status" AS ENUM('pending', 'sent', 'confirmed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('operator', 'merchant');--> statement-breakpoint
CREATE TABLE "assets" (
	"asset_id" uuid PRIMARY KEY NOT NULL,
	"symbol" varchar(32) NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"min_usdt" numeric(38, 8) NOT NULL,
	"max_usdt" numeric(38, 8) NOT NULL,
	"fee_rate" numeric(12, 8) DEFAULT '0' NOT NULL,
	"price_usd" numeric(38, 8),
	"price_updated_at" timestamp with time zone,
	"low_balance_threshold" numeric(38, 8),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payee_access_entries" (
	"payee_id" uuid NOT NULL,
	"list" "payee_list_kind" NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payee_access_entries_payee_id_list_pk" PRIMARY KEY("payee_id","list")
);
--> statement-breakpoint
CREATE TABLE "payee_access_policy" (
	"id" varchar(16) PRIMARY KEY DEFAULT 'default' NOT NULL,
	"mode" "payee_access_mode" DEFAULT 'open' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"name" varchar(20) PRIMARY KEY NOT NULL,
	"provider" "wallet_provider_kind" NOT NULL,
	"display_name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "balances" (
	"asset_id" uuid PRIMARY KEY NOT NULL,
	"balance" numeric(38, 8) DEFAULT '0' NOT NULL,
	"synced_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallet_balances" (
	"wallet" varchar(20) NOT NULL,
	"currency" varchar(32) NOT NULL,
	"balance" numeric(38, 8) DEFAULT '0' NOT NULL,
	"synced_at" timestamp with time zone,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallet_balances_wallet_currency_pk" PRIMARY KEY("wallet","currency")
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"type" varchar(64) NOT NULL,
	"from_status" "order_status",
	"to_status" "order_status",
	"actor" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trace_id" uuid NOT NULL,
	"payee_id" uuid NOT NULL,
	"wallet" varchar(20) NOT NULL,
	"asset_id" uuid NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"fee_rate" numeric(12, 8) NOT NULL,
	"fee" numeric(38, 8) NOT NULL,
	"pay_amount" numeric(38, 8) NOT NULL,
	"memo" text NOT NULL,
	"expired_at" timestamp with time zone NOT NULL,
	"return_url" text NOT NULL,
	"opponent_id" uuid NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"status" "order_status" DEFAULT 'created' NOT NULL,
	"status_reason" text,
	"wallet_provider" varchar(20) NOT NULL,
	"wallet_order_id" text,
	"wallet_trade_no" text,
	"checkout_url" text,
	"deep_link" text,
	"universal_url" text,
	"paid_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	"mixpay_refund_code" varchar(16),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" varchar(64) NOT NULL,
	"severity" "alert_severity" DEFAULT 'warning' NOT NULL,
	"dedupe_key" varchar(200) NOT NULL,
	"message" text NOT NULL,
	"asset_id" uuid,
	"order_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_user_id" uuid,
	"actor_email" text,
	"action" varchar(100) NOT NULL,
	"target_type" varchar(50) NOT NULL,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mixin_snapshots" (
	"snapshot_id" uuid PRIMARY KEY NOT NULL,
	"asset_id" uuid NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"opponent_id" uuid,
	"request_id" text,
	"transaction_hash" varchar(64),
	"memo_hex" text DEFAULT '' NOT NULL,
	"memo_text" text DEFAULT '' NOT NULL,
	"kind" "snapshot_kind" NOT NULL,
	"order_id" uuid,
	"refund_code" varchar(16),
	"snapshot_created_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mixin_transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"asset_id" uuid NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"opponent_id" uuid NOT NULL,
	"memo" text NOT NULL,
	"status" "transfer_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"signed_raw" text,
	"transaction_hash" varchar(64),
	"snapshot_id" uuid,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "attempt_kind" NOT NULL,
	"order_id" uuid,
	"idempotency_key" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" "attempt_outcome" DEFAULT 'started' NOT NULL,
	"request" jsonb,
	"response" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" varchar(200) PRIMARY KEY NOT NULL,
	"name" varchar(100) NOT NULL,
	"data" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"request_id" varchar(64) NOT NULL,
	"wallet" varchar(20) NOT NULL,
	"amount" numeric(38, 8) NOT NULL,
	"reason" "refund_reason" NOT NULL,
	"status" "refund_status" DEFAULT 'pending' NOT NULL,
	"provider_refund_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"name" varchar(64) PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_payees" (
	"user_id" uuid NOT NULL,
	"payee_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_payees_user_id_payee_id_pk" PRIMARY KEY("user_id","payee_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text,
	"name" text DEFAULT '' NOT NULL,
	"password_hash" text,
	"role" "user_role" NOT NULL,
	"mixin_user_id" uuid,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_asset_id_assets_asset_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("asset_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mixin_snapshots" ADD CONSTRAINT "mixin_snapshots_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mixin_transfers" ADD CONSTRAINT "mixin_transfers_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_attempts" ADD CONSTRAINT "outbound_attempts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_payees" ADD CONSTRAINT "user_payees_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_events_order_idx" ON "order_events" USING btree ("order_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_trace_id_key" ON "orders" USING btree ("trace_id");--> statement-breakpoint
CREATE INDEX "orders_payee_created_idx" ON "orders" USING btree ("payee_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_reserving_idx" ON "orders" USING btree ("asset_id","status") WHERE "orders"."status" in ('created','paid','settling','settlement_failed');--> statement-breakpoint
CREATE UNIQUE INDEX "orders_wallet_trade_no_key" ON "orders" USING btree ("wallet_provider","wallet_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_dedupe_key" ON "alerts" USING btree ("dedupe_key") WHERE acknowledged_at is null;--> statement-breakpoint
CREATE INDEX "alerts_created_idx" ON "alerts" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "mixin_snapshots_created_idx" ON "mixin_snapshots" USING btree ("snapshot_created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mixin_transfers_request_id_key" ON "mixin_transfers" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mixin_transfers_order_id_key" ON "mixin_transfers" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "outbound_attempts_order_idx" ON "outbound_attempts" USING btree ("order_id","id");--> statement-breakpoint
CREATE INDEX "outbound_attempts_key_idx" ON "outbound_attempts" USING btree ("kind","idempotency_key");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "outbox" USING btree ("created_at") WHERE sent_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_request_id_key" ON "refunds" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_order_id_key" ON "refunds" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_mixin_user_id_key" ON "users" USING btree ("mixin_user_id");