import type { RouteHandler } from "@hono/zod-openapi";
import { createRoute, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "./context";
import {
  adminSecurity,
  type JsonBody,
  type JsonResponse,
  jsonBody,
  jsonResponse,
  type ProblemResponses,
  type ProblemStatus,
  problems,
} from "./openapi";

/*
 * How a route is defined: `manage.Rules("get", "/{id}/rules/{ruleId}", "Get a rule")`
 * (or `open.People(...)` for a route without credentials), then what it reads
 * (`.input()`), its answers (`.json()`, `.empty()`), the problems beyond those its
 * input and caller imply (`.problems()`), and its handler (`.answer()` or
 * `.handle()`). Each area's index mounts its routes with `openapiRoutes([...])`.
 */

type Method = "get" | "post" | "put" | "patch" | "delete";
// biome-ignore lint/suspicious/noExplicitAny: any object schema (zod's own bound for params and query)
export type ObjectSchema = z.ZodObject<any>;

/** What a route reads: path parameters, a query, headers, a JSON body (`body`, or `optionalBody`). */
export interface RouteInput {
  params?: ObjectSchema;
  query?: ObjectSchema;
  headers?: ObjectSchema;
  body?: z.ZodType;
  optionalBody?: z.ZodType;
}

type RequestOf<I extends RouteInput> = Omit<I, "body" | "optionalBody"> &
  (I extends { body: infer B extends z.ZodType } ? { body: JsonBody<B> } : unknown) &
  (I extends { optionalBody: infer B extends z.ZodType }
    ? { body: { required: false; content: { "application/json": { schema: B } } } }
    : unknown);

/** The problems a route's input implies: 404 for an unknown path id, 400 and 422 for a bad body, 422 for a bad query. */
type ImpliedProblems<I extends RouteInput> =
  | (I extends { params: ObjectSchema } ? 404 : never)
  | (I extends { body: z.ZodType } | { optionalBody: z.ZodType } ? 400 | 422 : never)
  | (I extends { query: ObjectSchema } ? 422 : never);

function impliedProblems(input: RouteInput): ProblemStatus[] {
  const statuses: ProblemStatus[] = [];
  if (input.params) statuses.push(404);
  if (input.body || input.optionalBody) statuses.push(400, 422);
  if (input.query) statuses.push(422);
  return statuses;
}

interface Draft<M extends Method, P extends string, I extends RouteInput, R extends object> {
  method: M;
  path: P;
  tag: string;
  summary: string;
  description?: string;
  security?: Record<string, string[]>[];
  input: I;
  responses: R;
  problems: ProblemStatus[];
}

/** The `createRoute` config a `RouteBuilder` makes. */
export type BuiltRoute<
  M extends Method,
  P extends string,
  I extends RouteInput,
  R extends object,
  S extends ProblemStatus,
> = {
  method: M;
  path: P;
  tags: string[];
  summary: string;
  description?: string;
  security?: Record<string, string[]>[];
  request: RequestOf<I>;
  // One object type: hono reads a route's answers as "all JSON" when any part of an intersection is.
  responses: Flat<R & ProblemResponses<S>>;
};

type Flat<T> = { [K in keyof T]: T[K] };

/**
 * One route of the OpenAPI document, step by step: `.describe()`, `.input()`,
 * its answers (`.json()`, `.empty()`), the problems beyond those its input and
 * caller imply (`.problems()`), then `.handle()`: the route with its handler,
 * for `openapiRoutes([...])`.
 */
export class RouteBuilder<
  M extends Method,
  P extends string,
  I extends RouteInput,
  R extends object,
  S extends ProblemStatus,
> {
  constructor(readonly draft: Draft<M, P, I, R>) {}

  describe(description: string): RouteBuilder<M, P, I, R, S> {
    return new RouteBuilder({ ...this.draft, description });
  }

  input<J extends RouteInput>(input: J): RouteBuilder<M, P, J, R, S | ImpliedProblems<J>> {
    return new RouteBuilder({ ...this.draft, input });
  }

  /** Answers `status` with `schema` as JSON. */
  json<C extends number, T extends z.ZodType>(status: C, schema: T, description: string) {
    return this.withAnswer<C, JsonResponse<T>>(status, jsonResponse(schema, description));
  }

  /** Answers `status` without a body. */
  empty<C extends number>(status: C, description: string) {
    return this.withAnswer<C, { description: string }>(status, { description });
  }

  private withAnswer<C extends number, A>(status: C, answer: A) {
    const responses = { ...this.draft.responses, [status]: answer } as R & Record<C, A>;
    return new RouteBuilder<M, P, I, R & Record<C, A>, S>({ ...this.draft, responses });
  }

  /** Problems beyond those the input and the caller imply (403, 409, …). */
  problems<const T extends ProblemStatus[]>(
    ...statuses: T
  ): RouteBuilder<M, P, I, R, S | T[number]> {
    return new RouteBuilder({ ...this.draft, problems: [...this.draft.problems, ...statuses] });
  }

  /** The route for `app.openapi()`. */
  route(): BuiltRoute<M, P, I, R, S> {
    const { method, path, tag, summary, description, security, input, responses } = this.draft;
    const statuses = [...new Set([...this.draft.problems, ...impliedProblems(input)])];
    const config = createRoute({
      method,
      path,
      tags: [tag],
      summary,
      ...(description === undefined ? {} : { description }),
      ...(security === undefined ? {} : { security }),
      ...(Object.keys(input).length === 0 ? {} : { request: requestOf(input) }),
      responses: { ...responses, ...problems(...statuses.sort((a, b) => a - b)) },
    });
    return config as unknown as BuiltRoute<M, P, I, R, S>;
  }

  /**
   * The route whose handler only answers: `answer` gets the validated input
   * (`param`, `query`, `json`) and the context; its result is the body of the
   * route's one answer (`.json()`), or nothing for an empty one (`.empty()`).
   */
  answer<B extends AnyBuilder>(
    this: B,
    answer: (input: ValidInput<B>, c: ContextOf<B>) => Promise<AnswerOf<B>>,
  ) {
    const [status] = Object.keys(this.draft.responses).map(Number);
    const handler = async (c: ContextOf<B>) => {
      const valid = c.req.valid.bind(c.req) as (target: string) => unknown;
      const input = { param: valid("param"), query: valid("query"), json: valid("json") };
      const body = await answer(input as ValidInput<B>, c);
      return status === 204 ? c.body(null, 204) : c.json(body as never, status as never);
    };
    return this.handle(handler as never);
  }

  /** The route with its handler, typed by the route's input and answers. */
  handle<B extends AnyBuilder>(this: B, handler: RouteHandler<RouteOf<B>, AppEnv>) {
    return { route: this.route() as RouteOf<B>, handler };
  }
}

type ContextOf<B extends AnyBuilder> = Parameters<RouteHandler<RouteOf<B>, AppEnv>>[0];
type ValidInput<B extends AnyBuilder> =
  ContextOf<B> extends Context<AppEnv, string, infer In>
    ? In extends { out: infer O }
      ? O
      : Record<never, never>
    : never;
type AnswerOf<B> =
  // biome-ignore lint/suspicious/noExplicitAny: any builder, to read its answers back
  B extends RouteBuilder<any, any, any, infer R, any>
    ? {
        [K in keyof R]: R[K] extends { content: { "application/json": { schema: infer T } } }
          ? T extends z.ZodType
            ? z.output<T>
            : never
          : unknown; // an empty answer: whatever `answer` returns is not sent
      }[keyof R]
    : never;

// biome-ignore lint/suspicious/noExplicitAny: any builder, to read its route type back
type AnyBuilder = RouteBuilder<any, any, any, any, any>;
// Read from the concrete builder at the call: inside the generic class, TypeScript
// would settle hono's "every answer is JSON" test for all instantiations at once.
type RouteOf<B> =
  B extends RouteBuilder<infer M, infer P, infer I, infer R, infer S>
    ? BuiltRoute<M, P, I, R, S>
    : never;

function requestOf<I extends RouteInput>({ body, optionalBody, ...rest }: I) {
  if (body) return { ...rest, body: jsonBody(body) };
  if (optionalBody) return { ...rest, body: { ...jsonBody(optionalBody), required: false } };
  return rest;
}

/** The routes of one tag: `(method, path, summary)` to a `RouteBuilder`. */
export type Routes<S extends ProblemStatus> = <M extends Method, P extends string>(
  method: M,
  path: P,
  summary: string,
) => RouteBuilder<M, P, Record<never, never>, Record<never, never>, S>;

const managedTags = [
  "Alerts",
  "Businesses",
  "Channels",
  "Events",
  "Fields",
  "People",
  "Rules",
  "Silences",
  "Sources",
  "Suggestions",
  "Teams",
  "Templates",
  "Views",
] as const;

/**
 * Management routes by tag, for the management credentials (`adminSecurity`:
 * the admin token, an API key or a session), so each can answer 401:
 * `manage.Alerts("get", "/{id}", "An alert")`.
 */
export const manage = Object.fromEntries(
  managedTags.map((tag): [string, Routes<401>] => [
    tag,
    (method, path, summary) =>
      new RouteBuilder({
        ...{ method, path, tag, summary, security: adminSecurity },
        ...{ input: {}, responses: {}, problems: [401] },
      }),
  ]),
) as Record<(typeof managedTags)[number], Routes<401>>;

/** Routes anyone may call, without credentials, by tag. */
export const open = Object.fromEntries(
  (["People", "System"] as const).map((tag): [string, Routes<never>] => [
    tag,
    (method, path, summary) =>
      new RouteBuilder({ method, path, tag, summary, input: {}, responses: {}, problems: [] }),
  ]),
) as Record<"People" | "System", Routes<never>>;
