import { cache } from "react";
import { createContext } from "./context";
import { createCaller } from "./root";

const context = cache(createContext);

/** Server components call procedures through this caller (one context per request). */
export const serverCaller = cache(async () => createCaller(await context()));

/** The signed-in user of this request (null when anonymous). */
export const currentUser = cache(async () => (await context()).user);
