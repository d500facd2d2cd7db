import { z } from "@hono/zod-openapi";
import { open } from "../routes";

export default open
  .System("get", "/healthz", "Liveness check (no auth)")
  .json(200, z.object({ status: z.literal("ok") }), "Alive")
  .handle((c) => c.json({ status: "ok" as const }, 200));
