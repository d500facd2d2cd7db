import type { Evaluators } from "../core";
import { absence } from "./absence";
import { aggregate } from "./aggregate";
import { anomaly } from "./anomaly";
import { immediate } from "./immediate";

/** One evaluator per rule kind; the engine dispatches on `kind`. */
export const evaluators: Evaluators = { immediate, absence, aggregate, anomaly };
