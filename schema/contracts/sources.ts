import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common";

export const SourceCreate = z
  .object({ name: z.string().trim().min(1).max(200).openapi({ example: "camel-prod" }) })
  .strict()
  .openapi("SourceCreate");
export type SourceCreate = z.infer<typeof SourceCreate>;

export const Source = z
  .object({
    id: z.string(),
    businessId: z.string(),
    name: z.string(),
    tokenPrefix: z
      .string()
      .openapi({ description: "The token's first characters, to tell tokens apart" }),
    createdAt: Timestamp,
    revokedAt: Timestamp.nullable(),
  })
  .openapi("Source");
export type Source = z.infer<typeof Source>;

export const SourceCreated = Source.extend({
  token: z.string().openapi({ description: "The ingest token. Shown only in this response." }),
}).openapi("SourceCreated");
export type SourceCreated = z.infer<typeof SourceCreated>;
