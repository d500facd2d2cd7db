import type { JWTVerifyGetKey } from "jose";
import { createRemoteJWKSet, jwtVerify } from "jose";

/** The header Cloudflare Access adds to every request it lets through. */
export const ACCESS_HEADER = "cf-access-jwt-assertion";

export interface AccessConfig {
  /** `https://<team>.cloudflareaccess.com`: the issuer, and where its signing keys are. */
  teamDomain: string;
  /** The Access application's audience tag. */
  audience: string;
}

export function accessConfig(env: Env): AccessConfig | undefined {
  const teamDomain = env.ACCESS_TEAM_DOMAIN?.replace(/\/$/, "");
  const audience = env.ACCESS_AUD;
  return teamDomain && audience ? { teamDomain, audience } : undefined;
}

// One key set per team domain and isolate: jose caches the keys and refetches on rotation.
const keySets = new Map<string, JWTVerifyGetKey>();
function keysOf(teamDomain: string): JWTVerifyGetKey {
  let keys = keySets.get(teamDomain);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${teamDomain}/cdn-cgi/access/certs`));
    keySets.set(teamDomain, keys);
  }
  return keys;
}

/**
 * The verified email of a Cloudflare Access JWT (signature against the team's
 * keys, issuer, audience, expiry), or undefined when it does not verify.
 */
export async function verifyAccessJwt(
  token: string,
  config: AccessConfig,
  keys: JWTVerifyGetKey = keysOf(config.teamDomain),
): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: config.teamDomain,
      audience: config.audience,
      algorithms: ["RS256"],
    });
    return typeof payload.email === "string" ? payload.email.trim().toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
