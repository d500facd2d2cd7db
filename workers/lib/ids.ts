const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number, length: number): string {
  let out = "";
  let rest = ms;
  for (let i = 0; i < length; i++) {
    out = alphabet.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomChars(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet.charAt(b % 32);
  return out;
}

/**
 * A prefixed id that sorts by creation time (like a ULID): `bus_0jz8k3m2q1abcd...`.
 * Lists page by id, so newer rows always come after older ones.
 */
export function newId(prefix: string, at = Date.now()): string {
  return `${prefix}_${encodeTime(at, 10)}${randomChars(14)}`;
}
