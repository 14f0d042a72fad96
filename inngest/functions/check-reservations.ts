import { getDb } from "@/db";
import { checkReservations } from "@/server/balances/check-reservations";
import { inngest } from "../client";

/**
 * Every 10 minutes: the reservation counters against the open orders (server/balances/
 * check-reservations.ts); any drift raises a critical reservation_drift alert. The sum over open
 * orders is the cost create_order no longer pays on every request; here it runs 144 times a day.
 */
export const checkReservationsFn = inngest.createFunction(
  { id: "check-reservations", triggers: [{ cron: "*/10 * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    const r = await step.run("compare-counters-with-orders", async () => checkReservations(await getDb()));
    return { checked: r.checked, drift: r.drift.length };
  },
);
