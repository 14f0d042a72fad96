import type { refundStatus } from "@/db/schema/movements";
import type { OrderStatus } from "@/db/schema/orders";
import { LocalTime } from "./local-time";

/** Amounts at full precision with their symbol; times in the viewer's zone with UTC on hover. */
export function Amount({ value, symbol }: { value: string; symbol?: string | null }) {
  return (
    <span className="tabular-nums">
      {value} {symbol ?? ""}
    </span>
  );
}

/** Shared classes, so every page has the same inputs, buttons, tables and focus rings. */
export const ui = {
  input:
    "rounded-md border border-zinc-300 bg-white px-2 py-1 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 dark:border-zinc-700 dark:bg-zinc-900",
  button:
    "rounded-md border border-zinc-300 px-3 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800",
  primary:
    "rounded-md bg-zinc-900 px-3 py-1 text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300",
  table: "mt-3 w-full text-left text-sm",
  th: "py-1 pr-3 font-medium text-zinc-500",
  td: "py-2 pr-3 align-top",
  tr: "border-t border-zinc-200 dark:border-zinc-800",
  card: "rounded-md bg-white p-3 shadow-sm dark:bg-zinc-900",
};

/**
 * A console table: one header row from `columns` (none when omitted) and the rows as children.
 * The classes default to `ui`; the overview, payments, audit and access pages pass their own.
 */
export function Table(props: {
  columns?: React.ReactNode[];
  testId?: string;
  bodyTestId?: string;
  className?: string;
  headClassName?: string;
  thClassName?: string;
  children: React.ReactNode;
}) {
  return (
    <table className={props.className ?? ui.table} data-testid={props.testId}>
      {props.columns && (
        <thead className={props.headClassName}>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} className={props.thClassName ?? ui.th}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody data-testid={props.bodyTestId}>{props.children}</tbody>
    </table>
  );
}

/** A column header read by screen readers only (the actions column). */
export function Hidden({ children }: { children: React.ReactNode }) {
  return <span className="sr-only">{children}</span>;
}

export function Empty({ children }: { children: React.ReactNode }) {
  return (
    <p className="mt-3 rounded-md border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500 dark:border-zinc-700">
      {children}
    </p>
  );
}

export function ErrorNote({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-300">
      {message}
    </p>
  );
}

export function Time({ at }: { at: Date | string | null }) {
  if (!at) return <span className="text-zinc-400">—</span>;
  return <LocalTime iso={new Date(at).toISOString()} />;
}

const NEUTRAL = "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200";

/** Every order status has its colour: a status added to ORDER_STATUSES fails typecheck here until it gets one. */
export const STATUS_STYLE: Record<OrderStatus, string> = {
  created: NEUTRAL,
  failed: NEUTRAL,
  cancelled: NEUTRAL,
  paid_late: NEUTRAL,
  paid: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-200",
  settling: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-200",
  settled: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  refunded: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  expired: "bg-zinc-200 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400",
  mixpay_refunded: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  refunding: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  settlement_failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  refund_failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
};

/** A refund request's own states (refund_requests.status), shown on the refunds page. */
export const REFUND_STATUS_STYLE: Record<(typeof refundStatus.enumValues)[number], string> = {
  pending: NEUTRAL,
  processing: NEUTRAL,
  succeeded: NEUTRAL,
  failed: NEUTRAL,
};

function Badge({ value, style }: { value: string; style: string }) {
  return <span className={`rounded px-2 py-0.5 text-xs font-medium ${style}`}>{value}</span>;
}

export function Status({ value }: { value: OrderStatus }) {
  return <Badge value={value} style={STATUS_STYLE[value]} />;
}

export function RefundStatus({ value }: { value: keyof typeof REFUND_STATUS_STYLE }) {
  return <Badge value={value} style={REFUND_STATUS_STYLE[value]} />;
}
