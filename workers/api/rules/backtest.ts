import { BacktestRequest, BacktestResult } from "../../../schema/contracts/rules";
import { compileRule } from "../../business/engine/compile";
import { RuleDefinitionError } from "../../business/engine/definition-error";
import { getBusiness } from "../../definitions/businesses";
import { backtestAll } from "../../definitions/shard-reads";
import { invalid, unprocessable } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso, parseTimestamp } from "../../lib/time";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";

/** A time of the request body, or a 422 naming it. */
function timeOf(value: string | number | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseTimestamp(value);
  if (ms === undefined) throw invalid(path, "must be an RFC 3339 time or epoch milliseconds");
  return ms;
}

export default manage
  .Rules("post", "/{id}/rules/backtest", "Backtest a rule over the business's history")
  .describe(
    "What `rule` (any rule body, as for creating one) would have raised over the stored and archived history between `from` and `to` (default: all of it), in event time, with the same code as the live engine. Live state is not touched and nobody is notified. Events before `from` still teach the rule (an anomaly baseline, a period's total). At most the newest 200,000 events before `to` are read (`truncated` says when older ones were left out).",
  )
  .input({ params: BusinessParams, body: BacktestRequest })
  .json(200, BacktestResult, "What the rule would have raised")
  .handle(async (c) => {
    const business = await getBusiness(c.var.db, c.req.valid("param").id);
    const body = c.req.valid("json");
    try {
      compileRule(body.rule, business);
    } catch (error) {
      // The rule's own errors, named where they are in this body.
      if (error instanceof RuleDefinitionError)
        throw unprocessable(`${error.path}: ${error.message}`, [
          { path: `rule.${error.path}`, message: error.message },
        ]);
      throw error;
    }
    const from = timeOf(body.from, "from");
    const to = timeOf(body.to, "to");
    if (from !== undefined && to !== undefined && from >= to)
      throw invalid("from", "must be before to");
    const now = Date.now();
    const rule = {
      ...body.rule,
      id: newId("bkt", now),
      businessId: business.id,
      createdAt: iso(now),
      updatedAt: iso(now),
    };
    return c.json(await backtestAll(c.env, business, rule, { from, to }), 200);
  });
