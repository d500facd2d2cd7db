import type { ActionFunctionArgs } from "react-router";
import { RuleCreate } from "../../schema/contracts/rules";
import { ruleBody } from "../components/rule-form";
import { formPost, problemErrors } from "../lib/api.server";
import { parse } from "../lib/parse";

/** Resource route: checks a rule form against the API's validation, without saving. */
export async function action(args: ActionFunctionArgs) {
  const { client, form, param } = await formPost(args);
  // Checked while typing: a name not written yet is not a problem worth showing.
  const body = parse(RuleCreate, { ...ruleBody(form), name: "draft" });
  if (!body.ok) return { ok: false, errors: body.errors };
  const res = await client.v1.businesses[":id"].rules.check.$post({ param, json: body.data });
  if (res.ok) return { ok: true, errors: [] };
  return { ok: false, errors: await problemErrors(res, "rule") };
}
