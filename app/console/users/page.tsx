import type { Metadata } from "next";
import { currentUser, serverCaller } from "@/adapters/trpc/server";
import { Empty, Table, Time, ui } from "../format";
import { DisableToggle, InviteForm, PayeeLinks } from "../operator-forms";

export const metadata: Metadata = { title: "Users and roles" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const [rows, me] = await Promise.all([(await serverCaller()).operator.users(), currentUser()]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Users and roles</h1>
        <p className="mt-1 text-sm text-zinc-500">
          Merchants read the payments of the payee ids linked to them. A merchant who signs in with Mixin is linked to
          their Mixin user id (their MixPay payee id) automatically.
        </p>
      </div>
      <InviteForm />
      {rows.length === 0 ? (
        <Empty>No users yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <Table columns={["User", "Role", "Linked payee ids", "Since", "State"]} testId="users">
            {rows.map((u) => {
              const label = u.email ?? u.name ?? u.mixinUserId ?? u.id;
              return (
                <tr key={u.id} className={ui.tr} data-testid={`user-${label}`}>
                  <td className={ui.td}>
                    <div>{u.email ?? <span className="text-zinc-500">no email</span>}</div>
                    {u.name && <div className="text-xs text-zinc-500">{u.name}</div>}
                    {u.mixinUserId && <div className="text-xs text-zinc-500">Mixin {u.mixinUserId}</div>}
                  </td>
                  <td className={ui.td}>{u.role}</td>
                  <td className={ui.td}>
                    {u.role === "merchant" ? (
                      <PayeeLinks userId={u.id} payeeIds={u.payeeIds} />
                    ) : (
                      <span className="text-zinc-500">every payee</span>
                    )}
                  </td>
                  <td className={ui.td}>
                    <Time at={u.createdAt} />
                  </td>
                  <td className={ui.td}>
                    <span
                      className={
                        u.disabled ? "text-red-700 dark:text-red-300" : "text-emerald-700 dark:text-emerald-300"
                      }
                    >
                      {u.disabled ? "disabled" : "active"}
                    </span>{" "}
                    {u.id !== me?.id && <DisableToggle userId={u.id} email={label} disabled={u.disabled} />}
                  </td>
                </tr>
              );
            })}
          </Table>
        </div>
      )}
    </div>
  );
}
