import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_KEYS } from "@/server/env";

/** .env.example is the operator's list of settings: it must match the schema, each with a comment. */
describe(".env.example", () => {
  const lines = readFileSync(path.join(process.cwd(), ".env.example"), "utf8").split("\n");
  const keys = lines.flatMap((l, i) =>
    /^[A-Z][A-Z0-9_]*=/.test(l) ? [{ key: l.slice(0, l.indexOf("=")), line: i }] : [],
  );

  it("lists every setting of the schema, and nothing the schema does not know", () => {
    expect(keys.map((k) => k.key).sort()).toEqual([...ENV_KEYS].sort());
  });

  it("explains each setting in a comment above it (or above its group)", () => {
    for (const { key, line } of keys) {
      let i = line - 1;
      while (i >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[i] ?? "")) i--;
      const comment = lines[i] ?? "";
      expect(comment.startsWith("# ") && !comment.startsWith("# ---"), key).toBe(true);
    }
  });
});
