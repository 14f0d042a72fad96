/**
 * A small subset of CEL, the expression language Inngest uses for trigger `if`
 * expressions, `cancelOn`/`waitForEvent` matches (`event.data.x == async.data.x`),
 * onFailure handlers (`event.data.function_id == 'app-fn'`), and concurrency,
 * singleton and idempotency keys.
 *
 * Supported: string/number/bool/null literals, member access (`a.b`, `a["b"]`, `a[0]`),
 * `== != < <= > >=`, `&& || !`, `+ - * /`, `in` on lists/maps, parentheses, and list
 * literals. Anything else is a parse error, which the runner reports instead of guessing.
 */

export type Value = unknown;
type Scope = Record<string, Value>;

type Node =
  | { k: "lit"; v: Value }
  | { k: "id"; name: string }
  | { k: "member"; obj: Node; prop: Node }
  | { k: "unary"; op: "!" | "-"; arg: Node }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "list"; items: Node[] };

type Tok = { t: "num" | "str" | "id" | "op" | "eof"; v: string };

const OPS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "+", "-", "*", "/"];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let s = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) {
          const n = src[i + 1]!;
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else {
          s += src[i];
          i++;
        }
      }
      if (i >= src.length) throw new Error(`unterminated string in expression: ${src}`);
      i++;
      out.push({ t: "str", v: s });
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}' in expression: ${src}`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  out.push({ t: "eof", v: "" });
  return out;
}

const PREC: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  in: 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
};

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const n = this.expr(0);
    if (this.peek().t !== "eof") throw new Error(`unexpected '${this.peek().v}' in expression: ${this.src}`);
    return n;
  }

  private peek(): Tok {
    return this.toks[this.pos]!;
  }
  private next(): Tok {
    return this.toks[this.pos++]!;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.v !== v) throw new Error(`expected '${v}' but found '${t.v}' in expression: ${this.src}`);
  }

  private expr(minPrec: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.t === "op" || (t.t === "id" && t.v === "in") ? t.v : undefined;
      const prec = op ? PREC[op] : undefined;
      if (!op || prec === undefined || prec <= minPrec) return left;
      this.next();
      const right = this.expr(prec);
      left = { k: "bin", op, l: left, r: right };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === "op" && (t.v === "!" || t.v === "-")) {
      this.next();
      return { k: "unary", op: t.v, arg: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.peek();
      if (t.t === "op" && t.v === ".") {
        this.next();
        const name = this.next();
        if (name.t !== "id") throw new Error(`expected a field name after '.' in expression: ${this.src}`);
        node = { k: "member", obj: node, prop: { k: "lit", v: name.v } };
      } else if (t.t === "op" && t.v === "[") {
        this.next();
        const prop = this.expr(0);
        this.expect("]");
        node = { k: "member", obj: node, prop };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === "num") return { k: "lit", v: Number(t.v) };
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "id") {
      if (t.v === "true") return { k: "lit", v: true };
      if (t.v === "false") return { k: "lit", v: false };
      if (t.v === "null") return { k: "lit", v: null };
      if (this.peek().v === "(") throw new Error(`function calls are not supported in expression: ${this.src}`);
      return { k: "id", name: t.v };
    }
    if (t.v === "(") {
      const n = this.expr(0);
      this.expect(")");
      return n;
    }
    if (t.v === "[") {
      const items: Node[] = [];
      while (this.peek().v !== "]") {
        items.push(this.expr(0));
        if (this.peek().v === ",") this.next();
        else break;
      }
      this.expect("]");
      return { k: "list", items };
    }
    throw new Error(`unexpected '${t.v || "end"}' in expression: ${this.src}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function equal(a: Value, b: Value): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function evalNode(n: Node, scope: Scope): Value {
  switch (n.k) {
    case "lit":
      return n.v;
    case "id":
      return scope[n.name] ?? null;
    case "list":
      return n.items.map((i) => evalNode(i, scope));
    case "member": {
      const obj = evalNode(n.obj, scope);
      const prop = evalNode(n.prop, scope);
      if (Array.isArray(obj) && typeof prop === "number") return obj[prop] ?? null;
      if (isRecord(obj) && (typeof prop === "string" || typeof prop === "number")) {
        return Object.hasOwn(obj, String(prop)) ? obj[String(prop)] : null;
      }
      return null;
    }
    case "unary": {
      const v = evalNode(n.arg, scope);
      return n.op === "!" ? !v : -Number(v);
    }
    case "bin": {
      if (n.op === "&&") return Boolean(evalNode(n.l, scope)) && Boolean(evalNode(n.r, scope));
      if (n.op === "||") return Boolean(evalNode(n.l, scope)) || Boolean(evalNode(n.r, scope));
      const l = evalNode(n.l, scope);
      const r = evalNode(n.r, scope);
      switch (n.op) {
        case "==":
          return equal(l, r);
        case "!=":
          return !equal(l, r);
        case "<":
        case "<=":
        case ">":
        case ">=": {
          if (!((typeof l === "number" && typeof r === "number") || (typeof l === "string" && typeof r === "string"))) {
            return false;
          }
          if (n.op === "<") return l < r;
          if (n.op === "<=") return l <= r;
          if (n.op === ">") return l > r;
          return l >= r;
        }
        case "in":
          if (Array.isArray(r)) return r.some((x) => equal(x, l));
          if (isRecord(r) && typeof l === "string") return Object.hasOwn(r, l);
          return false;
        case "+":
          if (typeof l === "string" || typeof r === "string") return `${String(l)}${String(r)}`;
          return Number(l) + Number(r);
        case "-":
          return Number(l) - Number(r);
        case "*":
          return Number(l) * Number(r);
        case "/":
          return Number(l) / Number(r);
      }
      throw new Error(`unknown operator ${n.op}`);
    }
  }
}

const cache = new Map<string, Node>();

/** Parses once (cached) and evaluates `src` with the given variables (`event`, `async`). */
export function evaluate(src: string, scope: Scope): Value {
  let node = cache.get(src);
  if (!node) {
    node = new Parser(tokenize(src), src).parse();
    cache.set(src, node);
  }
  return evalNode(node, scope);
}

/** Throws on a syntax error so a bad expression is reported when the app syncs. */
export function checkExpression(src: string): void {
  evaluate(src, {});
}
