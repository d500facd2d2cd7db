import { z } from "@hono/zod-openapi";
import { TemplateApplied, TemplateApply, templateIds } from "../../../schema/contracts/templates";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { applyTemplate } from "./service";

export default manage
  .Templates(
    "post",
    "/{template}/businesses",
    "Create a business from a template, with its fields and rules",
  )
  .input({
    params: z.object({
      template: z.enum(templateIds).openapi({ param: { name: "template", in: "path" } }),
    }),
    body: TemplateApply,
  })
  .json(201, TemplateApplied, "The new business and its rules")
  .problems(403)
  .handle(async (c) =>
    c.json(
      await applyTemplate(
        c.env,
        c.var.db,
        workspaceContext(c).workspaceId,
        c.req.valid("param").template,
        c.req.valid("json"),
      ),
      201,
    ),
  );
