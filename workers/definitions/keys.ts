import { and, desc, eq, isNull } from "drizzle-orm";
import type { ApiKey, ApiKeyCreated, KeyCreate } from "../../schema/contracts/teams";
import { newToken, sha256Hex } from "../lib/crypto";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { invalid, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { shown } from "./rows";

const { apiKeys } = tables;
type KeyRow = typeof apiKeys.$inferSelect;

/** API key tokens start with this, so the server tells them from session and admin tokens. */
export const KEY_PREFIX = "anomk_";
/** last_used_at is written at most this often per key, so reads do not all become writes. */
const LAST_USED_GRANULARITY_MS = 60_000;

const toKey = (row: KeyRow): ApiKey =>
  shown(
    row,
    ["id", "workspaceId", "name", "role", "tokenPrefix", "createdBy"],
    ["createdAt", "expiresAt", "lastUsedAt", "revokedAt"],
  );

export async function createKey(
  db: Database,
  workspaceId: string,
  input: KeyCreate,
  createdBy: string,
): Promise<ApiKeyCreated> {
  const at = Date.now();
  const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
  if (expiresAt !== null && !(expiresAt > at)) throw invalid("expiresAt", "must be in the future");
  const { token, ...secret } = await newToken(KEY_PREFIX, 32);
  const row: KeyRow = {
    id: newId("key", at),
    workspaceId,
    name: input.name,
    role: input.role,
    ...secret,
    createdBy,
    createdAt: at,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { ...toKey(row), token };
}

export async function listKeys(db: Database, workspaceId: string): Promise<ApiKey[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, workspaceId))
    .orderBy(desc(apiKeys.id));
  return rows.map(toKey);
}

/** Revokes a key: its next request is refused. */
export async function revokeKey(db: Database, workspaceId: string, keyId: string): Promise<void> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(
      and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)),
    )
    .returning({ id: apiKeys.id });
  if (!row) throw notFound("Key", keyId);
}

/** The live key a token belongs to (not revoked, not expired), noting its use. */
export async function keyByToken(db: Database, token: string): Promise<KeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.tokenHash, await sha256Hex(token)));
  const now = Date.now();
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
    return undefined;
  }
  if (row.lastUsedAt === null || now - row.lastUsedAt >= LAST_USED_GRANULARITY_MS) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
  }
  return row;
}
