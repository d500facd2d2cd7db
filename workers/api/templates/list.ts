import { z } from "@hono/zod-openapi";
import { Template } from "../../../schema/contracts/templates";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { templates } from "./catalog";

export default manage
  .Templates("get", "/", "List business templates (fields and rules, ready to create)")
  .json(
    200,
    z.object({ items: z.array(Template), nextCursor: z.null() }).openapi("TemplateList"),
    "The templates",
  )
  .answer(async () => onePage(Object.values(templates)));
