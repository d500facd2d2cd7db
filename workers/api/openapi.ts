import type { Hook } from "@hono/zod-openapi";
import { OpenAPIHono, type z } from "@hono/zod-openapi";
import { Problem } from "../../schema/contracts/common";
import { issuesToErrors, problemBody, problemResponse } from "../lib/errors";
import type { AppEnv } from "./context";

// A request that fails its route's schema is a 422 naming every bad field.
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const errors = issuesToErrors(result.error.issues);
  const first = errors[0];
  const detail =
    errors.length === 1 && first
      ? `${first.path}: ${first.message}`
      : `${errors.length} problems in the request`;
  return problemResponse(problemBody(422, "Unprocessable Content", detail, errors));
};

export function newApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

const problemContent = { "application/problem+json": { schema: Problem } };
const problemText = {
  400: "The body is not valid JSON",
  401: "Missing or wrong token",
  403: "The caller's role is too low for this",
  404: "Not found",
  409: "Conflicts with the current state",
  413: "The body is too large",
  415: "The content type is not one this route takes",
  422: "Invalid input; `errors` names each problem",
  426: "Upgrade Required: the route is a WebSocket",
  429: "Too many attempts; wait for Retry-After seconds",
} as const;

/** A status a route can answer with RFC 9457 problem details. */
export type ProblemStatus = keyof typeof problemText;
export type ProblemResponses<S extends ProblemStatus> = {
  [K in S]: { description: string; content: typeof problemContent };
};

/** Response entries for the problem statuses a route can answer. */
export function problems<const S extends ProblemStatus[]>(...statuses: S) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: problemText[s], content: problemContent }]),
  ) as ProblemResponses<S[number]>;
}

export type JsonBody<T extends z.ZodType> = {
  required: true;
  content: { "application/json": { schema: T } };
};
export const jsonBody = <T extends z.ZodType>(schema: T): JsonBody<T> => ({
  required: true,
  content: { "application/json": { schema } },
});

export type JsonResponse<T extends z.ZodType> = {
  description: string;
  content: { "application/json": { schema: T } };
};
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A list answered whole, in one page (`listOf` answers without a next cursor). */
export const onePage = <T>(items: T[]) => ({ items, nextCursor: null });

/** Management routes: the admin token, a workspace's API key, or a person's session token. */
export const adminSecurity: Record<string, string[]>[] = [
  { adminToken: [] },
  { apiKey: [] },
  { session: [] },
];
