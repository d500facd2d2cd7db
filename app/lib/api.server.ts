import { hc } from "hono/client";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { data, redirect } from "react-router";
import type { AppType, UiEnv } from "../env";
import { humaneErrors, humaneStatus, pathLabel } from "./humane";
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
  // The page's error boundary says what the status means (app/root.tsx), in words.
  if (!response.ok) throw data(body as Problem, { status: response.status });
  return body as Success<R>;
}

/** A failed answer's errors by field in plain words, or what its status means under `fallback` when it names none. */
export async function problemErrors(
  response: AnyResponse,
  fallback: string,
): Promise<{ path: string; message: string }[]> {
  const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
  return humaneErrors({ ...problem, status: response.status }, fallback);
}

/** An action's outcome: no errors when the answer is a success, else its errors as `problemErrors` gives them. */
export async function outcome(
  response: AnyResponse,
  fallback: string,
): Promise<{ errors: { path: string; message: string }[] }> {
  return { errors: response.ok ? [] : await problemErrors(response, fallback) };
}

/**
 * A failed answer for a page that shows refusals of inputs at the form and
 * other refusals as one sentence: `errors` in plain words, or `detail` when
 * the answer names no input.
 */
export async function problemResult(
  response: AnyResponse,
): Promise<{ detail?: string; errors: { path: string; message: string }[] }> {
  const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
  if (problem.errors?.length) return { errors: humaneErrors(problem, "") };
  return { detail: humaneStatus(response.status, problem.detail), errors: [] };
}

/** A failed answer as one sentence (for an action with no input of its own, e.g. Acknowledge). */
export async function problemText(response: AnyResponse): Promise<string> {
  const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
  const [first] = humaneErrors({ ...problem, status: response.status }, "");
  return first?.path ? `${pathLabel(first.path)}: ${first.message}` : (first?.message ?? "");
}

/** A page's loader: the API client as the signed-in person, and the path's `:id` as a route param. */
export async function pageApi({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  return { client, param: { id: params.id ?? "" } };
}

/** The API's routes of one workspace, for a team page. */
type WorkspaceRoutes = ReturnType<typeof apiClient>["v1"]["workspaces"][":id"];

/**
 * A team page's loader: the workspace in the path, and what `read` takes from
 * its routes (members, keys, the audit log), read at the same time.
 */
export async function workspacePage<T extends object>(
  args: LoaderFunctionArgs,
  read: (workspace: WorkspaceRoutes, param: { id: string }) => Promise<T>,
) {
  const { client, param } = await pageApi(args);
  const routes = client.v1.workspaces[":id"];
  const [workspace, more] = await Promise.all([
    routes.$get({ param }).then(json),
    read(routes, param),
  ]);
  return { workspace, ...more };
}

/**
 * A page's form post: same-origin checked, the API client, the form with
 * `text(name)` (an input, trimmed), its intent, and the path's `:id` (also as a route param).
 */
export async function formPost({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const id = params.id ?? "";
  return { client, form, text, intent: String(form.get("intent")), id, param: { id } };
}
