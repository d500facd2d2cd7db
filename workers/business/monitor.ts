import { DurableObject } from "cloudflare:workers";

/**
 * One instance per business: keeps its recent events and live rule state in
 * SQLite and drives absence windows and archiving from its single alarm.
 */
export class BusinessMonitor extends DurableObject<Env> {}
