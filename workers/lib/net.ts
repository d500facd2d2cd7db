/**
 * Whether a URL's host is a private, loopback or link-local address (or a name
 * that means one). Outside local development such webhook targets are refused:
 * a server-side request must not reach the platform's own network.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  ) {
    return true;
  }
  const v4 = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (host.includes(":")) {
    if (host === "::" || host === "::1") return true;
    const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped?.[1]) return isPrivateHost(mapped[1]);
    return /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  // Bare numeric forms (2130706433, 0x7f.1) are other spellings of IPv4.
  return /^[0-9.x]+$/.test(host);
}

/** `ALLOW_PRIVATE_TARGETS=true` (set by `npm start` in .dev.vars) lets local development notify its own machine. */
export function allowsPrivateTargets(env: { ALLOW_PRIVATE_TARGETS?: string }): boolean {
  return env.ALLOW_PRIVATE_TARGETS === "true";
}
