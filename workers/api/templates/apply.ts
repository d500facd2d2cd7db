import { createRoute, z } from "@hono/zod-openapi";
import { TemplateApplied, TemplateApply, templateIds } from "../../../schema/contracts/templates";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { applyTemplate } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{template}/businesses",
  tags: ["Templates"],
  summary: "Create a business from a template, with its fields and rules",
  security: adminSecurity,
  request: {
    params: z.object({
      template: z.enum(templateIds).openapi({ param: { name: "template", in: "path" } }),
    }),
    body: jsonBody(TemplateApply),
  },
  responses: {
    201: jsonResponse(TemplateApplied, "The new business and its rules"),
    ...problems(400, 401, 403, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(
    await applyTemplate(
      c.env,
      c.var.db,
      workspaceContext(c).workspaceId,
      c.req.valid("param").template,
      c.req.valid("json"),
    ),
    201,
  );
