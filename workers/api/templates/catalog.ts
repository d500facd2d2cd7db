import type { Template, TemplateId } from "../../../schema/contracts/templates";

/**
 * Job monitoring: one event per heartbeat ping (see docs/integrations.md). Per
 * job, an absence rule with the job's own cron schedule is added when the job
 * is known (the connect page and the docs give its body).
 */
const jobs: Template = {
  id: "jobs",
  name: "Job monitoring (heartbeat pings)",
  description:
    "Cron jobs and scheduled tasks ping /ping/{sourceToken}/{slug}: start, success, failure, exit code and log. Alerts when a job fails or runs unusually long; add a missed-run rule per job with its cron schedule.",
  timeField: "timestamp",
  fields: [
    { name: "timestamp", type: "timestamp", required: false },
    {
      name: "slug",
      type: "string",
      required: true,
      description: "The job's name in the ping URL",
    },
    {
      name: "kind",
      type: "enum",
      required: true,
      values: ["start", "success", "fail", "log"],
      description: "What the ping reports",
    },
    { name: "exitCode", type: "integer", required: false, description: "The job's exit status" },
    {
      name: "durationMs",
      type: "number",
      required: false,
      unit: "ms",
      description: "Time since the run's start ping",
    },
    { name: "log", type: "string", required: false, description: "The ping's body (≤ 100 kB)" },
  ],
  rules: [
    {
      name: "Job failed",
      kind: "immediate",
      where: "kind == 'success' || kind == 'fail'",
      condition: "kind == 'fail'",
      groupBy: "slug",
      severity: "critical",
      enabled: true,
      // The next successful run resolves it at once.
      keepFiringFor: "0s",
    },
    {
      name: "Job ran unusually long",
      kind: "anomaly",
      field: "durationMs",
      groupBy: "slug",
      direction: "up",
      sensitivity: "medium",
      severity: "warning",
      enabled: true,
    },
  ],
};

export const templates: Record<TemplateId, Template> = { jobs };
