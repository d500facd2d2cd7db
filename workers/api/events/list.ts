import { createRoute } from "@hono/zod-openapi";
import { listOf } from "../../../schema/contracts/common";
import { EventsQuery, StoredEvent } from "../../../schema/contracts/events";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listEvents } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/events",
  tags: ["Events"],
  summary: "Recent events, newest first",
  security: adminSecurity,
  request: { params: BusinessParams, query: EventsQuery },
  responses: {
    200: jsonResponse(listOf(StoredEvent, "EventList"), "A page of events"),
    ...problems(401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  return c.json(await listEvents(c.env, business, c.req.valid("query")), 200);
};
