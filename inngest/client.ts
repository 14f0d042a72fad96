import { Inngest } from "inngest";

/**
 * The broker's Inngest client. In development and tests INNGEST_DEV=1 points it at a local
 * server (the Inngest Dev Server, or tools/inngest-local when that cannot be installed);
 * in production it uses Inngest Cloud or a self-hosted `inngest start` with
 * INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY.
 */
export const inngest = new Inngest({ id: "mixpay-broker" });
