import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { type Silence, SilenceCreate } from "../../schema/contracts/silences";
import { instantOf } from "../../workers/business/engine/calendar";
import { SilenceWindow } from "../../workers/business/quiet/window";
import { parseDuration } from "../../workers/lib/duration";
import { ProblemError } from "../../workers/lib/errors";
import { FieldErrors, InlineAction, NamedSelect } from "../components/forms";
import { formPost, json, pageApi, problemResult } from "../lib/api.server";
import { humaneMessage } from "../lib/humane";
import { parse } from "../lib/parse";

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const url = new URL(args.request.url);
  const [business, silences, rules] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].silences.$get({ param }).then(json),
    client.v1.businesses[":id"].rules.$get({ param }).then(json),
  ]);
  return {
    business,
    silences: silences.items,
    rules: rules.items.map((r) => ({ id: r.id, name: r.name })),
    // "Silence…" from an alert or a rule lands here with the matchers filled in.
    prefill: {
      ruleId: url.searchParams.get("ruleId") ?? "",
      groupKey: url.searchParams.get("groupKey") ?? "",
    },
  };
}

type Result = {
  intent: string;
  detail?: string;
  errors?: { path: string; message: string }[];
  preview?: { startsAt: string; endsAt: string }[];
};

/** `2026-11-28T02:00` (a datetime-local value) in the business's time zone, as an instant. */
function localInstant(value: string, timeZone: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return new Date(instantOf(timeZone, y, mo, d, h) + mi * 60_000).toISOString();
}

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, text, intent, param } = await formPost(args);
  if (intent === "delete") {
    const res = await client.v1.businesses[":id"].silences[":silenceId"].$delete({
      param: { ...param, silenceId: text("silenceId") },
    });
    return res.ok ? { intent } : { intent, ...(await problemResult(res)) };
  }
  const business = await client.v1.businesses[":id"].$get({ param }).then(json);
  const recurring = text("mode") === "recurring";
  if (intent === "preview") {
    // The next occurrences of a schedule before it is saved, computed as the server will.
    try {
      const window = new SilenceWindow(
        {
          id: "",
          ruleId: null,
          groupKey: "",
          startsAt: Date.now(),
          endsAt: null,
          rrule: text("rrule"),
          durationMs: parseDuration(text("duration")) ?? 3_600_000,
        },
        business.timezone,
      );
      const preview = window.occurrences(Date.now(), 5).map((o) => ({
        startsAt: new Date(o.start).toISOString(),
        endsAt: new Date(o.end).toISOString(),
      }));
      return { intent, preview };
    } catch (error) {
      const detail =
        error instanceof ProblemError
          ? (error.errors?.[0]?.message ?? error.message)
          : String(error);
      return { intent, errors: [{ path: "schedule.rrule", message: humaneMessage(detail) }] };
    }
  }
  const fields: Record<string, unknown> = {
    matchers: {
      ...(text("ruleId") ? { ruleId: text("ruleId") } : {}),
      ...(text("groupKey") ? { groupKey: text("groupKey") } : {}),
    },
    comment: text("comment") || undefined,
    createdBy: text("createdBy") || undefined,
  };
  if (recurring) {
    fields.schedule = { rrule: text("rrule"), duration: text("duration") };
  } else {
    const startsAt = text("startsAt")
      ? localInstant(text("startsAt"), business.timezone)
      : undefined;
    const endsAt = text("endsAt") ? localInstant(text("endsAt"), business.timezone) : undefined;
    if (startsAt) fields.startsAt = startsAt;
    fields.endsAt = endsAt;
  }
  const body = parse(SilenceCreate, fields);
  if (!body.ok) return { intent, errors: body.errors };
  const res = await client.v1.businesses[":id"].silences.$post({ param, json: body.data });
  if (res.ok) return { intent };
  return { intent, ...(await problemResult(res)) };
}

/** `Sat 28 Nov, 02:00` in the business's time zone. */
function localText(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "2-digit",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

function Occurrences({
  items,
  timeZone,
}: {
  items: { startsAt: string; endsAt: string }[];
  timeZone: string;
}) {
  const local = (iso: string) => localText(iso, timeZone);
  return items.length ? (
    <ul className="occurrences">
      {items.map((o) => (
        <li key={o.startsAt}>
          {local(o.startsAt)} → {local(o.endsAt)}
        </li>
      ))}
    </ul>
  ) : (
    <span className="muted">no further occurrence</span>
  );
}

function SilenceRow({
  s,
  ruleName,
  timeZone,
}: {
  s: Silence;
  ruleName: string | undefined;
  timeZone: string;
}) {
  return (
    <li data-silence={s.id}>
      {s.active ? (
        <span className="badge silenced">active</span>
      ) : (
        <span className="badge zero">waiting</span>
      )}{" "}
      <b>{ruleName ?? (s.matchers.ruleId ? s.matchers.ruleId : "every rule")}</b>
      {s.matchers.groupKey !== undefined ? (
        <>
          {" "}
          · key <code>{s.matchers.groupKey}</code>
        </>
      ) : null}{" "}
      <span className="muted">
        {s.schedule ? (
          <>
            every <code>{s.schedule.rrule}</code> for {s.schedule.duration}
          </>
        ) : (
          `${localText(s.startsAt, timeZone)} → ${s.endsAt ? localText(s.endsAt, timeZone) : "…"}`
        )}
      </span>{" "}
      <InlineAction
        intent="delete"
        label="Delete"
        fields={{ silenceId: s.id }}
        confirm="Delete this silence?"
      />
      <p className="muted">
        {s.comment ? `“${s.comment}” · ` : ""}by {s.createdBy}
      </p>
      {s.schedule ? <Occurrences items={s.nextOccurrences} timeZone={timeZone} /> : null}
    </li>
  );
}

/** A silence is once (from now or a start, to an end) or recurring (a schedule). */
const modes = [
  ["once", "Once"],
  ["recurring", "Recurring (maintenance window)"],
] as const;

/** A business's silences and maintenance windows: list, create (by hand, from an alert or a rule), preview. */
export default function Silences() {
  const { business, silences, rules, prefill } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [mode, setMode] = useState<(typeof modes)[number][0]>("once");
  const names = new Map(rules.map((r) => [r.id, r.name]));
  return (
    <>
      <h2 className="tab-title">Silences</h2>
      <p className="muted">
        Silenced alerts open and resolve as usual but notify nobody while the silence lasts; those
        still open when it ends are notified then. Times are in {business.timezone}.
      </p>
      <section>
        {silences.length === 0 ? (
          <p className="empty">No silences: every alert notifies.</p>
        ) : (
          <ul className="list silences">
            {silences.map((s) => (
              <SilenceRow
                key={s.id}
                s={s}
                ruleName={s.matchers.ruleId ? names.get(s.matchers.ruleId) : undefined}
                timeZone={business.timezone}
              />
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>New silence</h2>
        <Form method="post" className="stack" aria-label="New silence">
          <fieldset className="row">
            <NamedSelect
              label="Rule"
              name="ruleId"
              items={rules}
              value={prefill.ruleId}
              none="any rule"
            />
            <label>
              Group key
              <input name="groupKey" defaultValue={prefill.groupKey} placeholder="any key" />
            </label>
          </fieldset>
          <fieldset className="row">
            {modes.map(([value, label]) => (
              <label key={value} className="check">
                <input
                  type="radio"
                  name="mode"
                  value={value}
                  checked={mode === value}
                  onChange={() => setMode(value)}
                />
                {label}
              </label>
            ))}
          </fieldset>
          {mode === "once" ? (
            <fieldset className="row">
              <label>
                Starts (empty: now)
                <input type="datetime-local" name="startsAt" />
              </label>
              <label>
                Ends
                <input type="datetime-local" name="endsAt" required />
              </label>
            </fieldset>
          ) : (
            <fieldset className="row">
              <label>
                Repeats (RRULE)
                <input
                  name="rrule"
                  defaultValue="FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0"
                  required
                  size={36}
                />
              </label>
              <label>
                For
                <input name="duration" defaultValue="2h" required size={6} />
              </label>
              <button
                type="submit"
                name="intent"
                value="preview"
                className="secondary"
                disabled={busy}
                formNoValidate
              >
                Preview
              </button>
            </fieldset>
          )}
          {result?.intent === "preview" && result.preview ? (
            <div className="notice" role="status">
              <p>Next occurrences:</p>
              <Occurrences items={result.preview} timeZone={business.timezone} />
            </div>
          ) : null}
          <fieldset className="row">
            <label>
              Why
              <input name="comment" placeholder="deploying, planned maintenance…" />
            </label>
            <label>
              Who
              <input name="createdBy" placeholder="you@example.com" />
            </label>
          </fieldset>
          {result?.intent !== "delete" ? <FieldErrors errors={result?.errors} /> : null}
          {result?.detail ? (
            <p className="error" role="alert">
              {result.detail}
            </p>
          ) : null}
          <button type="submit" name="intent" value="create" disabled={busy}>
            Create silence
          </button>
        </Form>
      </section>
    </>
  );
}
