export * from "./catalog";
export * from "./balances";
export * from "./orders";
export * from "./movements";
export * from "./users";
export * from "./webhooks";
export * from "./rate-limits";
export * from "./sign-in-throttle";
