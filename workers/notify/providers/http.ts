import type { SendResult } from "../senders";
import { post } from "../senders";

/**
 * A 4xx answer other than 408 (timeout) and 429 (slow down) says the request
 * itself is wrong (a bad key, an unknown topic, a refused payload): retrying it
 * cannot help, so it is recorded as dead at once, with the provider's reason.
 */
export function refusedForGood(r: SendResult): SendResult {
  const code = r.statusCode;
  if (r.ok || code === null || code < 400 || code >= 500 || code === 408 || code === 429) return r;
  return { ...r, permanent: true };
}

/** POSTs JSON to a provider, with a bearer token when there is one, and settles what 4xx means. */
export async function postJson(
  url: string,
  body: unknown,
  token: string | null = null,
): Promise<SendResult> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return refusedForGood(await post(url, JSON.stringify(body), headers, true));
}
