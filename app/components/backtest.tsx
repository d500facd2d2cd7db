import type { RefObject } from "react";
import { useFetcher } from "react-router";
import { when } from "../lib/format";
import type { BacktestOutcome } from "../routes/rule-backtest";

/**
 * "Over the last 30 days this rule would have opened 4 alerts": the rule in the
 * form, run by the live engine's code over the stored history, with each
 * alert's opening on a timeline.
 */
export function BacktestPanel({
  businessId,
  form,
}: {
  businessId: string;
  form: RefObject<HTMLFormElement | null>;
}) {
  const run = useFetcher<BacktestOutcome>();
  const start = () => {
    if (!form.current) return;
    void run.submit(new FormData(form.current), {
      method: "post",
      action: `/businesses/${businessId}/rules/backtest`,
    });
  };
  const data = run.data;
  return (
    <div className="backtest">
      <button type="button" className="secondary" onClick={start} disabled={run.state !== "idle"}>
        {run.state === "idle" ? "Backtest on history" : "Backtesting…"}
      </button>
      {data && !data.ok ? (
        <p className="error">{data.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}</p>
      ) : null}
      {data?.ok ? <BacktestSummary outcome={data} /> : null}
    </div>
  );
}

function BacktestSummary({ outcome }: { outcome: Extract<BacktestOutcome, { ok: true }> }) {
  const { result, days } = outcome;
  const from = Date.now() - days * 86_400_000;
  const to = Date.now();
  const opened = result.alerts.length;
  if (result.events === 0)
    return <p className="muted">No events in the last {days} days: nothing to backtest on.</p>;
  return (
    <div className="stack">
      <p>
        Over the last {days} days ({result.events.toLocaleString("en-US")} events) this rule would
        have opened <b>{opened === 1 ? "1 alert" : `${opened} alerts`}</b>
        {opened === 0 ? "." : ":"}
        {result.truncated ? <span className="muted"> (older history left out)</span> : null}
      </p>
      <svg
        className="timeline"
        viewBox="0 0 1000 24"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${opened} alert openings over the last ${days} days`}
      >
        <line x1="0" y1="12" x2="1000" y2="12" />
        {result.alerts.map((a) => {
          const x = ((Date.parse(a.openedAt) - from) / (to - from)) * 1000;
          return (
            <rect
              key={`${a.groupKey}-${a.openedAt}`}
              x={Math.max(0, x - 2)}
              y="3"
              width="4"
              height="18"
            >
              <title>{`${when(a.openedAt)} ${a.summary}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="timeline-axis muted">
        <span>{days} days ago</span>
        <span>now</span>
      </div>
      {opened > 0 ? (
        <ul className="list compact">
          {result.alerts.slice(0, 8).map((a) => (
            <li key={`${a.groupKey}-${a.openedAt}`}>
              <time dateTime={a.openedAt}>{when(a.openedAt)}</time> {a.summary}
              {a.resolvedAt ? <span className="muted"> (until {when(a.resolvedAt)})</span> : null}
            </li>
          ))}
          {opened > 8 ? <li className="muted">… and {opened - 8} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
