import { createRoute } from "@hono/zod-openapi";
import { listOf } from "../../../schema/contracts/common";
import { Silence } from "../../../schema/contracts/silences";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listSilences } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/silences",
  tags: ["Silences"],
  summary: "List a business's silences, with whether each is active and its next occurrences",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: {
    200: jsonResponse(listOf(Silence, "SilenceList"), "The silences"),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json({ items: await listSilences(c.var.db, c.req.valid("param").id), nextCursor: null }, 200);
