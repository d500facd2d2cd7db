import { base64url, randomToken } from "./crypto";

/**
 * PBKDF2-SHA256 from WebCrypto (native, no hand-rolled crypto). 100,000 is the
 * most iterations workerd allows; the count is stored with each hash so it can
 * be raised later without invalidating existing passwords.
 */
export const PBKDF2_ITERATIONS = 100_000;
const encoder = new TextEncoder();

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>`, salt and hash base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${base64url(salt)}$${base64url(new Uint8Array(hash))}`;
}

let dummy: Promise<string> | undefined;
/** A hash of a random password: checked when the email is unknown, so that answer takes as long. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomToken(24));
  return dummy;
}

/**
 * Whether `password` matches `stored`, compared in constant time. With no
 * stored hash (unknown email, or a person without a password) it still runs
 * the KDF once against a dummy hash and answers false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, iter, salt, hash] = (stored ?? (await dummyHash())).split("$");
  const iterations = Number(iter);
  if (scheme !== "pbkdf2-sha256" || !salt || !hash || !(iterations > 0)) return false;
  const actual = await derive(password, fromBase64url(salt), iterations);
  const expected = fromBase64url(hash).buffer;
  const same =
    actual.byteLength === expected.byteLength &&
    (
      crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBuffer, b: ArrayBuffer): boolean }
    ).timingSafeEqual(actual, expected);
  return stored !== null && same;
}
