import { Papa } from "./papa";

/**
 * Reading an uploaded file in the browser, a slice at a time: CSV with
 * papaparse (a header row, then one event a row), NDJSON one JSON object a
 * line. Nothing holds the whole file in memory but the File itself.
 */

export type Kind = "csv" | "ndjson";

/** One row of the file: its line (as a spreadsheet counts it: the header is line 1), cells by column. */
export interface Row {
  line: number;
  cells: Record<string, unknown>;
  /** Why the row could not be read at all (bad JSON, unbalanced quotes). */
  problem?: string | undefined;
}

/** Events per request to the API: small enough to answer fast, large enough for big files. */
export const BATCH_ROWS = 1000;

export function kindOf(file: { name: string; type: string }): Kind {
  return /\.(nd)?jsonl?$|\.ndjson$/i.test(file.name) || /ndjson|jsonl|json/.test(file.type)
    ? "ndjson"
    : "csv";
}

const header = (h: string) => h.replace(/^\ufeff/, "").trim();

function csvChunks(file: File, fn: (rows: Row[]) => Promise<void>): Promise<void> {
  let seen = 0;
  return new Promise((resolve, reject) => {
    Papa.parse<Record<string, unknown>>(file, {
      header: true,
      skipEmptyLines: "greedy",
      transformHeader: header,
      chunkSize: 512 * 1024,
      chunk(results, parser) {
        parser.pause();
        const problems = new Map<number, string>();
        for (const e of results.errors) {
          // A short or long row is read as far as it goes; the fields then say what is missing.
          if (e.row !== undefined && e.type !== "FieldMismatch") problems.set(e.row, e.message);
        }
        const rows = results.data.map((cells, i) => ({
          line: seen + i + 2,
          cells,
          problem: problems.get(i),
        }));
        seen += results.data.length;
        fn(rows).then(
          () => parser.resume(),
          (error: unknown) => {
            parser.abort();
            reject(error);
          },
        );
      },
      complete: () => resolve(),
      error: (error) => reject(error),
    });
  });
}

function ndjsonRow(text: string, line: number): Row {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value))
      return { line, cells: value as Record<string, unknown> };
    return { line, cells: {}, problem: "is not a JSON object" };
  } catch {
    return { line, cells: {}, problem: "is not valid JSON" };
  }
}

async function ndjsonChunks(file: Blob, fn: (rows: Row[]) => Promise<void>): Promise<void> {
  const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  let line = 0;
  for (;;) {
    const { value, done } = await reader.read();
    const lines = (rest + (value ?? "")).split("\n");
    rest = done ? "" : (lines.pop() ?? "");
    const rows: Row[] = [];
    for (const text of lines) {
      line += 1;
      if (text.trim() !== "") rows.push(ndjsonRow(text, line));
    }
    if (rows.length) await fn(rows);
    if (done) return;
  }
}

/** Calls `fn` with the file's rows, `size` at a time (the last batch may be smaller), in order. */
export async function eachBatch(
  file: File,
  kind: Kind,
  size: number,
  fn: (rows: Row[]) => Promise<void> | void,
): Promise<void> {
  let buffer: Row[] = [];
  const take = async (rows: Row[]) => {
    buffer.push(...rows);
    while (buffer.length >= size) await fn(buffer.splice(0, size));
  };
  await (kind === "csv" ? csvChunks(file, take) : ndjsonChunks(file, take));
  if (buffer.length) await fn(buffer);
  buffer = [];
}

const PREVIEW_BYTES = 256 * 1024;

/** The file's columns and its first rows. NDJSON's columns are the keys of its first rows. */
export async function preview(
  file: File,
  kind: Kind,
  count = 10,
): Promise<{ columns: string[]; rows: Row[] }> {
  if (kind === "csv") {
    return new Promise((resolve, reject) => {
      Papa.parse<Record<string, unknown>>(file, {
        header: true,
        preview: count,
        skipEmptyLines: "greedy",
        transformHeader: header,
        complete: (results) =>
          resolve({
            columns: (results.meta.fields ?? []).filter((c) => c !== ""),
            rows: results.data.map((cells, i) => ({ line: i + 2, cells })),
          }),
        error: (error) => reject(error),
      });
    });
  }
  const lines = (await file.slice(0, PREVIEW_BYTES).text()).split("\n");
  // A line cut at the slice's end is not a problem of the file.
  if (file.size > PREVIEW_BYTES) lines.pop();
  const rows = lines
    .map((t, i) => ({ t, line: i + 1 }))
    .filter(({ t }) => t.trim() !== "")
    .slice(0, count)
    .map(({ t, line }) => ndjsonRow(t, line));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.cells)))];
  return { columns, rows };
}

/**
 * Deterministic idempotency keys for a file's rows: a hash of the row's
 * cells and how many identical rows came before it in the file. The same
 * file sent again, or a corrected copy, gives the same keys to the same rows,
 * so the API stores nothing twice. `salt` separates files whose identical rows
 * are different events (rows without their own time).
 */
export class RowKeys {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly columns: string[],
    private readonly salt = "",
  ) {}

  async key(row: Row): Promise<string> {
    const text = JSON.stringify([this.salt, this.columns.map((c) => row.cells[c] ?? null)]);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    );
    const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const n = (this.seen.get(hex) ?? 0) + 1;
    this.seen.set(hex, n);
    return `upload:${hex}:${n}`;
  }
}
