import { listOf } from "../../../schema/contracts/common";
import { EventsQuery, StoredEvent } from "../../../schema/contracts/events";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { listEvents } from "./service";

export default manage
  .Events("get", "/{id}/events", "Recent events, newest first")
  .input({ params: BusinessParams, query: EventsQuery })
  .json(200, listOf(StoredEvent, "EventList"), "A page of events")
  .handle(async (c) => {
    const business = await getBusiness(c.var.db, c.req.valid("param").id);
    return c.json(await listEvents(c.env, business, c.req.valid("query")), 200);
  });
