import { describe, expect, it } from "vitest";
import { z } from "zod";
import { problemOf, raw } from "../helpers";

/** The parts of the OpenAPI document these tests read, checked as they are read. */
const Schema = z.record(z.string(), z.unknown());
const OpenApi = z.object({
  openapi: z.string(),
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        parameters: z.array(z.object({ name: z.string(), schema: Schema })).optional(),
        requestBody: z
          .object({ content: z.record(z.string(), z.object({ schema: Schema })) })
          .optional(),
      }),
    ),
  ),
  components: z.object({
    schemas: z.object({
      IngestEvent: z.object({
        maxProperties: z.number(),
        additionalProperties: z.object({
          anyOf: z.array(z.object({ maxLength: z.number().optional() })),
        }),
      }),
    }),
    securitySchemes: z.record(z.string(), z.object({ scheme: z.string().optional() })),
  }),
});

async function openapi() {
  const res = await raw("GET", "/openapi.json", { token: null });
  expect(res.status).toBe(200);
  return OpenApi.parse(res.json);
}

describe("system routes", () => {
  it("answers healthz without auth", async () => {
    const res = await raw("GET", "/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });

  it("publishes an OpenAPI document that describes the contract", async () => {
    const doc = await openapi();
    expect(doc.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/healthz",
        "/v1/businesses",
        "/v1/businesses/{id}",
        "/v1/businesses/{id}/fields",
        "/v1/businesses/{id}/fields/{name}",
        "/v1/businesses/{id}/sources",
        "/v1/businesses/{id}/sources/{sourceId}",
      ]),
    );
    expect(doc.components.securitySchemes.adminToken?.scheme).toBe("bearer");
  });

  it("serves interactive docs that load the OpenAPI document and their script from this origin", async () => {
    const res = await fetchText("/docs");
    expect(res.status).toBe(200);
    expect(res.text).toContain("/openapi.json");
    const scripts = [...res.text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(["/docs/api-reference.js"]);
    expect(res.text).not.toMatch(/https?:\/\/(?!anom\.dev)[^"'\s]*\.(js|css|woff2?)/);
    const script = await fetchText("/docs/api-reference.js");
    expect(script.status).toBe(200);
    expect(script.type).toMatch(/javascript/);
    // The standalone bundle of @scalar/api-reference, several megabytes, not a stub.
    expect(script.text.length).toBeGreaterThan(1_000_000);
    expect(script.text).toContain("scalar");
  });

  it("states its limits in the OpenAPI document", async () => {
    const doc = await openapi();
    const event = doc.components.schemas.IngestEvent;
    expect(event.maxProperties).toBe(256);
    expect(event.additionalProperties.anyOf[0]?.maxLength).toBe(8192);
    const ingestBody =
      doc.paths["/v1/ingest/{businessId}"]?.post?.requestBody?.content["application/json"]?.schema;
    expect(JSON.stringify(ingestBody)).toContain('"maxItems":10000');
    const params = (path: string) =>
      Object.fromEntries((doc.paths[path]?.get?.parameters ?? []).map((p) => [p.name, p.schema]));
    expect(params("/v1/businesses/{id}/events")).toMatchObject({
      limit: { maximum: 1000 },
      cursor: { maxLength: 200 },
      from: { maxLength: 40 },
    });
    expect(params("/v1/businesses")).toMatchObject({ limit: { maximum: 500 } });
  });

  it("refuses a management body over 4 MiB with 413 problem details", async () => {
    const res = await raw("POST", "/v1/businesses", {
      body: { name: "big", description: "x".repeat(5 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(problemOf(res).detail).toMatch(/4194304 bytes/);
  });

  it("answers unknown routes with problem details", async () => {
    const res = await raw("GET", "/nope", { token: null });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.json).toMatchObject({ status: 404, title: "Not Found" });
  });
});

async function fetchText(path: string) {
  const { SELF } = await import("cloudflare:test");
  const res = await SELF.fetch(`http://anom.test${path}`);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}
