import type { Business } from "../../schema/contracts/businesses";
import { businessCache } from "../definitions/cache";
import type { Validator } from "./validate";

/** Compiled validators by business, kept while their version is current. */
export const validators = businessCache<{ business: Business; validate: Validator }>();
