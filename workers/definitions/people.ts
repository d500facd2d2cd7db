import { and, eq, lt, sql } from "drizzle-orm";
import { randomToken, sha256Hex } from "../lib/crypto";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { ProblemError } from "../lib/errors";
import { newId } from "../lib/ids";
import { verifyPassword } from "../lib/password";

const { sessions, users, signInFailures } = tables;
type UserRow = typeof users.$inferSelect;

/** Session tokens start with this, so the server tells them from key and admin tokens. */
export const SESSION_PREFIX = "anoms_";
/** A session ends after this long unused... */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** ...and in any case this long after sign-in. */
export const SESSION_MAX_MS = 30 * 24 * 3600_000;
/** How often a used session's idle deadline is pushed back (one write per this). */
const TOUCH_EVERY_MS = 5 * 60_000;

/** Failed sign-ins allowed per email, and per client address, in one window. */
export const SIGN_IN_LIMITS = { email: 5, address: 30, windowMs: 15 * 60_000 };

export interface SessionRow {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export async function userByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function createSession(
  db: Database,
  userId: string,
): Promise<{ token: string; expiresAt: number }> {
  const token = `${SESSION_PREFIX}${randomToken(32)}`;
  const at = Date.now();
  const expiresAt = Math.min(at + SESSION_IDLE_MS, at + SESSION_MAX_MS);
  await db
    .insert(sessions)
    .values({ id: await sha256Hex(token), userId, createdAt: at, lastSeenAt: at, expiresAt });
  return { token, expiresAt };
}

/** The live session of a token, its idle deadline pushed back. */
export async function sessionByToken(db: Database, token: string): Promise<SessionRow | undefined> {
  const id = await sha256Hex(token);
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  const now = Date.now();
  if (!row || row.expiresAt <= now) return undefined;
  if (now - row.lastSeenAt >= TOUCH_EVERY_MS) {
    const expiresAt = Math.min(now + SESSION_IDLE_MS, row.createdAt + SESSION_MAX_MS);
    await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, id));
    return { ...row, expiresAt };
  }
  return row;
}

export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Signs a person out on every device: every session token they hold stops working. */
export async function endAllSessions(db: Database, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** A new token for the same person; the old one stops working now. */
export async function rotateSession(
  db: Database,
  sessionId: string,
  userId: string,
): Promise<{ token: string; expiresAt: number }> {
  const next = await createSession(db, userId);
  await endSession(db, sessionId);
  return next;
}

function tooManyAttempts(retryAfterSeconds: number) {
  return new ProblemError(
    429,
    "Too Many Requests",
    `Too many failed sign-ins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
    undefined,
    { retryAfter: retryAfterSeconds },
  );
}

async function failuresOf(db: Database, key: string, now: number) {
  const [row] = await db.select().from(signInFailures).where(eq(signInFailures.key, key));
  if (!row || now - row.windowStart >= SIGN_IN_LIMITS.windowMs) return { count: 0, start: now };
  return { count: row.failures, start: row.windowStart };
}

async function recordFailure(db: Database, keys: string[], now: number) {
  await db.batch([
    db.delete(signInFailures).where(lt(signInFailures.windowStart, now - SIGN_IN_LIMITS.windowMs)),
    ...keys.map((key) =>
      db
        .insert(signInFailures)
        .values({ key, windowStart: now, failures: 1 })
        .onConflictDoUpdate({
          target: signInFailures.key,
          set: { failures: sql`${signInFailures.failures} + 1` },
        }),
    ),
  ]);
}

/**
 * Checks an email and password. Throttled per email and per client address
 * before any hashing; an unknown email costs the same KDF run as a known one.
 */
export async function checkPassword(
  db: Database,
  email: string,
  password: string,
  address: string,
): Promise<UserRow | undefined> {
  const now = Date.now();
  const emailKey = `email:${email}`;
  const addressKey = `address:${address}`;
  const [byEmail, byAddress] = await Promise.all([
    failuresOf(db, emailKey, now),
    failuresOf(db, addressKey, now),
  ]);
  const blocked =
    byEmail.count >= SIGN_IN_LIMITS.email
      ? byEmail.start
      : byAddress.count >= SIGN_IN_LIMITS.address
        ? byAddress.start
        : null;
  if (blocked !== null) {
    throw tooManyAttempts(Math.ceil((blocked + SIGN_IN_LIMITS.windowMs - now) / 1000));
  }
  const user = await userByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? null);
  if (ok && user) {
    await db.delete(signInFailures).where(and(eq(signInFailures.key, emailKey)));
    return user;
  }
  await recordFailure(db, [emailKey, addressKey], now);
  return undefined;
}

/** The user with this email, created (without a password) when there is none. */
export async function ensureUser(db: Database, email: string): Promise<UserRow> {
  const existing = await userByEmail(db, email);
  if (existing) return existing;
  const row: UserRow = { id: newId("usr"), email, passwordHash: null, createdAt: Date.now() };
  await db.insert(users).values(row).onConflictDoNothing();
  return (await userByEmail(db, email)) ?? row;
}

export async function userById(db: Database, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}
