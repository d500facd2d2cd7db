import type { ActionFunctionArgs } from "react-router";
import { RuleCreate } from "../../schema/contracts/rules";
import { ruleBody } from "../components/rule-form";
import { api, problemErrors } from "../lib/api.server";
import { parse } from "../lib/parse";
import { assertSameOrigin } from "../lib/session.server";

/** Resource route: checks a rule form against the API's validation, without saving. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  // Checked while typing: a name not written yet is not a problem worth showing.
  const body = parse(RuleCreate, { ...ruleBody(await request.formData()), name: "draft" });
  if (!body.ok) return { ok: false, errors: body.errors };
  const client = await api(request, context.cloudflare.env);
  const res = await client.v1.businesses[":id"].rules.check.$post({
    param: { id: params.id ?? "" },
    json: body.data,
  });
  if (res.ok) return { ok: true, errors: [] };
  return { ok: false, errors: await problemErrors(res, "rule") };
}
