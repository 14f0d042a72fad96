import { createCallerFactory, router } from "./init";
import { operatorRouter } from "./routers/operator";
import { ordersRouter } from "./routers/orders";
import { treasuryRouter } from "./routers/treasury";

export const appRouter = router({ orders: ordersRouter, operator: operatorRouter, treasury: treasuryRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
