import { createRoute } from "@hono/zod-openapi";
import { GroupList, GroupsQuery } from "../../../schema/contracts/groups";
import type { Rule } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { listRules } from "../../definitions/rules";
import { groupsAll } from "../../definitions/shard-reads";
import { parseDuration } from "../../lib/duration";
import { invalid } from "../../lib/errors";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "get",
  path: "/{id}/groups",
  tags: ["Events"],
  summary:
    "Every group (value of a field) with its status, last event and 24 h of events, worst first",
  security: adminSecurity,
  request: { params: BusinessParams, query: GroupsQuery },
  responses: { 200: jsonResponse(GroupList, "A page of groups"), ...problems(401, 404, 422) },
});

/** The field a business's groups are the values of: the rules' groupBy, absence rules first. */
export function defaultGroupField(rules: Rule[]): string | undefined {
  const grouped = rules.filter((r) => r.groupBy);
  return (grouped.find((r) => r.kind === "absence") ?? grouped[0])?.groupBy ?? undefined;
}

export const handler: Handler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  const [business, rules] = await Promise.all([getBusiness(c.var.db, id), listRules(c.var.db, id)]);
  const by = q.by ?? defaultGroupField(rules);
  const empty = { down: 0, anomalous: 0, late: 0, up: 0 };
  if (!by) return c.json({ by: null, counts: empty, total: 0, items: [], nextCursor: null }, 200);
  if (!business.fields.some((f) => f.name === by))
    throw invalid("by", `'${by}' is not a field of this business`);
  const onField = rules.filter((r) => r.enabled && r.groupBy === by);
  const absence = onField.flatMap((r) =>
    r.kind === "absence"
      ? [{ ruleId: r.id, windowMs: parseDuration(r.window) ?? 0, expect: r.expect ?? [] }]
      : [],
  );
  const list = await groupsAll(c.env, business, {
    by,
    absence,
    others: onField.filter((r) => r.kind !== "absence").map((r) => r.id),
    q: q.q,
    status: q.status,
    offset: Number(q.cursor ?? 0),
    limit: q.limit,
    now: Date.now(),
  });
  return c.json(list, 200);
};
