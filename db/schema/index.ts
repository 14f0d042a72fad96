export * from "./catalog";
export * from "./balances";
export * from "./orders";
export * from "./movements";
export * from "./users";
export * from "./webhooks";
export * from "./ledger";
