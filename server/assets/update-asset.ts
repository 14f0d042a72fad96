import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { assets } from "@/db/schema";
import { writeAudit, type Actor } from "@/server/console/audit";
import { AppError, AppErrorCode } from "@/server/errors";
import { dec, isDecimalString } from "@/server/money";

const decimal = (max = 8) => z.string().refine((s) => isDecimalString(s, max), "a plain decimal with at most 8 places");

/** Operators change an asset's limits, fee and low-balance threshold (audited, in one transaction). */
export const updateAssetInput = z.object({
  assetId: z.uuid(),
  enabled: z.boolean().optional(),
  minUsdt: decimal().optional(),
  maxUsdt: decimal().optional(),
  feeRate: decimal()
    .refine((s) => dec(s).lt(1), "the fee rate must be below 1 (100%)")
    .optional(),
  lowBalanceThreshold: decimal().nullable().optional(),
});

export async function updateAsset(db: Db, actor: Actor, input: z.infer<typeof updateAssetInput>) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(assets).where(eq(assets.assetId, input.assetId)).for("update");
    if (!before) throw new AppError(AppErrorCode.NOT_FOUND, "no such asset");
    const { assetId, ...patch } = input;
    const minUsdt = patch.minUsdt ?? before.minUsdt;
    const maxUsdt = patch.maxUsdt ?? before.maxUsdt;
    if (dec(minUsdt).gt(dec(maxUsdt))) throw AppError.badParameter("minUsdt", "min_usdt must not exceed max_usdt");
    const [after] = await tx
      .update(assets)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(assets.assetId, assetId))
      .returning();
    await writeAudit(tx, actor, { action: "asset.update", targetType: "asset", targetId: assetId, before, after });
    return after!;
  });
}
