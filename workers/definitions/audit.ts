import { eq, gte, like, lte } from "drizzle-orm";
import type { AuditEntry, AuditQuery } from "../../schema/contracts/teams";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { newestFirst, pageOf } from "./pages";
import type { Actor } from "./principal";

const { auditLog } = tables;
type AuditRow = typeof auditLog.$inferSelect;

export interface AuditRecord {
  workspaceId: string;
  actor: Actor;
  action: string;
  target: { type: string; id: string };
  detail: unknown;
}

export async function recordAudit(db: Database, r: AuditRecord): Promise<void> {
  const at = Date.now();
  await db.insert(auditLog).values({
    id: newId("aud", at),
    workspaceId: r.workspaceId,
    at,
    actorType: r.actor.type,
    actorId: r.actor.id,
    actorName: r.actor.name,
    action: r.action,
    targetType: r.target.type,
    targetId: r.target.id,
    detail: r.detail ?? null,
  });
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: iso(row.at),
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    detail: row.detail,
  };
}

/** A workspace's audit log, newest first; `action` ending in `.` matches a whole target type. */
export async function listAudit(
  db: Database,
  workspaceId: string,
  q: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const rows = await newestFirst(
    db,
    auditLog,
    [
      eq(auditLog.workspaceId, workspaceId),
      q.action
        ? q.action.endsWith(".")
          ? like(auditLog.action, `${q.action.replace(/[%_]/g, "")}%`)
          : eq(auditLog.action, q.action)
        : undefined,
      q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
      q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
      q.from ? gte(auditLog.at, Date.parse(q.from)) : undefined,
      q.to ? lte(auditLog.at, Date.parse(q.to)) : undefined,
    ],
    q,
  );
  return pageOf(rows, q.limit, toEntry);
}

// An invitation's link carries its one-time token: whoever reads the audit log could join with it.
const SECRET = /token|secret|password|hash|inviteUrl/i;

/** Top-level values small enough to log, secrets left out. */
export function compact(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET.test(k)) continue;
    const text = JSON.stringify(v) ?? "";
    if (text.length <= 500) out[k] = v;
  }
  return out;
}

/** `{ key: [before, after] }` for every top-level key whose value changed. */
export function diff(before: unknown, after: unknown): Record<string, [unknown, unknown]> {
  const a = compact(before) ?? {};
  const b = compact(after) ?? {};
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === "updatedAt" || k === "version") continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = [a[k] ?? null, b[k] ?? null];
  }
  return out;
}
