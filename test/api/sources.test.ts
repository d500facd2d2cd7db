import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createBusiness, createSource, expectStatus, send, statusOf } from "../helpers";

describe("sources", () => {
  it("creates a source whose token is shown once and stored only as a hash", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].sources.$post({ param: { id: b.id }, json: { name: "camel-prod" } }),
    );
    expectStatus(res, 201);
    expect(res.json).toMatchObject({ name: "camel-prod", businessId: b.id, revokedAt: null });
    // 24 random bytes: 192 bits, base64url.
    expect(res.json.token).toMatch(/^anom_[A-Za-z0-9_-]{32}$/);
    expect(res.json.token.startsWith(res.json.tokenPrefix)).toBe(true);

    const list = await send(api.v1.businesses[":id"].sources.$get({ param: { id: b.id } }));
    expectStatus(list, 200);
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0]).not.toHaveProperty("token");

    const stored = await env.DB.prepare("select * from sources where id = ?")
      .bind(res.json.id)
      .first();
    expect(JSON.stringify(stored)).not.toContain(res.json.token);
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives every source a different token", async () => {
    const b = await createBusiness();
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add((await createSource(b.id, `s${i}`)).token);
    expect(tokens.size).toBe(5);
  });

  it("revokes a source", async () => {
    const b = await createBusiness();
    const s = await createSource(b.id);
    expect(
      await statusOf(
        api.v1.businesses[":id"].sources[":sourceId"].$delete({
          param: { id: b.id, sourceId: s.id },
        }),
      ),
    ).toBe(204);
    const list = await send(api.v1.businesses[":id"].sources.$get({ param: { id: b.id } }));
    expectStatus(list, 200);
    expect(list.json.items[0]?.revokedAt).not.toBeNull();
    // Revoking again is harmless; an unknown source is a 404.
    expect(
      await statusOf(
        api.v1.businesses[":id"].sources[":sourceId"].$delete({
          param: { id: b.id, sourceId: s.id },
        }),
      ),
    ).toBe(204);
    expect(
      await statusOf(
        api.v1.businesses[":id"].sources[":sourceId"].$delete({
          param: { id: b.id, sourceId: "src_missing" },
        }),
      ),
    ).toBe(404);
  });

  it("does not revoke a source through another business", async () => {
    const a = await createBusiness();
    const other = await createBusiness();
    const s = await createSource(a.id);
    expect(
      await statusOf(
        api.v1.businesses[":id"].sources[":sourceId"].$delete({
          param: { id: other.id, sourceId: s.id },
        }),
      ),
    ).toBe(404);
  });

  it("validates the name", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].sources.$post({ param: { id: b.id }, json: { name: "" } }),
    );
    expectStatus(res, 422);
    expect(res.json.errors?.[0]?.path).toBe("name");
  });

  it("answers 404 for an unknown business", async () => {
    expect(
      await statusOf(
        api.v1.businesses[":id"].sources.$post({
          param: { id: "bus_missing" },
          json: { name: "s" },
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(api.v1.businesses[":id"].sources.$get({ param: { id: "bus_missing" } })),
    ).toBe(404);
  });
});
