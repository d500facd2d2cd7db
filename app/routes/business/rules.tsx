import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import type { Rule } from "../../../schema/contracts/rules";
import { RuleCreate, RulePatch } from "../../../schema/contracts/rules";
import { InlineAction } from "../../components/forms";
import { RuleForm, RuleStanding, ruleBody } from "../../components/rule-form";
import { api, formPost, json, problemErrors } from "../../lib/api.server";
import { parse } from "../../lib/parse";
import { useBusiness } from "./layout";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const rules = await client.v1.businesses[":id"].rules
    .$get({ param: { id: params.id ?? "" } })
    .then(json);
  return { rules: rules.items };
}

type Result = { intent: string; ruleId?: string; errors: { path: string; message: string }[] };

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, form, intent, id } = await formPost(args);
  const param = { id, ruleId: String(form.get("ruleId") ?? "") };
  const rule = client.v1.businesses[":id"].rules[":ruleId"];
  let res: Response | { ok: boolean; status: number; json(): Promise<unknown> };
  if (intent === "create-rule") {
    const body = parse(RuleCreate, ruleBody(form));
    if (!body.ok) return { intent, errors: body.errors };
    res = await client.v1.businesses[":id"].rules.$post({ param, json: body.data });
  } else if (intent === "update-rule") {
    const body = parse(RulePatch, ruleBody(form, true));
    if (!body.ok) return { intent, ruleId: param.ruleId, errors: body.errors };
    res = await rule.$patch({ param, json: body.data });
  } else if (intent === "toggle-rule") {
    res = await rule.$patch({ param, json: { enabled: form.get("enabled") === "true" } });
  } else if (intent === "delete-rule") {
    res = await rule.$delete({ param });
  } else {
    return { intent, errors: [{ path: "intent", message: "is not an action of this page" }] };
  }
  if (res.ok) return { intent, errors: [] };
  return { intent, ruleId: param.ruleId, errors: await problemErrors(res, "rule") };
}

/** A rule in words: what makes it fire. */
export function describeRule(r: Rule): string {
  switch (r.kind) {
    case "immediate":
      return r.condition;
    case "absence":
      return `no event for ${r.window}`;
    case "aggregate":
      return `${r.expression} over ${r.window}`;
    case "anomaly":
      return `unusual values of ${r.field}`;
  }
}

export default function Rules() {
  const business = useBusiness();
  const { rules } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = (intent: string, ruleId?: string) =>
    result?.intent === intent && (!ruleId || result.ruleId === ruleId) ? result.errors : undefined;
  return (
    <section>
      <h2>Rules</h2>
      {rules.length === 0 ? <p className="muted">No rules yet.</p> : null}
      {result?.errors.length &&
      (result.intent === "toggle-rule" || result.intent === "delete-rule") ? (
        <p className="error" role="alert">
          {result.errors.map((e) => e.message).join(" ")}
        </p>
      ) : null}
      <ul className="list rules">
        {rules.map((r) => (
          <li key={r.id} className="rule">
            <div className="rule-head">
              <span className={`badge ${r.severity}`}>{r.severity}</span> <b>{r.name}</b>{" "}
              <span className="muted">{r.kind}</span>
              {r.enabled ? null : <span className="badge zero">disabled</span>}
            </div>
            <code className="expr">{describeRule(r)}</code>
            {r.groupBy ? <span className="muted"> per {r.groupBy}</span> : null}{" "}
            <RuleStanding rule={r} />
            <div className="row rule-actions">
              <Link to={`/businesses/${business.id}/silences?ruleId=${r.id}`}>Silence</Link>
              <Link to={`/alerts?businessId=${business.id}&ruleId=${r.id}&status=active`}>
                Alerts
              </Link>
              <InlineAction
                intent="toggle-rule"
                label={r.enabled ? "Disable" : "Enable"}
                fields={{ ruleId: r.id, enabled: String(!r.enabled) }}
              />
              <InlineAction
                intent="delete-rule"
                label="Delete"
                fields={{ ruleId: r.id }}
                confirm={`Delete the rule “${r.name}”? Its open alerts are resolved.`}
              />
            </div>
            <details className="edit">
              <summary>Edit</summary>
              <RuleForm business={business} rule={r} errors={failed("update-rule", r.id)} />
            </details>
          </li>
        ))}
      </ul>
      <RuleForm business={business} errors={failed("create-rule")} />
    </section>
  );
}
