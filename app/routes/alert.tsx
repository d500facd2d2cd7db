import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { AlertActions, InlineAction, QuietBadges } from "../components/forms";
import { api, json } from "../lib/api.server";
import { ago, when } from "../lib/format";
import { LiveBadge, useLiveAlerts } from "../lib/live";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const alert = await client.v1.alerts[":id"].$get({ param: { id: params.id ?? "" } }).then(json);
  const business = await client.v1.businesses[":id"]
    .$get({ param: { id: alert.businessId } })
    .then(json);
  return { alert, business };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const form = await request.formData();
  const intent = form.get("intent");
  const res =
    intent === "ack"
      ? await client.v1.alerts[":id"].ack.$post({ param })
      : intent === "snooze"
        ? await client.v1.alerts[":id"].snooze.$post({
            param,
            json: { for: String(form.get("for") ?? "1h") },
          })
        : intent === "forget"
          ? await client.v1.alerts[":id"].forget.$post({ param })
          : await client.v1.alerts[":id"].resolve.$post({ param });
  if (res.ok) return { error: null, done: String(intent) };
  return { error: ((await res.json()) as { detail?: string }).detail ?? `failed (${res.status})` };
}

const verbs = { opened: "Opened", acknowledged: "Acknowledged", resolved: "Resolved" } as const;

/** One alert: what it says, its context, and its history. */
export default function AlertPage() {
  const { alert, business } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const live = useLiveAlerts([business.id]);
  return (
    <>
      <p>
        <Link to={`/alerts?businessId=${business.id}`}>← Alerts of {business.name}</Link>
      </p>
      <h1>
        <span className={`badge ${alert.severity}`}>{alert.severity}</span> {alert.summary}{" "}
        <LiveBadge live={live} />
      </h1>
      <QuietBadges alert={alert} />
      <p className="muted">
        {alert.status} · rule {alert.ruleName} · {alert.count} time{alert.count === 1 ? "" : "s"} ·
        opened {ago(alert.openedAt)} · last {ago(alert.lastTriggeredAt)}
      </p>
      {result?.error ? (
        <p className="error" role="alert">
          {result.error}
        </p>
      ) : null}
      <AlertActions status={alert.status} busy={busy} />
      {result?.done === "snooze" ? (
        <p className="notice" role="status">
          Snoozed: a silence on this rule and key was created.
        </p>
      ) : null}
      <div className="row quiet-actions">
        {alert.status !== "resolved" ? (
          <Form method="post" className="inline">
            <label>
              Snooze for{" "}
              <select name="for" defaultValue="1h">
                {["30m", "1h", "4h", "1d", "7d"].map((d) => (
                  <option key={d}>{d}</option>
                ))}
              </select>
            </label>{" "}
            <button type="submit" name="intent" value="snooze" disabled={busy}>
              Snooze
            </button>
          </Form>
        ) : null}
        <Link
          to={`/businesses/${business.id}/silences?ruleId=${alert.ruleId}&groupKey=${encodeURIComponent(alert.groupKey)}`}
        >
          Silence…
        </Link>
        {alert.groupKey ? (
          <InlineAction
            intent="forget"
            label="Forget this key"
            fields={{}}
            confirm={`Forget “${alert.groupKey}”? The alert resolves and the key is not watched until it reports again.`}
          />
        ) : null}
      </div>
      <section>
        <h2>History</h2>
        <ol className="timeline">
          {alert.history.map((t) => (
            <li key={t.id}>
              <b>{verbs[t.type]}</b> <span title={when(t.at)}>{when(t.at)}</span>
              {t.detail && Object.keys(t.detail).length ? (
                <span className="muted"> · {JSON.stringify(t.detail)}</span>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      <section>
        <h2>Context</h2>
        <pre className="context">{JSON.stringify(alert.context, null, 2)}</pre>
      </section>
    </>
  );
}
