import type { LoaderFunctionArgs } from "react-router";
import { Form, Link, useLoaderData } from "react-router";
import type { EventValue } from "../../../schema/contracts/events";
import { CardTable } from "../../components/card-table";
import { Time } from "../../components/time";
import { json, pageApi } from "../../lib/api.server";
import { num, when } from "../../lib/format";
import { useBusiness } from "./layout";

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const search = new URL(args.request.url).searchParams;
  const cursor = search.get("cursor") || undefined;
  const filter = {
    field: search.get("field") || undefined,
    value: search.get("field") ? (search.get("value") ?? "") : undefined,
  };
  const res = await client.v1.businesses[":id"].events.$get({
    param,
    query: { limit: "25", cursor, ...filter },
  });
  // A filter the fields do not allow (a stale link) is said, not a failed page.
  const status: number = res.status;
  if (!res.ok && status !== 401) {
    return {
      events: { items: [], nextCursor: null },
      filter,
      problem: "That filter does not fit this business's fields.",
    };
  }
  return { events: await json(res), filter, problem: null };
}

/** A stored value as text: numbers with grouping and the field's unit, timestamps in the zone. */
function show(value: EventValue | undefined, type: string, unit: string | undefined, zone: string) {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" && type === "timestamp") return when(value, zone);
  if (typeof value === "string" && type === "timestamp") return when(value, zone);
  if (typeof value === "number") return `${num(value)}${unit ? ` ${unit}` : ""}`;
  return String(value);
}

export default function Events() {
  const business = useBusiness();
  const { events, filter, problem } = useLoaderData<typeof loader>();
  const fields = business.fields.filter((f) => f.name !== business.timeField);
  const next = (cursor: string) =>
    `?${new URLSearchParams({ ...(filter.field ? { field: filter.field, value: filter.value ?? "" } : {}), cursor })}`;
  return (
    <section>
      <h2>Recent events</h2>
      <Form method="get" className="filters">
        <label>
          Where field
          <select name="field" defaultValue={filter.field ?? ""}>
            <option value="">—</option>
            {business.fields.map((f) => (
              <option key={f.name}>{f.name}</option>
            ))}
          </select>
        </label>
        <label>
          equals
          <input name="value" defaultValue={filter.value ?? ""} />
        </label>
        <button type="submit">Filter events</button>
      </Form>
      {problem ? <p className="error">{problem}</p> : null}
      <CardTable
        rows={events.items}
        rowKey={(e) => e.id}
        className="events"
        empty={
          filter.field
            ? "No events match."
            : "No events yet. Create a source under Sources and send some."
        }
        columns={[
          {
            head: `Time (${business.timezone})`,
            label: "Time",
            cell: (e) => <Time at={e.time} zone={business.timezone} />,
          },
          ...fields.map((f) => ({
            head: f.name,
            cell: (e: (typeof events.items)[number]) =>
              show(e.data[f.name], f.type, f.unit, business.timezone),
          })),
        ]}
      />
      {events.nextCursor ? <Link to={next(events.nextCursor)}>Older events</Link> : null}
    </section>
  );
}
