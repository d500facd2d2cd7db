import { createRoute, z } from "@hono/zod-openapi";
import type { Handler } from "../context";
import { jsonResponse } from "../openapi";

export const route = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  summary: "Liveness check (no auth)",
  responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }), "Alive") },
});

export const handler: Handler<typeof route> = (c) => c.json({ status: "ok" as const }, 200);
