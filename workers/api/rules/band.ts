import { AnomalyBand, AnomalyBandQuery } from "../../../schema/contracts/rules";
import { monitorOf } from "../../definitions/monitor";
import { formatDuration } from "../../lib/duration";
import { iso } from "../../lib/time";
import { bucketRange } from "../events/service";
import { manage } from "../routes";
import { RuleParams } from "./params";
import { getRule } from "./service";

export default manage
  .Rules(
    "get",
    "/{id}/rules/{ruleId}/band",
    "An anomaly rule's expected value and normal band over time, for charts",
  )
  .describe(
    "Per bucket (and per value of the rule's groupBy), the mean of what the rule's detector expected and its band of normal values for the points in the bucket: the live detector's code runs over the stored events of the range, starting a week before it, in the order they were sent. Warm-up points give no band. Live state is not touched. At most the newest 200,000 events are read (`truncated`). Other kinds of rule answer no items.",
  )
  .input({ params: RuleParams, query: AnomalyBandQuery })
  .json(200, AnomalyBand, "The band, in time order")
  .handle(async (c) => {
    const { id, ruleId } = c.req.valid("param");
    const q = c.req.valid("query");
    const rule = await getRule(c.var.db, id, ruleId);
    const { from, to, bucketMs } = bucketRange(q);
    // Only an anomaly rule has a band; another kind answers none.
    const band =
      rule.kind === "anomaly"
        ? await monitorOf(c.env, id).anomalyBand(id, rule, { from, to, bucketMs, group: q.group })
        : { items: [], truncated: false };
    return c.json(
      {
        ruleId: rule.id,
        field: rule.kind === "anomaly" ? rule.field : null,
        bucket: formatDuration(bucketMs),
        from: iso(from),
        to: iso(to),
        ...band,
      },
      200,
    );
  });
