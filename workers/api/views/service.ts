import { eq } from "drizzle-orm";
import type { Business } from "../../../schema/contracts/businesses";
import type { View, ViewInput } from "../../../schema/contracts/views";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { invalid } from "../../lib/errors";
import { iso } from "../../lib/time";

const { views } = tables;

/** Without a saved view, chart every numeric field (average) and the event count. */
export function defaultView(business: Business): ViewInput {
  const numeric = business.fields.filter((f) => f.type === "number" || f.type === "integer");
  return {
    charts: [
      { fn: "count", title: "Events" },
      ...numeric.map((f) => ({ field: f.name, fn: "avg" as const })),
    ],
    range: "24h",
  };
}

export async function getView(db: Database, business: Business): Promise<View> {
  const row = (await db.select().from(views).where(eq(views.businessId, business.id)))[0];
  const config = row ? (row.config as ViewInput) : defaultView(business);
  return { ...config, businessId: business.id, updatedAt: row ? iso(row.updatedAt) : null };
}

function check(business: Business, input: ViewInput): void {
  const byName = new Map(business.fields.map((f) => [f.name, f]));
  input.charts.forEach((c, i) => {
    if (c.field === undefined) {
      if (c.fn !== "count") throw invalid(`charts.${i}.field`, `${c.fn} needs a numeric field`);
    } else {
      const f = byName.get(c.field);
      if (!f) throw invalid(`charts.${i}.field`, `'${c.field}' is not a field of this business`);
      if (c.fn !== "count" && f.type !== "number" && f.type !== "integer") {
        throw invalid(
          `charts.${i}.field`,
          `'${c.field}' is a ${f.type} field; ${c.fn} needs a number`,
        );
      }
    }
    if (c.groupBy && !byName.has(c.groupBy))
      throw invalid(`charts.${i}.groupBy`, `'${c.groupBy}' is not a field of this business`);
  });
  input.eventColumns?.forEach((name, i) => {
    if (!byName.has(name))
      throw invalid(`eventColumns.${i}`, `'${name}' is not a field of this business`);
  });
}

export async function putView(db: Database, business: Business, input: ViewInput): Promise<View> {
  check(business, input);
  const at = Date.now();
  await db
    .insert(views)
    .values({ businessId: business.id, config: input, updatedAt: at })
    .onConflictDoUpdate({ target: views.businessId, set: { config: input, updatedAt: at } });
  return { ...input, businessId: business.id, updatedAt: iso(at) };
}
