/**
 * `npm run build` (after `next build`): compiles the production entry points to plain ESM in
 * dist/ so `npm start` and the container run `node dist/serve.mjs` — one node process, PID-1
 * friendly, no TypeScript loader at run time. Packages stay external (resolved from
 * node_modules at run time, production dependencies only); the broker's own modules are bundled.
 */
import { build } from "esbuild";

await build({
  entryPoints: {
    serve: "scripts/serve.ts",
    "db-migrate": "scripts/db-migrate.ts",
    "user-create": "scripts/user-create.ts",
  },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  tsconfig: "tsconfig.json",
  sourcemap: "linked",
  logLevel: "warning",
});
console.log("compiled dist/serve.mjs, dist/db-migrate.mjs, dist/user-create.mjs");
