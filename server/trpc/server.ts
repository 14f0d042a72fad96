import { cache } from "react";
import { createContext } from "./context";
import { createCaller } from "./root";

/** Server components call procedures through this caller (one context per request). */
export const serverCaller = cache(async () => createCaller(await createContext()));
