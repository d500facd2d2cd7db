/**
 * The one guard for outbound targets (webhook and Slack URLs): used when a
 * channel is created, when it is changed and before every delivery. A
 * server-side request must not reach the platform's own network, so every
 * spelling of a private, loopback, link-local, CGNAT, multicast, unspecified or
 * metadata address is refused, for IPv4, IPv6 and IPv4 inside IPv6; outside
 * local development a host name is resolved first (DNS over HTTPS) and refused
 * when any of its addresses is one of those.
 */

/** `ALLOW_PRIVATE_TARGETS=true` (set by `npm start` in .dev.vars) lets local development notify its own machine. */
export function allowsPrivateTargets(env: { ALLOW_PRIVATE_TARGETS?: string }): boolean {
  return env.ALLOW_PRIVATE_TARGETS === "true";
}

/** The public DNS-over-HTTPS JSON endpoint used when DOH_URL is not set. */
export const DEFAULT_DOH_URL = "https://cloudflare-dns.com/dns-query";
/** Name lookups give up after this long (the target is then refused, or the delivery retried). */
export const DOH_TIMEOUT_MS = 5_000;

/**
 * IPv4 as a number, read the way URL parsers read hosts: one to four parts,
 * each decimal, octal (leading 0) or hex (0x); the last part fills the rest.
 * Undefined when the text is not an IPv4 address in any spelling.
 */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9]\d*)$/.test(part)) n = Number(part);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  return numbers.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
}

/** IPv6 (with `::`, an IPv4 tail, a zone) as 16 bytes; undefined when it is not one. */
export function parseIPv6(text: string): number[] | undefined {
  const host = text.replace(/%.*$/, "");
  if (!/^[0-9a-f:.]+$/i.test(host) || !host.includes(":")) return undefined;
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(p) ? parseIPv4(p) : undefined;
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(Number.parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array<number>(missing).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 255]);
}

const v4Ranges: [number, number, number, number, number, string][] = [
  [0, 0, 0, 0, 8, "a 'this network' address (0.0.0.0/8)"],
  [10, 0, 0, 0, 8, "a private address (10.0.0.0/8)"],
  [100, 64, 0, 0, 10, "a carrier-grade NAT address (100.64.0.0/10)"],
  [127, 0, 0, 0, 8, "a loopback address (127.0.0.0/8)"],
  [169, 254, 0, 0, 16, "a link-local or cloud metadata address (169.254.0.0/16)"],
  [172, 16, 0, 0, 12, "a private address (172.16.0.0/12)"],
  [192, 0, 0, 0, 24, "an IETF protocol address (192.0.0.0/24)"],
  [192, 0, 2, 0, 24, "a documentation address (192.0.2.0/24)"],
  [192, 88, 99, 0, 24, "a 6to4 relay address (192.88.99.0/24)"],
  [192, 168, 0, 0, 16, "a private address (192.168.0.0/16)"],
  [198, 18, 0, 0, 15, "a benchmarking address (198.18.0.0/15)"],
  [198, 51, 100, 0, 24, "a documentation address (198.51.100.0/24)"],
  [203, 0, 113, 0, 24, "a documentation address (203.0.113.0/24)"],
  [224, 0, 0, 0, 4, "a multicast address (224.0.0.0/4)"],
  [240, 0, 0, 0, 4, "a reserved or broadcast address (240.0.0.0/4)"],
];

/** Why an IPv4 address (as a number) may not be a target; undefined when it may. */
export function forbiddenIPv4(address: number): string | undefined {
  for (const [a, b, c, d, bits, name] of v4Ranges) {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - bits);
    if (address >= base && address < base + size) return name;
  }
  return undefined;
}

const v4At = (bytes: number[], i: number) =>
  (((bytes[i] ?? 0) * 256 + (bytes[i + 1] ?? 0)) * 256 + (bytes[i + 2] ?? 0)) * 256 +
  (bytes[i + 3] ?? 0);

/** Why an IPv6 address (16 bytes) may not be a target; undefined when it may. */
export function forbiddenIPv6(bytes: number[]): string | undefined {
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 16)) return "the unspecified address (::)";
  if (zeros(0, 15) && bytes[15] === 1) return "the loopback address (::1)";
  const inner = (what: string, v4: number) => {
    const why = forbiddenIPv4(v4);
    return why ? `${why} in ${what}` : undefined;
  };
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64), 2002:AABB:CCDD:: (6to4).
  if (zeros(0, 10) && bytes[10] === 255 && bytes[11] === 255)
    return inner("IPv4-mapped form", v4At(bytes, 12));
  if (zeros(0, 12)) return inner("IPv4-compatible form", v4At(bytes, 12));
  if (b0 === 0 && b1 === 0x64 && b2 === 0xff && b3 === 0x9b && zeros(4, 12))
    return inner("NAT64 form", v4At(bytes, 12));
  if (b0 === 0x20 && b1 === 0x02) return inner("6to4 form", v4At(bytes, 2));
  if (b0 === 0x20 && b1 === 0x01 && b2 === 0 && b3 === 0)
    return "a Teredo tunnel address (2001::/32)";
  if (b0 === 0x20 && b1 === 0x01 && b2 === 0x0d && b3 === 0xb8)
    return "a documentation address (2001:db8::/32)";
  if (b0 === 0x01 && b1 === 0 && zeros(2, 8)) return "a discard address (100::/64)";
  if ((b0 & 0xfe) === 0xfc) return "a unique local address (fc00::/7)";
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return "a link-local address (fe80::/10)";
  if (b0 === 0xfe && (b1 & 0xc0) === 0xc0) return "a site-local address (fec0::/10)";
  if (b0 === 0xff) return "a multicast address (ff00::/8)";
  return undefined;
}

const privateNames = [/^localhost$/, /\.localhost$/, /\.local$/, /\.internal$/, /\.home\.arpa$/];

/** A URL host without brackets, in lower case, without the trailing dot(s) of a fully qualified name. */
export function normalHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "");
}

/** An IP literal as its kind and value; undefined for a host name. */
function literal(host: string): { v4: number } | { v6: number[] } | undefined {
  const v6 = parseIPv6(host);
  if (v6) return { v6 };
  const v4 = parseIPv4(host);
  return v4 === undefined ? undefined : { v4 };
}

/** Why a host (name or literal, in any spelling) may not be a target, without asking DNS. */
export function forbiddenHost(hostname: string): string | undefined {
  const host = normalHost(hostname);
  if (host === "") return "no host";
  if (privateNames.some((p) => p.test(host)) || host === "metadata") {
    return `the local or internal name '${host}'`;
  }
  const ip = literal(host);
  if (!ip) return undefined;
  return "v4" in ip ? forbiddenIPv4(ip.v4) : forbiddenIPv6(ip.v6);
}

/** Whether a URL's host is a private, loopback, link-local or otherwise internal address (or a name for one). */
export function isPrivateHost(hostname: string): boolean {
  return forbiddenHost(hostname) !== undefined;
}

interface DohAnswer {
  name?: string;
  type?: number;
  data?: string;
}

/** Addresses of a name (A and AAAA) through a DNS-over-HTTPS JSON endpoint. */
export async function resolveHost(dohUrl: string, name: string): Promise<string[]> {
  const ask = async (type: "A" | "AAAA") => {
    const url = new URL(dohUrl);
    url.searchParams.set("name", name);
    url.searchParams.set("type", type);
    const res = await fetch(url, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(DOH_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`the resolver answered HTTP ${res.status}`);
    const body = (await res.json()) as { Status?: number; Answer?: DohAnswer[] };
    // 0 NOERROR, 3 NXDOMAIN; anything else (SERVFAIL, REFUSED) is not an answer.
    if (body.Status === 3) return [];
    if (body.Status !== 0) throw new Error(`the resolver answered DNS status ${body.Status}`);
    return (body.Answer ?? [])
      .filter((a) => a.type === 1 || a.type === 28)
      .map((a) => String(a.data ?? ""));
  };
  const [a, aaaa] = await Promise.all([ask("A"), ask("AAAA")]);
  return [...a, ...aaaa];
}

export type TargetVerdict = { ok: true } | { ok: false; reason: string; retryable: boolean };

/**
 * The target guard: refuses URLs that are not http(s), point at a private
 * address in any spelling, or (outside local development) name a host that
 * does not resolve or resolves to any private address.
 */
export async function checkTarget(
  env: { ALLOW_PRIVATE_TARGETS?: string; DOH_URL?: string },
  target: string,
): Promise<TargetVerdict> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, reason: "is not a URL", retryable: false };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, reason: "must be an http or https URL", retryable: false };
  }
  if (allowsPrivateTargets(env)) return { ok: true };
  const why = forbiddenHost(url.hostname);
  if (why) return { ok: false, reason: `points to ${why}`, retryable: false };
  const host = normalHost(url.hostname);
  if (literal(host)) return { ok: true };
  let addresses: string[];
  try {
    addresses = await resolveHost(env.DOH_URL || DEFAULT_DOH_URL, host);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `could not be resolved (${reason})`, retryable: true };
  }
  if (addresses.length === 0) {
    return { ok: false, reason: `host '${host}' does not resolve`, retryable: false };
  }
  for (const address of addresses) {
    const ip = literal(address);
    const bad = !ip
      ? "which is not an IP address"
      : "v4" in ip
        ? forbiddenIPv4(ip.v4)
        : forbiddenIPv6(ip.v6);
    if (bad) {
      return {
        ok: false,
        reason: `host '${host}' resolves to ${address}, ${bad}`,
        retryable: false,
      };
    }
  }
  return { ok: true };
}
