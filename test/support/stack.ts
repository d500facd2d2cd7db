import { inject } from "vitest";

/**
 * The e2e project's one local stack, started by test/support/e2e-stack.ts:
 * the API's and the UI's URLs and the admin token. Files share it, so each
 * makes its own businesses and workspaces and looks only at those.
 */
export function e2eStack() {
  return inject("e2eStack");
}

type Api = ReturnType<typeof import("../../scripts/lib/api.mjs").client>;

/**
 * A business of routes with a source and one rule, "Slow route" (critical,
 * grouped by route, resolving on the next fast event): `slow(route)` opens an
 * alert, `fast(route)` resolves it.
 */
export async function slowRoutes(api: Api, name: string) {
  const business = await api.json("POST", "/v1/businesses", {
    name,
    fields: [
      { name: "routeId", type: "string", required: true },
      { name: "durationMs", type: "number", required: true },
    ],
  });
  const { token } = await api.json("POST", `/v1/businesses/${business.id}/sources`, {
    name: "e2e",
  });
  await api.json("POST", `/v1/businesses/${business.id}/rules`, {
    name: "Slow route",
    kind: "immediate",
    condition: "durationMs > 5000",
    groupBy: "routeId",
    severity: "critical",
    // Resolve on the next event: these tests are about delivery, not keep-firing.
    keepFiringFor: "0s",
  });
  const send = (routeId: string, durationMs: number) =>
    api.json("POST", `/v1/ingest/${business.id}`, { routeId, durationMs }, token);
  return {
    business: business as { id: string; name: string },
    slow: (routeId: string) => send(routeId, 9000),
    fast: (routeId: string) => send(routeId, 120),
  };
}
