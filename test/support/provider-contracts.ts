/**
 * The providers' documented request bodies, written down as zod schemas from
 * their public references (strict: a field they do not document fails):
 * - PagerDuty Events API v2 (`POST /v2/enqueue`, PagerDuty's OpenAPI document
 *   for Events v2): routing key of 32 characters, `dedup_key` at most 255,
 *   `payload.summary` at most 1024, severities critical/error/warning/info.
 * - Microsoft Teams Workflows ("When a Teams webhook request is received"):
 *   a `message` with Adaptive Card attachments; Workflows renders cards up to 1.4.
 * - ntfy, "Publish as JSON" (POST to the server's root URL): `topic` required,
 *   priority 1-5, at most 3 actions.
 * - Alertmanager API v2 `POST /api/v2/alerts` (postableAlerts): an array of
 *   `{ labels, annotations, startsAt, endsAt, generatorURL }` with `alertname`.
 */
import { z } from "zod";

const Url = z.string().regex(/^https?:\/\/\S+$/, "an http(s) URL");
const Rfc3339 = z.string().datetime({ offset: true });

const PagerDutyPayload = z
  .object({
    summary: z.string().min(1).max(1024),
    timestamp: Rfc3339.optional(),
    severity: z.enum(["critical", "error", "warning", "info"]),
    source: z.string().min(1),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const PagerDutyEvent = z
  .object({
    routing_key: z.string().length(32),
    event_action: z.enum(["trigger", "acknowledge", "resolve"]),
    dedup_key: z.string().min(1).max(255).optional(),
    client: z.string().optional(),
    client_url: Url.optional(),
    links: z.array(z.object({ href: Url, text: z.string().optional() }).strict()).optional(),
    images: z
      .array(z.object({ src: Url, href: Url.optional(), alt: z.string().optional() }).strict())
      .optional(),
    payload: PagerDutyPayload.optional(),
  })
  .strict()
  .refine((e) => e.event_action !== "trigger" || e.payload !== undefined, "a trigger has a payload")
  .refine(
    (e) => e.event_action === "trigger" || e.dedup_key !== undefined,
    "acknowledge and resolve name the dedup_key",
  );

const Colour = z.enum(["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]);
const TextBlock = z
  .object({
    type: z.literal("TextBlock"),
    text: z.string(),
    size: z.enum(["Small", "Default", "Medium", "Large", "ExtraLarge"]).optional(),
    weight: z.enum(["Lighter", "Default", "Bolder"]).optional(),
    color: Colour.optional(),
    wrap: z.boolean().optional(),
    isSubtle: z.boolean().optional(),
    spacing: z.enum(["None", "Small", "Default", "Medium", "Large", "ExtraLarge"]).optional(),
  })
  .strict();
const FactSet = z
  .object({
    type: z.literal("FactSet"),
    facts: z.array(z.object({ title: z.string(), value: z.string() }).strict()).min(1),
  })
  .strict();
const OpenUrl = z
  .object({ type: z.literal("Action.OpenUrl"), title: z.string(), url: Url })
  .strict();

export const AdaptiveCard = z
  .object({
    $schema: z.literal("http://adaptivecards.io/schemas/adaptive-card.json").optional(),
    type: z.literal("AdaptiveCard"),
    version: z.enum(["1.0", "1.1", "1.2", "1.3", "1.4"]),
    msteams: z
      .object({ width: z.literal("Full") })
      .strict()
      .optional(),
    body: z.array(z.union([TextBlock, FactSet])).min(1),
    actions: z.array(OpenUrl).optional(),
  })
  .strict();

export const TeamsWorkflowMessage = z
  .object({
    type: z.literal("message"),
    attachments: z
      .array(
        z
          .object({
            contentType: z.literal("application/vnd.microsoft.card.adaptive"),
            contentUrl: z.null().optional(),
            content: AdaptiveCard,
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const NtfyPublish = z
  .object({
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/),
    message: z.string().max(4096).optional(),
    title: z.string().optional(),
    tags: z.array(z.string()).optional(),
    priority: z.number().int().min(1).max(5).optional(),
    actions: z
      .array(
        z
          .object({
            action: z.literal("view"),
            label: z.string(),
            url: Url,
            clear: z.boolean().optional(),
          })
          .strict(),
      )
      .max(3)
      .optional(),
    click: Url.optional(),
    attach: Url.optional(),
    markdown: z.boolean().optional(),
    icon: Url.optional(),
    filename: z.string().optional(),
    delay: z.string().optional(),
    email: z.string().optional(),
    call: z.string().optional(),
    sequence_id: z.string().optional(),
  })
  .strict();

const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
export const AlertmanagerPostableAlerts = z.array(
  z
    .object({
      labels: z
        .record(LabelName, z.string())
        .refine((l) => (l.alertname ?? "") !== "", "alertname is required"),
      annotations: z.record(LabelName, z.string()).optional(),
      startsAt: Rfc3339.optional(),
      endsAt: Rfc3339.optional(),
      generatorURL: Url.optional(),
    })
    .strict(),
);
