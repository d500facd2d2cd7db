/**
 * Reads the Skoltech Anomaly Benchmark (SKAB: a water pump test bed, eight
 * sensors sampled once a second, labelled faults) from a folder of its CSV
 * files. For the benchmark only: nothing in the test suite reads it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface SkabRun {
  id: string;
  times: number[];
  sensors: Record<string, number[]>;
  /** Labelled faults: first and last time of each run of `anomaly = 1`. */
  anomalies: { from: number; to: number }[];
}

export function readSkab(dir: string): SkabRun[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".csv")) files.push(p);
    }
  };
  walk(dir);
  return files.map((file) => {
    const [head = "", ...lines] = readFileSync(file, "utf8").trim().split(/\r?\n/);
    const columns = head.split(";");
    const sensorNames = columns.filter((c) => !["datetime", "anomaly", "changepoint"].includes(c));
    const times: number[] = [];
    const sensors: Record<string, number[]> = Object.fromEntries(sensorNames.map((s) => [s, []]));
    const labels: number[] = [];
    for (const line of lines) {
      const cells = line.split(";");
      const row = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""]));
      times.push(Date.parse(`${(row.datetime ?? "").replace(" ", "T")}Z`));
      for (const s of sensorNames) sensors[s]?.push(Number(row[s]));
      labels.push(Number(row.anomaly ?? 0));
    }
    const anomalies: SkabRun["anomalies"] = [];
    labels.forEach((l, i) => {
      if (l !== 1) return;
      const last = anomalies.at(-1);
      if (last && labels[i - 1] === 1) last.to = times[i] ?? last.to;
      else anomalies.push({ from: times[i] ?? 0, to: times[i] ?? 0 });
    });
    return { id: file.slice(dir.length + 1), times, sensors, anomalies };
  });
}
