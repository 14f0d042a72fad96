import type { Metadata } from "next";
import { revalidatePath } from "next/cache";
import { serverCaller } from "@/adapters/trpc/server";
import { Table } from "../format";

export const metadata: Metadata = { title: "Payee access" };
export const dynamic = "force-dynamic";

async function setMode(form: FormData) {
  "use server";
  await (await serverCaller()).operator.setAccessMode({
    mode: form.get("mode") === "allow_list" ? "allow_list" : "open",
  });
  revalidatePath("/console/access");
}

async function setEntry(form: FormData) {
  "use server";
  await (await serverCaller()).operator.setAccessEntry({
    payeeId: String(form.get("payeeId")).trim().toLowerCase(),
    list: form.get("list") === "allow" ? "allow" : "block",
    present: form.get("present") !== "false",
    note: String(form.get("note") ?? ""),
  });
  revalidatePath("/console/access");
}

export default async function AccessPage({ searchParams }: { searchParams: Promise<{ search?: string }> }) {
  const { search } = await searchParams;
  const { mode, entries } = await (await serverCaller()).operator.access({ search: search || undefined });
  const input = "rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Payee access</h1>
      <form action={setMode} className="flex items-center gap-3 text-sm">
        <label>
          Policy{" "}
          <select name="mode" defaultValue={mode} className={input}>
            <option value="open">open to every payee</option>
            <option value="allow_list">allow-list only</option>
          </select>
        </label>
        <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1 dark:border-zinc-700">
          Save policy
        </button>
      </form>
      <form action={setEntry} className="flex flex-wrap items-center gap-3 text-sm" aria-label="Add a payee">
        <label>
          Payee id <input name="payeeId" required pattern="[0-9a-fA-F-]{36}" className={`${input} w-80`} />
        </label>
        <select name="list" aria-label="List" className={input}>
          <option value="block">block</option>
          <option value="allow">allow</option>
        </select>
        <input name="note" placeholder="note" aria-label="Note" className={input} />
        <button
          type="submit"
          className="rounded-md bg-zinc-900 px-3 py-1 text-white dark:bg-zinc-100 dark:text-zinc-900"
        >
          Add
        </button>
      </form>
      <form method="get" className="text-sm">
        <input
          name="search"
          defaultValue={search ?? ""}
          placeholder="search payee id"
          aria-label="Search payee id"
          className={input}
        />
      </form>
      {entries.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No entries: {mode === "open" ? "every payee may use the broker." : "nobody is on the allow-list yet."}
        </p>
      ) : (
        <Table testId="access-entries" className="w-full text-left text-sm">
          {entries.map((e) => (
            <tr key={`${e.payeeId}-${e.list}`} className="border-t border-zinc-200 dark:border-zinc-800">
              <td className="py-2 pr-3 font-mono text-xs">{e.payeeId}</td>
              <td className="py-2 pr-3">{e.list}</td>
              <td className="py-2 pr-3 text-zinc-500">{e.note}</td>
              <td className="py-2">
                <form action={setEntry}>
                  <input type="hidden" name="payeeId" value={e.payeeId} />
                  <input type="hidden" name="list" value={e.list} />
                  <input type="hidden" name="present" value="false" />
                  <button
                    type="submit"
                    className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700"
                  >
                    Remove
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
