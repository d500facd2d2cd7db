import { describe, expect, it } from "vitest";
import { client, expectStatus, send } from "../helpers";
import { person, workspace } from "./support";

describe("a person in many workspaces", () => {
  it("lists their workspaces, businesses, dashboard and alerts past D1's 100 bound variables", async () => {
    // Each list is scoped to the caller's workspaces; one bound variable a workspace
    // passed D1's 100 and answered 500.
    const first = await workspace();
    let me = await person(first.id, "viewer");
    for (let i = 0; i < 100; i++)
      me = await person((await workspace()).id, "viewer", {
        email: me.email,
        password: me.password,
      });
    const as = client(me.session).v1;
    const workspaces = await send(as.workspaces.$get());
    expectStatus(workspaces, 200);
    expect(workspaces.json.items).toHaveLength(101);
    expectStatus(await send(as.businesses.$get({ query: {} })), 200);
    expectStatus(await send(as.businesses.summary.$get({ query: {} })), 200);
    expectStatus(await send(as.alerts.$get({ query: {} })), 200);
  }, 120_000);
});
