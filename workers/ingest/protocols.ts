import { createRoute, z } from "@hono/zod-openapi";
import { problems } from "../api/openapi";
import { MAX_PING_BODY_BYTES } from "./limits";

const plain = (description: string) => ({
  description,
  content: { "text/plain": { schema: z.string() } },
});

/** Documents one heartbeat ping URL shape (Healthchecks' slug URLs). */
function pingRoute(method: "get" | "post" | "head", suffix: string, what: string) {
  return createRoute({
    method,
    path: `/ping/{sourceToken}/{slug}${suffix}`,
    tags: ["Heartbeat pings"],
    summary: `Heartbeat ping: ${what}`,
    description: `Compatible with Healthchecks' slug URLs: point a cron job's ping base URL at \`/ping/{sourceToken}\`. One ping is one event of the token's business (fields \`slug\`, \`kind\`, \`exitCode\`, \`durationMs\`, \`log\`; see the \`jobs\` template). A POST body is kept as \`log\` up to ${MAX_PING_BODY_BYTES} bytes (the rest is cut). \`?rid=\` tells overlapping runs apart. Answers \`OK\` as plain text; \`not found\` (404) for an unknown token or URL.`,
    request: {
      params: z.object({
        sourceToken: z.string().openapi({ param: { name: "sourceToken", in: "path" } }),
        slug: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,100}$/)
          .openapi({ param: { name: "slug", in: "path" } }),
        ...(suffix === "/{exitCode}"
          ? {
              exitCode: z
                .string()
                .regex(/^\d{1,3}$/)
                .openapi({
                  param: { name: "exitCode", in: "path" },
                  description: "0 is success, 1-255 failure",
                }),
            }
          : {}),
      }),
      query: z.object({ rid: z.string().max(64).optional() }),
    },
    responses: {
      200: plain("OK: the ping is stored"),
      404: plain("not found: unknown token or URL"),
      ...problems(400, 422),
    },
  });
}

export const pingRoutes = (["get", "post", "head"] as const).flatMap((method) => [
  pingRoute(method, "", "success"),
  pingRoute(method, "/start", "the run started"),
  pingRoute(method, "/fail", "the run failed"),
  pingRoute(method, "/log", "a log message (changes nothing)"),
  pingRoute(method, "/{exitCode}", "the run ended with this exit code"),
]);
