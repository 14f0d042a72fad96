-- Hand SQL for the double-entry books (db/schema/ledger.ts, docs/ledger.md).
-- 1. Account names and amounts the books accept.
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_name" CHECK ("account" ~ '^(mixin_bot|owed_mixpay|owed_end_users|fee_income|wallet_commission|operator_funding|suspense|wallet:[a-z0-9_-]{1,40})$');
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_nonzero" CHECK ("amount" <> 0);
--> statement-breakpoint
-- 2. Every journal balances to zero per asset and has at least two entries, checked at commit
--    (deferred), so a journal and its entries can be written in any order inside one transaction.
CREATE OR REPLACE FUNCTION ledger_check_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- TG_ARGV[0] names the column that holds the journal id: "id" on journals, "journal_id" on entries.
  jid bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
  bad record;
  n integer;
BEGIN
  SELECT count(*) INTO n FROM ledger_entries WHERE journal_id = jid;
  IF n < 2 THEN
    RAISE EXCEPTION 'ledger journal % has % entries; a journal needs at least two', jid, n USING ERRCODE = '23514';
  END IF;
  SELECT asset_id, sum(amount) AS total INTO bad FROM ledger_entries WHERE journal_id = jid GROUP BY asset_id HAVING sum(amount) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger journal % does not balance: asset % sums to %', jid, bad.asset_id, bad.total USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ledger_entries_balanced" AFTER INSERT ON "ledger_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced('journal_id');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ledger_journals_balanced" AFTER INSERT ON "ledger_journals" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced('id');
--> statement-breakpoint
-- 3. Append-only: no UPDATE, DELETE or TRUNCATE of the books. A correction is a new journal.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the books are append-only: % on % is refused; post a correcting journal instead', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "ledger_entries" FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER "ledger_journals_append_only" BEFORE UPDATE OR DELETE ON "ledger_journals" FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER "ledger_journals_no_truncate" BEFORE TRUNCATE ON "ledger_journals" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- 4. Reconciliation reads the settlement transfers still in flight (sent or confirmed lately):
--    start from those few rows instead of every transfer ever made.
CREATE INDEX IF NOT EXISTS "mixin_transfers_in_flight_idx" ON "mixin_transfers" ("updated_at") WHERE status in ('sent', 'confirmed');
