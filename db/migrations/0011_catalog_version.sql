-- Hand SQL: a stamp of the catalog that the MixPay hot path caches in each process
-- (server/catalog/catalog-cache.ts). Every statement that changes assets, wallets or the payee
-- access policy — operator edits, the price sync, seeds, hand SQL — sets a new value in the same
-- transaction (a trigger: no write path can forget it). The hot path reads the stamp inside a
-- statement it runs anyway and reloads its cache when the stamp differs, so a cached catalog is
-- never older than the request's first statement, on every instance.
-- Values come from a sequence (never reused, even after the row is truncated): equal means unchanged.
CREATE SEQUENCE IF NOT EXISTS "catalog_version_seq";
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "catalog_version" (
  "id" smallint PRIMARY KEY DEFAULT 1 CHECK ("id" = 1),
  "version" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "catalog_version" ("id", "version") VALUES (1, nextval('catalog_version_seq')) ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
-- An upsert, so a truncated catalog_version (the property test wipes every table) comes back on the next change.
CREATE OR REPLACE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_version (id, version) VALUES (1, nextval('catalog_version_seq'))
  ON CONFLICT (id) DO UPDATE SET version = excluded.version;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "assets_bump_catalog_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "assets" FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
--> statement-breakpoint
CREATE TRIGGER "wallets_bump_catalog_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "wallets" FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
--> statement-breakpoint
CREATE TRIGGER "payee_access_policy_bump_catalog_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "payee_access_policy" FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
--> statement-breakpoint
CREATE TRIGGER "payee_access_entries_bump_catalog_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "payee_access_entries" FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
