import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { wallets } from "@/db/schema";
import { writeAudit, type Actor } from "@/server/console/audit";
import { AppError, AppErrorCode } from "@/server/errors";

/** Operators turn a wallet (payment method) on or off (audited, in one transaction). */
export async function setWalletEnabled(db: Db, actor: Actor, name: string, enabled: boolean) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(wallets).where(eq(wallets.name, name)).for("update");
    if (!before) throw new AppError(AppErrorCode.NOT_FOUND, "no such wallet");
    const [after] = await tx
      .update(wallets)
      .set({ enabled, updatedAt: new Date() })
      .where(eq(wallets.name, name))
      .returning();
    await writeAudit(tx, actor, { action: "wallet.update", targetType: "wallet", targetId: name, before, after });
    return after!;
  });
}
