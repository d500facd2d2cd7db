import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { e2eStack } from "../support/stack";

const stack = e2eStack();
const { admin } = stack;
const chromiumPath = "/usr/bin/chromium";
let browser: Browser;
let c: ReturnType<typeof client>;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The browser suite needs Debian's Chromium at ${chromiumPath}.`);
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  c = client(stack.api, admin);
});

afterAll(async () => {
  await browser?.close();
});

/** Invites an email with a role and accepts it in the browser: the person is signed in. */
async function join(workspaceId: string, role: string): Promise<{ page: Page; email: string }> {
  const email = `${role}.${Date.now()}@example.com`;
  const invited = await c.json("POST", `/v1/workspaces/${workspaceId}/members`, { email, role });
  const token = String(invited.inviteUrl).split("/invite/")[1];
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${stack.ui}/invite/${token}`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByLabel("Again").fill("correct horse battery");
  await page.getByRole("button", { name: "Join" }).click();
  await page.waitForURL(`${stack.ui}/`);
  return { page, email };
}

describe("teams in Chromium", () => {
  it("lets an invited editor sign in, create a rule and find it in the audit log", async () => {
    const ws = await c.json("POST", "/v1/workspaces", { name: "Payments" });
    const { business } = await c.business({
      name: "Camel routes (teams)",
      workspaceId: ws.id,
      fields: [{ name: "durationMs", type: "number", required: true }],
    });
    const { page, email } = await join(ws.id, "editor");
    // Signed out, then in again with email and password.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${stack.ui}/`);

    await page.goto(`${stack.ui}/businesses/${business.id}/rules`);
    // The rule is checked as it is typed: type once React has hydrated the form (the root marks it).
    await page.waitForSelector("html[data-hydrated]", { timeout: 15_000 });
    await page.getByLabel("Condition (CEL)").fill("durationMs > 5000");
    await expect.poll(() => page.getByText("Looks good.").count()).toBe(1);
    await page.getByLabel("Name", { exact: true }).fill("Slow payment");
    await page.getByRole("button", { name: "Create rule" }).click();
    await expect.poll(() => page.getByText("Slow payment").count()).toBeGreaterThan(0);

    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Team" })
      .click();
    await page.getByRole("link", { name: "Audit log" }).click();
    const row = page.getByRole("row").filter({ hasText: "rule.create" });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(email);
    expect(await row.textContent()).toContain("Slow payment");
  });

  it("shows a viewer no edit controls", async () => {
    const ws = await c.json("POST", "/v1/workspaces", { name: "Read only" });
    const { business } = await c.business({
      name: "Greenhouse (teams)",
      workspaceId: ws.id,
      fields: [{ name: "temperature", type: "number" }],
    });
    const { page } = await join(ws.id, "viewer");
    // Every tab that edits: reading controls stay (filters are GET forms); nothing that posts a change is shown.
    for (const tab of ["rules", "sources", "settings"]) {
      await page.goto(`${stack.ui}/businesses/${business.id}/${tab}`);
      await expect.poll(() => page.getByText("Greenhouse (teams)").count()).toBeGreaterThan(0);
      expect(await page.locator('main form[method="post"]').count(), tab).toBeGreaterThan(0);
      expect(await page.locator('main form[method="post"]:visible').count(), tab).toBe(0);
      for (const name of ["Create rule", "Create source", "Save", "Delete", "Add"]) {
        expect(await page.getByRole("button", { name }).count(), `${tab}: ${name}`).toBe(0);
      }
    }
    await page.goto(`${stack.ui}/team/${ws.id}/members`);
    expect(await page.getByRole("main").getByRole("button").count()).toBe(0);
  });

  it("stops a key revoked on the keys page at once", async () => {
    const ws = await c.json("POST", "/v1/workspaces", { name: "Keys" });
    const { page } = await join(ws.id, "admin");
    await page.goto(`${stack.ui}/team/${ws.id}/keys`);
    await page.getByLabel("Name").fill("ci");
    await page.getByLabel("Role").selectOption("editor");
    await page.getByRole("button", { name: "Create key" }).click();
    const token = ((await page.getByRole("status").locator("code").textContent()) ?? "").trim();
    expect(token).toMatch(/^anomk_/);
    const before = await fetch(`${stack.api}/v1/businesses`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(before.status).toBe(200);
    page.on("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "revoked" }).count()).toBe(1);
    const after = await fetch(`${stack.api}/v1/businesses`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });
});
