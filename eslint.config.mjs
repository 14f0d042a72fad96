import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "dist/**",
      "node_modules/**",
      ".data/**",
      "db/migrations/**",
      "test-results/**",
      "playwright-report/**",
      "bench/results/**",
      "next-env.d.ts",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // App Router only: there is no pages/ directory for this rule to look at.
      "@next/next/no-html-link-for-pages": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // A cycle makes load order matter and hides which layer depends on which: none anywhere.
    files: ["**/*.{ts,tsx,mts}"],
    // Packages are never part of a cycle through our code; not parsing them keeps lint fast.
    settings: { "import/ignore": ["node_modules"] },
    rules: { "import/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // server/ is the domain: plain functions over `db`. Frameworks and transports live in
    // adapters/ (tRPC, next-auth, the MixPay HTTP handlers), app/ (Next) and inngest/ (durable
    // functions), which call into server/, never the other way. Tests may drive the whole stack.
    files: ["server/**/*.{ts,tsx}"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "inngest",
              message: "server/ is the domain: durable functions live in inngest/ and call into server/.",
            },
          ],
          patterns: [
            {
              group: [
                "next",
                "next/*",
                "next-auth",
                "next-auth/*",
                "@trpc/*",
                "react",
                "react/*",
                "react-dom",
                "react-dom/*",
                "@tanstack/*",
              ],
              message: "server/ is the domain: no framework imports (put the glue in adapters/).",
            },
            {
              group: [
                "@/adapters",
                "@/adapters/*",
                "@/app/*",
                "@/inngest",
                "@/inngest/*",
                "**/adapters/*",
                "**/app/*",
                "**/inngest/*",
              ],
              message: "server/ must not depend on adapters/, app/ or inngest/: they depend on it.",
            },
          ],
        },
      ],
    },
  },
];

export default config;
