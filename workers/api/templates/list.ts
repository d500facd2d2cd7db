import { createRoute, z } from "@hono/zod-openapi";
import { Template } from "../../../schema/contracts/templates";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { templates } from "./catalog";

export const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Templates"],
  summary: "List business templates (fields and rules, ready to create)",
  security: adminSecurity,
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(Template), nextCursor: z.null() }).openapi("TemplateList"),
      "The templates",
    ),
    ...problems(401),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json({ items: Object.values(templates), nextCursor: null }, 200);
