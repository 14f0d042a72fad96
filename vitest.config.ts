import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Outside Next, "server-only" is the empty module Next itself picks for server code (tsconfig.json maps it the same for tsx, Playwright and esbuild).
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**/*.spec.ts", ".data/**"],
    environment: "node",
    // Quiet logs in tests unless asked for (LOG_LEVEL=debug npx vitest …).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
