import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
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
