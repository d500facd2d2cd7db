import type { z } from "zod";

/** One invalid input: the dotted path of the key and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/** A failure the client can act on, rendered as RFC 9457 problem details. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
    this.name = "ProblemError";
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError(400, "Bad Request", detail, errors);
export const unauthorized = (detail: string) => new ProblemError(401, "Unauthorized", detail);
export const forbidden = (detail: string) => new ProblemError(403, "Forbidden", detail);
export const notFound = (what: string, id: string) =>
  new ProblemError(404, "Not Found", `${what} '${id}' does not exist.`);
export const conflict = (detail: string) => new ProblemError(409, "Conflict", detail);
export const payloadTooLarge = (detail: string) =>
  new ProblemError(413, "Payload Too Large", detail);
export const unprocessable = (
  detail: string,
  errors: FieldError[],
  extra?: Record<string, unknown>,
) => new ProblemError(422, "Unprocessable Content", detail, errors, extra);

/** A one-error 422 for a single invalid input. */
export const invalid = (path: string, message: string) =>
  unprocessable(`${path}: ${message}`, [{ path, message }]);

const typeSlug: Record<number, string> = {
  400: "bad-request",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  422: "validation-failed",
  429: "too-many-requests",
  500: "internal-error",
  503: "unavailable",
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

export function problemBody(
  status: number,
  title: string,
  detail: string,
  errors?: FieldError[],
  extra?: Record<string, unknown>,
): ProblemBody {
  const body: ProblemBody = {
    type: `https://anom.dev/problems/${typeSlug[status] ?? "error"}`,
    title,
    status,
    detail,
    ...extra,
  };
  if (errors) body.errors = errors;
  return body;
}

export function problemResponse(body: ProblemBody, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/problem+json");
  return new Response(JSON.stringify(body), { status: body.status, headers: h });
}

export function toProblemResponse(error: ProblemError): Response {
  const retryAfter = error.extra?.retryAfter;
  return problemResponse(
    problemBody(error.status, error.title, error.message, error.errors, error.extra),
    typeof retryAfter === "number" ? { "retry-after": String(retryAfter) } : undefined,
  );
}

/** Zod issue paths as dotted strings: `fields.0.name`. */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}
