import { createCallerFactory, router } from "./init";
import { operatorRouter } from "./routers/operator";
import { ordersRouter } from "./routers/orders";

export const appRouter = router({ orders: ordersRouter, operator: operatorRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
