import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../workers/index";

/**
 * One `POST /v1/ingest/{businessId}` through the edge Worker itself, with the
 * given bindings (e.g. coalescing forced on), in an execution context of its
 * own. `answered` runs when the response is there, before the work the request
 * handed to `waitUntil` is waited for; the result comes after that work.
 */
export async function postToEdge(
  businessId: string,
  token: string,
  body: unknown,
  options: {
    env: Env;
    headers?: Record<string, string>;
    answered?: (res: Response) => void;
  },
): Promise<{ status: number; headers: Headers; path: string | null; json: unknown }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://anom.test/v1/ingest/${businessId}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...options.headers,
      },
      body: JSON.stringify(body),
    }),
    options.env,
    ctx,
  );
  options.answered?.(res);
  await waitOnExecutionContext(ctx);
  const json: unknown = await res.json();
  return { status: res.status, headers: res.headers, path: res.headers.get("ingest-path"), json };
}
