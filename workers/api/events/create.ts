import { EventsCreate, EventsCreated } from "../../../schema/contracts/events";
import { actorOf } from "../../definitions/principal";
import { noneAccepted, sortEvents, store } from "../../ingest/accept";
import { authorizeEntry } from "../../ingest/auth";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";

export default manage
  .Events(
    "post",
    "/{id}/events",
    "Enter events as a signed-in person (the UI's form and file upload)",
  )
  .describe(
    "Validated and stored exactly as `POST /v1/ingest/{businessId}` does, for an editor of the business instead of a source token. The events' `sourceId` names who entered them (`member:<userId>`, `key:<keyId>` or `owner`). `keys` makes each event count once: re-sending a file stores nothing twice.",
  )
  .input({ params: BusinessParams, body: EventsCreate })
  .json(202, EventsCreated, "At least one event was valid: stored, or already stored under its key")
  .problems(403)
  .handle(async (c) => {
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
  });
