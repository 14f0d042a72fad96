import type { Metadata } from "next";
import { serverCaller } from "@/adapters/trpc/server";
import { Table, Time } from "../format";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default async function AuditPage() {
  const rows = await (await serverCaller()).operator.audit();
  return (
    <div>
      <h1 className="text-xl font-semibold">Audit log</h1>
      {rows.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-500">No operator actions yet.</p>
      ) : (
        <Table
          columns={["When", "Who", "Action", "Target", "Before → after"]}
          testId="audit"
          className="mt-4 w-full text-left text-sm"
          headClassName="text-zinc-500"
          thClassName="py-1 pr-3 font-medium"
        >
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-zinc-200 align-top dark:border-zinc-800">
              <td className="py-2 pr-3">
                <Time at={r.createdAt} />
              </td>
              <td className="py-2 pr-3">{r.actorEmail}</td>
              <td className="py-2 pr-3">
                <code className="text-xs">{r.action}</code>
              </td>
              <td className="py-2 pr-3 font-mono text-xs">
                {r.targetType} {r.targetId}
              </td>
              <td className="py-2 pr-3">
                <details>
                  <summary className="cursor-pointer text-xs text-zinc-500">show</summary>
                  <pre className="mt-1 max-w-xl overflow-x-auto text-xs">
                    {JSON.stringify({ before: r.before, after: r.after }, null, 2)}
                  </pre>
                </details>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
