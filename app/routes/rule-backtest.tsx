import type { ActionFunctionArgs } from "react-router";
import type { BacktestResult } from "../../schema/contracts/rules";
import { RuleCreate } from "../../schema/contracts/rules";
import { ruleBody } from "../components/rule-form";
import { formPost, json, problemErrors } from "../lib/api.server";
import { parse } from "../lib/parse";

/** How far back the rule form's backtest looks. */
export const BACKTEST_DAYS = 30;

export type BacktestOutcome =
  | { ok: true; result: BacktestResult; days: number }
  | { ok: false; errors: { path: string; message: string }[] };

/** Resource route: what the rule in the form would have raised over the last 30 days. */
export async function action(args: ActionFunctionArgs): Promise<BacktestOutcome> {
  const { client, form, param } = await formPost(args);
  const rule = parse(RuleCreate, { ...ruleBody(form), name: "backtest" });
  if (!rule.ok) return { ok: false, errors: rule.errors };
  const res = await client.v1.businesses[":id"].rules.backtest.$post({
    param,
    json: { rule: rule.data, from: Date.now() - BACKTEST_DAYS * 86_400_000 },
  });
  if (res.ok) return { ok: true, result: await json(res), days: BACKTEST_DAYS };
  const errors = await problemErrors(res, "rule");
  return { ok: false, errors: errors.map((e) => ({ ...e, path: e.path.replace(/^rule\./, "") })) };
}
