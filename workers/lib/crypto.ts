const encoder = new TextEncoder();

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Hex of a SHA-256 digest (every ingest request hashes its token: kept cheap). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (const b of digest) hex += HEX[b];
  return hex;
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `bytes` of randomness, base64url encoded. */
export function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Compares two secrets in constant time (hashing first so lengths never leak). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  // timingSafeEqual is a Workers extension; the UI's typecheck sees the DOM's SubtleCrypto, which lacks it.
  return (
    crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBuffer, b: ArrayBuffer): boolean }
  ).timingSafeEqual(da, db);
}

/**
 * A new bearer token starting with `prefix`: the token (shown once), its hash
 * (what is kept) and its first characters (shown, to tell tokens apart).
 */
export async function newToken(prefix: string, bytes: number) {
  const token = prefix + randomToken(bytes);
  return {
    token,
    tokenHash: await sha256Hex(token),
    tokenPrefix: token.slice(0, prefix.length + 6),
  };
}
