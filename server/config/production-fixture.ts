import { generateKeystore } from "@/server/mixin/keystore";

/** Tests only: a production configuration that passes every refusal (each test breaks one thing). */
export const SAFE_PRODUCTION = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://broker:pw@db.internal:5432/mixpay",
  PUBLIC_BASE_URL: "https://broker.example.com",
  AUTH_SECRET: "q3V9vZ0pXo1rT7bN2mK8sL4dF6gH0jW5yE3uI9oP2aS=",
  INNGEST_EVENT_KEY: "evt-key-for-tests",
  INNGEST_SIGNING_KEY: "signkey-prod-0123456789abcdef",
  MIXIN_KEYSTORE: JSON.stringify(generateKeystore()),
  MIXPAY_ALLOWED_SOURCES: "203.0.113.0/24",
} as const satisfies Record<string, string>;
