import { hc } from "hono/client";
import type { ActionFunctionArgs } from "react-router";
import { redirect } from "react-router";
import type { AppType, UiEnv } from "../env";
import { assertSameOrigin, clearToken, requireToken } from "./session.server";

/** The API's typed client over the service binding, as the signed-in operator. */
export function apiClient(env: UiEnv, token: string) {
  return hc<AppType>("http://api.internal", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      env.API.fetch(new Request(input, init)),
    headers: { authorization: `Bearer ${token}` },
  });
}

export async function api(request: Request, env: UiEnv) {
  return apiClient(env, await requireToken(request));
}

export interface Problem {
  title: string;
  detail: string;
  status: number;
  errors?: { path: string; message: string }[];
}

interface AnyResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}
/** The body type of a typed client response's success case. */
type Success<R> = R extends { status: 200 | 201 | 202; json(): Promise<infer B> } ? B : never;

/** The JSON of a successful answer; a 401 (ended session, revoked token) signs out, other failures become a Problem. */
export async function json<R extends AnyResponse>(response: R): Promise<Success<R>> {
  if (response.status === 401) {
    throw redirect("/sign-in", { headers: { "set-cookie": await clearToken() } });
  }
  const body = await response.json();
  if (!response.ok) throw new ProblemResponse(body as Problem);
  return body as Success<R>;
}

export class ProblemResponse extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** A failed answer's errors by field, or its detail under `fallback` when it names none. */
export async function problemErrors(
  response: AnyResponse,
  fallback: string,
): Promise<{ path: string; message: string }[]> {
  const problem = (await response.json()) as Partial<Problem>;
  return problem.errors?.length
    ? problem.errors
    : [{ path: fallback, message: problem.detail ?? "invalid" }];
}

/** A business tab's form post: same-origin checked, the API client, the form, its intent and the business id. */
export async function businessForm({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  return { client, form, intent: String(form.get("intent")), id: params.id ?? "" };
}
