import { createRoute } from "@hono/zod-openapi";
import { EventsCreate, EventsCreated } from "../../../schema/contracts/events";
import { actorOf } from "../../definitions/principal";
import { noneAccepted, sortEvents, store } from "../../ingest/accept";
import { authorizeEntry } from "../../ingest/auth";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/{id}/events",
  tags: ["Events"],
  summary: "Enter events as a signed-in person (the UI's form and file upload)",
  description:
    "Validated and stored exactly as `POST /v1/ingest/{businessId}` does, for an editor of the business instead of a source token. The events' `sourceId` names who entered them (`member:<userId>`, `key:<keyId>` or `owner`). `keys` makes each event count once: re-sending a file stores nothing twice.",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(EventsCreate) },
  responses: {
    202: jsonResponse(
      EventsCreated,
      "At least one event was valid: stored, or already stored under its key",
    ),
    ...problems(400, 401, 403, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const receivedAt = Date.now();
  const { events, keys } = c.req.valid("json");
  const actor = actorOf(c.var.principal);
  const sourceId = actor.type === "owner" ? "owner" : `${actor.type}:${actor.id}`;
  const auth = await authorizeEntry(c.var.db, c.req.valid("param").id, sourceId);
  const sorted = sortEvents(
    auth,
    events.map((value) => ({ ok: true, value })),
    receivedAt,
  );
  if (sorted.events.length === 0) throw noneAccepted(sorted.rejected);
  if (keys) {
    const rejected = new Set(sorted.rejected.map((r) => r.index));
    const kept = keys.filter((_, i) => !rejected.has(i));
    sorted.events.forEach((e, i) => {
      e.key = kept[i];
    });
  }
  const outcome = await store(c.env, auth, receivedAt, sorted);
  // No request-level key is sent, so the object always stores.
  const result = outcome.status === "key-reused" ? undefined : outcome.result;
  return c.json(
    {
      accepted: result?.accepted ?? 0,
      duplicates: result?.duplicates ?? 0,
      rejected: result?.rejected ?? [],
    },
    202,
  );
};
