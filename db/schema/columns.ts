import { numeric, timestamp } from "drizzle-orm/pg-core";

/** Money and asset amounts: exact decimals, read and written as strings, never JS numbers. */
export const money = (name: string) => numeric(name, { precision: 38, scale: 8 });

/** Rates such as the fee rate (0.01 = 1%). */
export const rate = (name: string) => numeric(name, { precision: 12, scale: 8 });

export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const createdAt = () => tstz("created_at").notNull().defaultNow();
export const updatedAt = () =>
  tstz("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
