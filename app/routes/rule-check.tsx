import type { ActionFunctionArgs } from "react-router";
import { ruleBody } from "../components/rule-form";
import { api, problemErrors } from "../lib/api.server";
import { assertSameOrigin } from "../lib/session.server";

/** Resource route: checks a rule form against the API's validation, without saving. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const res = await client.v1.businesses[":id"].rules.check.$post({
    param: { id: params.id ?? "" },
    // Checked while typing: a name not written yet is not a problem worth showing.
    json: { ...ruleBody(await request.formData()), name: "draft" } as never,
  });
  if (res.ok) return { ok: true, errors: [] };
  return { ok: false, errors: await problemErrors(res, "rule") };
}
