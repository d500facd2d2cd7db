import type { ActionFunctionArgs } from "react-router";
import { EventsCreate } from "../../schema/contracts/events";
import { api } from "../lib/api.server";
import { parse } from "../lib/parse";
import { assertSameOrigin } from "../lib/session.server";

/** What the upload hears back for one batch: stored counts and per-event problems, or why it stopped. */
export type BatchResult =
  | {
      ok: true;
      accepted: number;
      duplicates: number;
      rejected: { index: number; errors: { path: string; message: string }[] }[];
    }
  | { ok: false; status: number; detail: string };

/**
 * Resource route: one batch of an upload (JSON `{ events, keys }`) handed to
 * `POST /v1/businesses/{id}/events` as the signed-in person. A batch none of
 * whose events was valid is an answer like the others (all rejected), not a failure.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const body = parse(EventsCreate, await request.json().catch(() => null));
  if (!body.ok) {
    const first = body.errors[0];
    return Response.json({
      ok: false,
      status: 422,
      detail: first ? `${first.path} ${first.message}` : "not a batch of events",
    } satisfies BatchResult);
  }
  const res = await client.v1.businesses[":id"].events.$post({
    param: { id: params.id ?? "" },
    json: body.data,
  });
  const answer = (await res.json()) as {
    accepted?: number;
    duplicates?: number;
    rejected?: { index: number; errors: { path: string; message: string }[] }[];
    detail?: string;
  };
  const status: number = res.status;
  if (res.ok || (status === 422 && answer.rejected)) {
    return Response.json({
      ok: true,
      accepted: answer.accepted ?? 0,
      duplicates: answer.duplicates ?? 0,
      rejected: answer.rejected ?? [],
    } satisfies BatchResult);
  }
  return Response.json({
    ok: false,
    status,
    detail: answer.detail ?? `the API answered ${status}`,
  } satisfies BatchResult);
}
