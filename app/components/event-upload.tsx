import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { Business } from "../../schema/contracts/businesses";
import type { Event, Mapping } from "../lib/entry";
import { autoMap, rowChecker } from "../lib/entry";
import { num } from "../lib/format";
import type { Kind, Row } from "../lib/upload";
import { BATCH_ROWS, eachBatch, kindOf, preview, RowKeys } from "../lib/upload";
import type { BatchResult } from "../routes/event-batch";
import { CardTable } from "./card-table";

/** A problem of one row: its line in the file, the field, the message. */
interface RowProblem {
  line: number;
  field: string;
  message: string;
}

const count = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

/** Problems listed per phase; the counts go on past it. */
const MAX_LISTED = 200;

interface Loaded {
  file: File;
  kind: Kind;
  columns: string[];
  rows: Row[];
}

interface Check {
  running: boolean;
  rows: number;
  valid: number;
  bad: number;
  problems: RowProblem[];
}

interface Send {
  running: boolean;
  done: number;
  accepted: number;
  duplicates: number;
  refused: number;
  problems: RowProblem[];
  failure?: string | undefined;
}

function problemsOf(row: Row, errors: { path: string; message: string }[]): RowProblem[] {
  if (row.problem) return [{ line: row.line, field: "(row)", message: row.problem }];
  return errors.map((e) => ({ line: row.line, field: e.path, message: e.message }));
}

function Problems({
  problems,
  total,
  label,
}: {
  problems: RowProblem[];
  total: number;
  label: string;
}) {
  if (problems.length === 0) return null;
  return (
    <div className="row-problems">
      <CardTable
        rows={problems}
        rowKey={(p) => `${p.line}-${p.field}`}
        aria-label={label}
        columns={[
          { head: "Row", cell: (p) => p.line },
          { head: "Field", cell: (p) => <code>{p.field}</code> },
          { head: "Problem", cell: (p) => p.message },
        ]}
      />
      {total > problems.length ? (
        <p className="muted small">
          The first {problems.length} of {num(total)} problems.
        </p>
      ) : null}
    </div>
  );
}

async function sendBatch(
  businessId: string,
  events: Event[],
  keys: string[],
): Promise<BatchResult> {
  const res = await fetch(`/businesses/${businessId}/add/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ events, keys }),
  });
  if (!res.ok) return { ok: false, status: res.status, detail: `the page answered ${res.status}` };
  return (await res.json()) as BatchResult;
}

/** CSV or NDJSON upload: preview, column mapping, per-row problems, then batches to the API. */
export function EventUpload({ business }: { business: Business }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [check, setCheck] = useState<Check | null>(null);
  const [send, setSend] = useState<Send | null>(null);
  const run = useRef(0);

  async function choose(file: File | undefined) {
    run.current += 1;
    setLoaded(null);
    setCheck(null);
    setSend(null);
    setReadError(null);
    if (!file) return;
    const kind = kindOf(file);
    try {
      const { columns, rows } = await preview(file, kind);
      if (columns.length === 0) {
        setReadError(
          "The file has no columns: a CSV needs a header row, NDJSON one object a line.",
        );
        return;
      }
      setMapping(autoMap(business, columns));
      setLoaded({ file, kind, columns, rows });
    } catch (error) {
      setReadError(`The file could not be read: ${String(error)}`);
    }
  }

  // Every row checked against the fields as mapped, again whenever the mapping changes.
  useEffect(() => {
    if (!loaded) return;
    const mine = ++run.current;
    const checkRow = rowChecker(business, mapping);
    const state: Check = { running: true, rows: 0, valid: 0, bad: 0, problems: [] };
    setCheck({ ...state });
    setSend(null);
    const now = Date.now();
    eachBatch(loaded.file, loaded.kind, 5000, (rows) => {
      if (run.current !== mine) throw new Error("stale");
      for (const row of rows) {
        state.rows += 1;
        const found = problemsOf(row, row.problem ? [] : checkRow(row.cells, now).errors);
        if (found.length === 0) state.valid += 1;
        else {
          state.bad += 1;
          state.problems.push(...found.slice(0, MAX_LISTED - state.problems.length));
        }
      }
      setCheck({ ...state, problems: [...state.problems] });
    })
      .then(() => {
        if (run.current === mine) setCheck({ ...state, running: false });
      })
      .catch((error: unknown) => {
        if (run.current === mine) setReadError(`The file could not be read: ${String(error)}`);
      });
  }, [loaded, mapping, business]);

  async function sendAll() {
    if (!loaded || !check) return;
    const mine = ++run.current;
    const checkRow = rowChecker(business, mapping);
    const timed = (mapping[business.timeField] ?? "") !== "";
    const { file } = loaded;
    const keys = new RowKeys(
      [...loaded.columns].sort(),
      timed ? "" : `${file.name}|${file.size}|${file.lastModified}`,
    );
    const state: Send = {
      running: true,
      done: 0,
      accepted: 0,
      duplicates: 0,
      refused: 0,
      problems: [],
    };
    setSend({ ...state });
    const note = (found: RowProblem[]) => {
      state.refused += 1;
      state.problems.push(...found.slice(0, MAX_LISTED - state.problems.length));
    };
    try {
      await eachBatch(file, loaded.kind, BATCH_ROWS, async (rows) => {
        if (run.current !== mine) throw new Error("A new file or mapping stopped the upload.");
        const good: { row: Row; event: Event; key: string }[] = [];
        for (const row of rows) {
          const checked = row.problem ? undefined : checkRow(row.cells);
          if (!checked || checked.errors.length) note(problemsOf(row, checked?.errors ?? []));
          else good.push({ row, event: checked.event, key: await keys.key(row) });
        }
        if (good.length) {
          const result = await sendBatch(
            business.id,
            good.map((g) => g.event),
            good.map((g) => g.key),
          );
          if (!result.ok) throw new Error(result.detail);
          state.accepted += result.accepted;
          state.duplicates += result.duplicates;
          for (const r of result.rejected) {
            const row = good[r.index]?.row;
            if (row) note(problemsOf(row, r.errors));
          }
        }
        state.done += rows.length;
        setSend({ ...state, problems: [...state.problems] });
      });
      setSend({ ...state, running: false });
    } catch (error) {
      setSend({
        ...state,
        running: false,
        failure: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const busy = Boolean(check?.running || send?.running);
  return (
    <section aria-labelledby="upload-title" className="upload">
      <h2 id="upload-title">Upload a file</h2>
      <p className="muted">
        A CSV with a header row, or NDJSON (one JSON object a line). Columns are matched to fields
        by name; change the match below. Each row is sent once: sending the same file again stores
        nothing twice.
      </p>
      <label className="file">
        CSV or NDJSON file
        <input
          type="file"
          accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson"
          onChange={(e) => void choose(e.currentTarget.files?.[0])}
          disabled={Boolean(send?.running)}
        />
      </label>
      {readError ? (
        <p className="error" role="alert">
          {readError}
        </p>
      ) : null}
      {loaded ? (
        <>
          <h3>First rows of {loaded.file.name}</h3>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls sideways must be reachable by keyboard (axe: scrollable-region-focusable) */}
          <section className="scroll-box" tabIndex={0} aria-label="File preview">
            <table className="table cards-on-phone preview">
              <thead>
                <tr>
                  <th>Row</th>
                  {loaded.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {loaded.rows.map((r) => (
                  <tr key={r.line}>
                    <td data-label="Row">{r.line}</td>
                    {loaded.columns.map((c) => (
                      <td key={c} data-label={c}>
                        {r.cells[c] === undefined ? "" : String(r.cells[c])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <fieldset className="mapping">
            <legend>Which column fills each field</legend>
            {business.fields.map((f) => (
              <label key={f.name}>
                <span>
                  {f.name}
                  {f.required ? <span className="required"> *</span> : null}
                  <span className="muted small"> {f.type}</span>
                </span>
                <select
                  value={mapping[f.name] ?? ""}
                  disabled={busy}
                  onChange={(e) => setMapping({ ...mapping, [f.name]: e.currentTarget.value })}
                >
                  <option value="">
                    {f.name === business.timeField
                      ? "— not in the file (time of sending) —"
                      : "— not in the file —"}
                  </option>
                  {loaded.columns.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </fieldset>
          {check ? (
            <div role="status" data-testid="check">
              <p>
                {check.running ? "Checking… " : ""}
                {count(check.rows, "row")}: {num(check.valid)} ready to send
                {check.bad ? `, ${num(check.bad)} with problems (not sent)` : ""}.
              </p>
              {!send ? (
                <Problems problems={check.problems} total={check.bad} label="Rows with problems" />
              ) : null}
            </div>
          ) : null}
          <button
            type="button"
            onClick={() => void sendAll()}
            disabled={busy || !check || check.valid === 0}
          >
            {check && !check.running ? `Send ${count(check.valid, "event")}` : "Send events"}
          </button>
          {send ? (
            <div className={send.failure ? "error" : "notice"} role="status" data-testid="sent">
              <label>
                {send.running ? "Sending…" : "Sent"} {num(send.done)} of {num(check?.rows ?? 0)}{" "}
                rows
                <progress max={check?.rows || 1} value={send.done} />
              </label>
              <p>
                <b>{count(send.accepted, "new event")} stored</b>
                {send.duplicates
                  ? `, ${count(send.duplicates, "row")} stored before (not stored again)`
                  : ""}
                {send.refused ? `, ${count(send.refused, "row")} not stored (below)` : ""}.{" "}
                {!send.running ? (
                  <Link to={`/businesses/${business.id}/events`}>See them in Events</Link>
                ) : null}
              </p>
              {send.failure ? <p>Stopped: {send.failure}</p> : null}
              <Problems problems={send.problems} total={send.refused} label="Rows not stored" />
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
