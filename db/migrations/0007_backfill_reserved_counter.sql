-- Hand-written: start balances.reserved at the sum of the orders that reserve today
-- (created — expired or not, the expiry job releases those —, paid, settling, settlement_failed).
-- From here on transitionOrder and createOrder keep it exact; check-reservations watches for drift.
UPDATE "balances" b
SET "reserved" = o.total
FROM (
  SELECT "asset_id", sum("amount") AS total
  FROM "orders"
  WHERE "status" IN ('created', 'paid', 'settling', 'settlement_failed')
  GROUP BY "asset_id"
) o
WHERE b."asset_id" = o."asset_id";
