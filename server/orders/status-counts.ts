import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";

/** Orders per status (the console overview). */
export async function statusCounts(db: Db) {
  return db.select({ status: orders.status, count: sql<number>`count(*)::int` }).from(orders).groupBy(orders.status);
}
