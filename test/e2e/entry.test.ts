import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { e2eStack } from "../support/stack";

/**
 * The "Add events" tab in Chromium against the local stack: an expense typed
 * by hand, a CSV with a bad row and a column to map, the same file again, and
 * an NDJSON file. Screenshots at 1366 and 390 px go to test-results/ui/screens.
 */

const stack = e2eStack();
const { admin } = stack;
const chromiumPath = "/usr/bin/chromium";
const shots = "test-results/ui/screens";
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
let browser: Browser;
let c: ReturnType<typeof client>;
let businessId = "";

const csv = [
  "when,amount,cat,note",
  "2026-11-02 08:15,3.20,food,coffee",
  "2026-11-03,abc,rent,bad amount",
  '2026-11-04 19:00,45,travel,"train, return"',
  "",
].join("\n");

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The browser suite needs Debian's Chromium at ${chromiumPath}.`);
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  mkdirSync(shots, { recursive: true });
  c = client(stack.api, admin);
  const business = await c.json("POST", "/v1/businesses", {
    name: "Household expenses",
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "amount", type: "number", required: true, unit: "EUR" },
      { name: "category", type: "enum", required: true, values: ["food", "rent", "travel"] },
      { name: "note", type: "string", description: "What it was for" },
      { name: "shared", type: "boolean" },
    ],
  });
  businessId = business.id;
});

afterAll(async () => {
  await browser?.close();
});

async function signedIn(width: number, height: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/WebSocket/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${stack.ui}/login`);
  await page.getByLabel("Admin token").fill(admin);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.ui}/`);
  await page.goto(`${stack.ui}/businesses/${businessId}/add`);
  await page.waitForSelector("html[data-hydrated]", { timeout: 15_000 });
  return { page, errors };
}

/** A screenshot, then: no sideways page scroll and no serious axe-core finding. */
async function look(page: Page, name: string) {
  // The shell's navigation bar is done (a page between two states is not looked at).
  await page.waitForSelector(".progress:not(.on)", { state: "attached" });
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    type Result = {
      violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
    };
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<Result> } }).axe;
    const result = await axe.run({ runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  expect(violations, `${name}: axe`).toEqual([]);
}

async function upload(page: Page, name: string, text: string, mimeType: string) {
  await page
    .getByLabel("CSV or NDJSON file")
    .setInputFiles({ name, mimeType, buffer: Buffer.from(text) });
}

const check = (page: Page) => page.getByTestId("check");
const sent = (page: Page) => page.getByTestId("sent");
/** The upload's outcome once every batch is answered. */
async function outcome(page: Page): Promise<string> {
  await expect.poll(() => sent(page).textContent()).toMatch(/^Sent /);
  return (await sent(page).textContent()) ?? "";
}
const mapping = (page: Page) => page.getByRole("group", { name: "Which column fills each field" });

async function eventCount(): Promise<number> {
  const list = await c.json("GET", `/v1/businesses/${businessId}/events?limit=100`);
  return list.items.length;
}

describe("adding events in the browser", () => {
  it("enters an expense by hand: the time in the business's zone, a refusal at its input, then the event in Events", async () => {
    const { page, errors } = await signedIn(1366, 900);
    const time = page.getByLabel("timestamp (Europe/Berlin)");
    // The event time starts at now in the business's zone.
    expect(await time.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    await time.fill("2030-01-01T00:00");
    await page.getByLabel("amount (EUR)").fill("12.5");
    await page.getByRole("combobox", { name: "category" }).first().selectOption("food");
    await page.getByLabel("note").fill("lunch");
    await page.getByRole("button", { name: "Add event" }).click();
    // The API's refusal is shown at the time input, and what was typed stays.
    await expect
      .poll(() => page.locator("#entry-timestamp-error").textContent())
      .toContain("more than 5 minutes in the future");
    expect(await time.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("amount (EUR)").inputValue()).toBe("12.5");
    await look(page, "add-error-1366");

    await time.fill("2026-11-20T12:30");
    await page.getByRole("button", { name: "Add event" }).click();
    await expect.poll(() => page.getByTestId("entered").textContent()).toContain("Event added");
    const entered = (await page.getByTestId("entered").textContent()) ?? "";
    expect(entered).toContain("12.5 EUR");
    expect(entered).toContain("20 Nov 2026 12:30 GMT+1");
    await page.getByRole("link", { name: "See it in Events" }).click();
    await page.waitForURL(/\/events$/);
    const row = page.locator("table.events tbody tr").first();
    await expect.poll(() => row.textContent()).toContain("lunch");
    expect(await row.textContent()).toContain("20 Nov 12:30 GMT+1");
    expect(await eventCount()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("uploads a CSV: a row's problem before sending, a column mapped by hand, then the events; the same file again stores nothing twice", async () => {
    const { page, errors } = await signedIn(1366, 900);
    await upload(page, "expenses.csv", csv, "text/csv");
    // The preview, and every row refused while `category` is read from no column.
    await expect
      .poll(() => page.getByRole("region", { name: "File preview" }).textContent())
      .toContain("train, return");
    await expect.poll(() => check(page).textContent()).toContain("3 rows: 0 ready to send");
    expect(await mapping(page).getByLabel("timestamp").inputValue()).toBe("when");
    expect(await mapping(page).getByLabel("category").inputValue()).toBe("");

    await mapping(page).getByLabel("category").selectOption("cat");
    await expect
      .poll(() => check(page).textContent())
      .toContain("3 rows: 2 ready to send, 1 with problems");
    const problems = page.getByRole("table", { name: "Rows with problems" });
    expect(await problems.locator("tbody tr").count()).toBe(1);
    expect(await problems.textContent()).toContain("“abc” is not a number");
    expect(await problems.locator("tbody td").first().textContent()).toBe("3");
    await look(page, "upload-check-1366");

    await page.getByRole("button", { name: "Send 2 events" }).click();
    const first = await outcome(page);
    expect(first).toContain("2 new events stored");
    expect(first).toContain("1 row not stored");
    expect(
      await page.getByRole("table", { name: "Rows not stored" }).locator("tbody tr").count(),
    ).toBe(1);
    await look(page, "upload-sent-1366");
    await page.getByRole("link", { name: "See them in Events" }).click();
    await page.waitForURL(/\/events$/);
    await expect.poll(() => page.locator("table.events").textContent()).toContain("train, return");
    expect(await page.locator("table.events").textContent()).toContain("2 Nov 08:15 GMT+1");
    expect(await eventCount()).toBe(3);

    // The same file again: every row was stored before.
    await page.goto(`${stack.ui}/businesses/${businessId}/add`);
    await page.waitForSelector("html[data-hydrated]");
    await upload(page, "expenses.csv", csv, "text/csv");
    await expect.poll(() => check(page).textContent()).toContain("3 rows: 0 ready to send");
    await mapping(page).getByLabel("category").selectOption("cat");
    await expect.poll(() => check(page).textContent()).toContain("2 ready to send");
    await page.getByRole("button", { name: "Send 2 events" }).click();
    const again = await outcome(page);
    expect(again).toContain("0 new events stored");
    expect(again).toContain("2 rows stored before (not stored again)");
    expect(await eventCount()).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("uploads NDJSON: a line that is not JSON is named, the others stored", async () => {
    const { page } = await signedIn(1366, 900);
    const lines = [
      '{"timestamp":"2026-11-05T10:00:00+01:00","amount":7,"category":"food","note":"ndjson"}',
      "{not json",
      '{"timestamp":"2026-11-06T10:00:00+01:00","amount":8,"category":"rent","shared":true}',
    ].join("\n");
    await upload(page, "more.ndjson", lines, "application/x-ndjson");
    await expect
      .poll(() => check(page).textContent())
      .toContain("2 ready to send, 1 with problems");
    expect(await page.getByRole("table", { name: "Rows with problems" }).textContent()).toContain(
      "is not valid JSON",
    );
    await page.getByRole("button", { name: "Send 2 events" }).click();
    expect(await outcome(page)).toContain("2 new events stored");
    expect(await eventCount()).toBe(5);
    await page.close();
  });

  it("fits a phone: the form and an upload with problems at 390 px", async () => {
    const { page, errors } = await signedIn(390, 844);
    await look(page, "add-390");
    await upload(page, "expenses.csv", csv, "text/csv");
    await expect.poll(() => check(page).textContent()).toContain("3 rows");
    await look(page, "upload-check-390");
    await page.setViewportSize({ width: 1366, height: 900 });
    await look(page, "upload-problems-1366");
    expect(errors).toEqual([]);
    await page.close();
  });
});
