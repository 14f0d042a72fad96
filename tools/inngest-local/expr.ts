/**
 * Inngest's expressions (trigger `if`, `cancelOn`/`waitForEvent` matches such as
 * `event.data.x == async.data.x`, onFailure's `event.data.function_id == 'app-fn'`, and
 * concurrency, singleton and idempotency keys) evaluated with a full CEL implementation
 * (@marcbachmann/cel-js): macros (`has`, `exists`, `all`, `map`, `filter`), `size()`, string
 * functions, `in`, ternaries and the rest of the standard library all work.
 *
 * Two rules of Inngest's own evaluator (pkg/expressions in inngest/inngest) differ from plain
 * CEL, and events are hostile JSON, so they are kept here:
 * - a missing field is null, not an error: `event.data.missing.deeper == null` is true, and
 *   `has()` of a field below a missing one is false;
 * - `+` joins a string and a number into a string (`'o-' + event.data.n`).
 * Field access is rewritten into calls that apply the first rule (`a.b` → `inngestField(a, "b")`)
 * before the library parses it. The variables are Inngest's; any other name is an error.
 */
import { Environment, parse, serialize, type ASTNode } from "@marcbachmann/cel-js";

export type Value = unknown;
type Scope = Record<string, Value>;

/** The variables Inngest declares for its expressions. */
const VARIABLES = ["event", "async", "steps", "response", "user", "actions", "action"] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** `obj.key` / `obj[key]` with Inngest's rule: anything missing is null. */
function field(obj: unknown, key: unknown): unknown {
  let v: unknown;
  if (Array.isArray(obj) && (typeof key === "bigint" || typeof key === "number")) v = obj[Number(key)];
  else if (obj instanceof Map) v = obj.get(key);
  else if (isRecord(obj) && (typeof key === "string" || typeof key === "bigint")) {
    v = Object.hasOwn(obj, String(key)) ? obj[String(key)] : undefined;
  }
  return v === undefined ? null : v;
}

function hasField(obj: unknown, key: string): boolean {
  if (obj instanceof Map) return obj.has(key);
  return isRecord(obj) && Object.hasOwn(obj, key) && obj[key] !== undefined;
}

const env = new Environment({ homogeneousAggregateLiterals: false })
  .registerFunction("inngestField(dyn, dyn): dyn", field)
  .registerFunction("inngestHas(dyn, string): bool", hasField)
  .registerOperator("string + double", (a: string, b: number) => a + String(b))
  .registerOperator("double + string", (a: number, b: string) => String(a) + b)
  .registerOperator("string + int", (a: string, b: bigint) => a + String(b))
  .registerOperator("int + string", (a: bigint, b: string) => String(a) + b);
for (const name of VARIABLES) env.registerVariable(name, "dyn");

type Mutable = { op: string; args: unknown };

/** Rewrites field access and `has()` in place (see the header). */
function rewrite(node: ASTNode): void {
  const n = node as unknown as Mutable;
  const call = (name: string, args: unknown[]): void => {
    n.op = "call";
    n.args = [name, args];
  };
  const literal = (v: string): ASTNode => parse(JSON.stringify(v)).ast;
  if (n.op === "call") {
    const [name, args] = n.args as [string, ASTNode[]];
    const target = args[0] as unknown as Mutable | undefined;
    if (name === "has" && args.length === 1 && target?.op === ".") {
      const [obj, key] = target.args as [ASTNode, string];
      rewrite(obj);
      call("inngestHas", [obj, literal(key)]);
      return;
    }
  }
  if (n.op === ".") {
    const [obj, key] = n.args as [ASTNode, string];
    rewrite(obj);
    call("inngestField", [obj, literal(key)]);
    return;
  }
  if (n.op === "[]") {
    const [obj, key] = n.args as [ASTNode, ASTNode];
    rewrite(obj);
    rewrite(key);
    call("inngestField", [obj, key]);
    return;
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === "object" && v !== null && "op" in v) rewrite(v as ASTNode);
  };
  visit(n.args);
}

type Compiled = ReturnType<Environment["parse"]>;
const cache = new Map<string, Compiled>();

function compile(src: string): Compiled {
  let compiled = cache.get(src);
  if (!compiled) {
    const ast = parse(src).ast;
    rewrite(ast);
    compiled = env.parse(serialize(ast));
    cache.set(src, compiled);
  }
  return compiled;
}

/** Parses once (cached) and evaluates `src` with the given variables (`event`, `async`). */
export function evaluate(src: string, scope: Scope): Value {
  const context: Scope = {};
  for (const name of VARIABLES) context[name] = scope[name] ?? {};
  return plain(compile(src)(context));
}

/** CEL ints are bigints and its maps may be Maps; keys and results are compared and serialized as JSON. */
function plain(value: unknown): Value {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Throws on a syntax or type error (an unknown variable or function) so a bad expression is reported when the app syncs. */
export function checkExpression(src: string): void {
  const result = compile(src).check();
  if (!result.valid) throw result.error ?? new Error(`invalid expression: ${src}`);
}
