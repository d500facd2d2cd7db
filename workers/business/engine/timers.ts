import { JOB_KEEP, JOB_PENDING } from "./firing";

/** Jobs the engine puts on the business's schedule, keyed by `ruleId\ngroupKey`. */
export const JOB_ABSENCE = "absence";
export const JOB_WINDOW = "window";
export const ENGINE_JOBS = [JOB_ABSENCE, JOB_WINDOW, JOB_PENDING, JOB_KEEP];
