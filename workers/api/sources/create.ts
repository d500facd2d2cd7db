import { createRoute } from "@hono/zod-openapi";
import { SourceCreate, SourceCreated } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { createSource } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/sources",
  tags: ["Sources"],
  summary: "Create a source and its ingest token (shown only once)",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(SourceCreate) },
  responses: {
    201: jsonResponse(SourceCreated, "The source with its token"),
    ...problems(400, 401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await createSource(c.var.db, c.req.valid("param").id, c.req.valid("json").name), 201);
