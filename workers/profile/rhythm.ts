import { absenceDraft, preview } from "./absence-draft";
import { coveringRule } from "./covered";
import type { Stream } from "./streams";
import { endOf, gapsOf, groupsOf, MIN_STREAM_GAPS, similarRhythms } from "./streams";
import type { Context, Findings } from "./types";

/** The most absence rules one run suggests; the largest groups of streams come first. */
const MAX_RHYTHM_DRAFTS = 12;

/**
 * Absence suggestions from the arrival rhythm. With a group field, streams of
 * a similar rhythm (a fleet of devices) share one rule grouped by the field,
 * with `expect` listing them and a window from their pooled gaps; a stream with
 * a rhythm of its own gets its own rule.
 */
export function rhythmFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  const end = endOf(ctx);
  const zone = ctx.business.timezone;
  const field = ctx.groupField;
  if (!field) {
    const times = ctx.history.events.map((e) => e.time);
    const draft = absenceDraft(
      ctx,
      [{ key: "", times, typical: 0 }],
      undefined,
      end,
      findings.notes,
    );
    if (draft) findings.drafts.push(draft);
    return findings;
  }
  const groups = groupsOf(ctx, field) ?? new Map<string, number[]>();
  const streams: Stream[] = [];
  const sparse: string[] = [];
  const watched = new Map<string, string[]>();
  for (const [key, times] of groups) {
    // A stream an existing absence rule already watches is left to it, not pooled into another.
    const watcher = coveringRule(
      ctx.rules,
      {
        name: key,
        kind: "absence",
        window: "1h",
        where: `${field} == ${JSON.stringify(key)}`,
        groupBy: field,
        expect: [key],
        severity: "warning",
        enabled: true,
      },
      ctx.business.fields,
    );
    if (watcher) {
      watched.set(watcher.name, [...(watched.get(watcher.name) ?? []), key]);
      continue;
    }
    const gaps = gapsOf(times, zone, end);
    if (gaps.size < MIN_STREAM_GAPS) sparse.push(key);
    else streams.push({ key, times, typical: gaps.median });
  }
  for (const [name, keys] of watched) {
    findings.notes.push({
      subject: `${field}: ${preview(keys.sort())}: arrivals`,
      reason: `already covered by rule “${name}”`,
    });
  }
  if (sparse.length) {
    findings.notes.push({
      subject: sparse.length === 1 ? `${sparse[0]}: arrivals` : `${field}: ${sparse.length} values`,
      reason: `${sparse.length === 1 ? "" : `${preview(sparse)}: each has `}fewer than ${MIN_STREAM_GAPS} gaps between events in active time; a stream needs at least ${MIN_STREAM_GAPS} to show its rhythm`,
    });
  }
  const clusters = similarRhythms(streams).sort((a, b) => b.length - a.length);
  for (const [i, members] of clusters.entries()) {
    if (i >= MAX_RHYTHM_DRAFTS) {
      findings.notes.push({
        subject: `${field}: ${members.map((m) => m.key).join(", ")}`,
        reason: `more than ${MAX_RHYTHM_DRAFTS} different rhythms; only the largest groups are suggested`,
      });
      continue;
    }
    const draft = absenceDraft(
      ctx,
      members,
      { field, all: [...groups.keys()] },
      end,
      findings.notes,
    );
    if (draft) findings.drafts.push(draft);
  }
  return findings;
}
