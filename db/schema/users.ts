import { pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, tstz, updatedAt } from "./columns";

export const userRole = pgEnum("user_role", ["operator", "merchant"]);

/** Console users. Merchants see only the payees linked to them; operators run the broker. */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email"),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash"),
    role: userRole("role").notNull(),
    /** Set for users who sign in with Mixin; for a merchant it is also their MixPay payee_id. */
    mixinUserId: uuid("mixin_user_id"),
    disabledAt: tstz("disabled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), uniqueIndex("users_mixin_user_id_key").on(t.mixinUserId)],
);

/** The MixPay payee ids whose payments a merchant user may read. */
export const userPayees = pgTable(
  "user_payees",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    payeeId: uuid("payee_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.payeeId] })],
);
