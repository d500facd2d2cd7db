import type { Context } from "hono";
import type { JobPing } from "../../business/job-runs";
import { noneAccepted, sortEvents, store } from "../../ingest/accept";
import { authorizeToken } from "../../ingest/auth";
import { MAX_PING_BODY_BYTES } from "../../ingest/limits";
import { badRequest } from "../../lib/errors";
import type { AppEnv } from "../context";

/** Healthchecks' slug rule, with upper case allowed too. */
const SLUG = /^[A-Za-z0-9_-]{1,100}$/;
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The field names of the job-monitoring template (docs/integrations.md#heartbeat-pings). */
export const JOB_FIELDS = {
  slug: "slug",
  kind: "kind",
  exitCode: "exitCode",
  durationMs: "durationMs",
  log: "log",
} as const;

type Kind = "success" | "start" | "fail" | "log";

/** The last path segment: nothing (success), start, fail, log, or an exit code 0-255. */
function action(segment: string | undefined): { kind: Kind; exitCode?: number } | null {
  if (segment === undefined || segment === "") return { kind: "success" };
  if (segment === "start" || segment === "fail" || segment === "log") return { kind: segment };
  if (/^\d{1,3}$/.test(segment)) {
    const exitCode = Number(segment);
    if (exitCode > 255) return null;
    return { kind: exitCode === 0 ? "success" : "fail", exitCode };
  }
  return null;
}

/** Plain-text answers, as Healthchecks gives them (scripts check the status, people read the text). */
function text(status: number, body: string, head: boolean): Response {
  return new Response(head ? null : body, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "ping-body-limit": String(MAX_PING_BODY_BYTES),
    },
  });
}

/** Reads at most `limit` bytes of the body (Healthchecks keeps the head of a longer one). */
async function readHead(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  if (size >= limit) await reader.cancel();
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= bytes.length) break;
  }
  // A cut inside a multi-byte character becomes U+FFFD rather than a refusal.
  return new TextDecoder().decode(bytes);
}

/**
 * GET|POST|HEAD /ping/{sourceToken}/{slug}[/start|/fail|/log|/{exitCode}]:
 * Healthchecks' slug URLs. One ping is one event of the token's business.
 */
export async function ping(c: Context<AppEnv>): Promise<Response> {
  const receivedAt = Date.now();
  const head = c.req.method === "HEAD";
  const slug = c.req.param("slug") ?? "";
  const what = action(c.req.param("action"));
  const auth = await authorizeToken(c.var.db, c.req.param("token") ?? "");
  if (!auth || !what) return text(404, "not found", head);
  if (!SLUG.test(slug))
    throw badRequest("The slug must be 1 to 100 letters, digits, '-' or '_'.", [
      { path: "slug", message: "must be 1 to 100 letters, digits, '-' or '_'" },
    ]);
  const rid = c.req.query("rid") ?? "";
  if (rid !== "" && !RUN_ID.test(rid))
    throw badRequest("rid must be 1 to 64 letters, digits, '-' or '_' (a UUID fits).", [
      { path: "rid", message: "must be 1 to 64 letters, digits, '-' or '_'" },
    ]);
  const log = c.req.method === "POST" ? await readHead(c.req.raw, MAX_PING_BODY_BYTES) : "";

  const event: Record<string, string | number> = {
    [JOB_FIELDS.slug]: slug,
    [JOB_FIELDS.kind]: what.kind,
  };
  if (what.exitCode !== undefined) event[JOB_FIELDS.exitCode] = what.exitCode;
  // The log is checked as a short string: the field must exist and take text; its
  // length limit is the ping's own (100 kB), not the 8 kB of other string fields.
  if (log !== "") event[JOB_FIELDS.log] = "";
  const sorted = sortEvents(auth, [{ ok: true, value: event }], receivedAt);
  const accepted = sorted.events[0];
  if (!accepted) throw noneAccepted(sorted.rejected);
  if (log !== "") accepted.data[JOB_FIELDS.log] = log;

  const duration = auth.business.fields.find((f) => f.name === JOB_FIELDS.durationMs);
  const job: JobPing = {
    slug,
    runId: rid,
    phase: what.kind === "start" ? "start" : what.kind === "log" ? "other" : "end",
    durationField:
      duration?.type === "number" || duration?.type === "integer" ? duration.name : null,
  };
  await store(c.env, auth, receivedAt, sorted, { job });
  return text(200, "OK", head);
}
