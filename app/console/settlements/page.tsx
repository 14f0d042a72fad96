import type { Metadata } from "next";
import { requireOperator } from "../guard";
import { SettlementQueue } from "./queue";

export const metadata: Metadata = { title: "Settlement queue" };
export const dynamic = "force-dynamic";

export default async function SettlementsPage() {
  await requireOperator();
  return <SettlementQueue />;
}
