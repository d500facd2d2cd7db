import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { startReceiver } from "../support/receiver";
import { e2eStack } from "../support/stack";

const chromiumPath = "/usr/bin/chromium";
const shots = "test-results/ui";
const stack = e2eStack();
const { admin } = stack;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** The business and alert the screen tour visits (made by the webhook test). */
let tour = { businessId: "", alertId: "" };
/** axe-core's browser build, injected into pages to check accessibility. */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The browser suite needs Debian's Chromium at ${chromiumPath} (apt-get install chromium; .ci/run does it).`,
    );
  }
  receiver = await startReceiver();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  mkdirSync(`${shots}/screens`, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

async function signIn(page: Page) {
  await page.goto(`${stack.ui}/`);
  await expect.poll(() => page.url()).toContain("/sign-in");
  await page.getByRole("link", { name: "Sign in with the admin token" }).click();
  await page.getByLabel("Admin token").fill(admin);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${stack.ui}/`);
}

describe("the web UI in Chromium", () => {
  it("refuses a wrong token and keeps the right one out of client JavaScript", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.ui}/login`);
    await page.getByLabel("Admin token").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not valid");
    await page.getByLabel("Admin token").fill(admin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${stack.ui}/`);
    expect(await page.evaluate(() => document.cookie)).not.toContain(admin);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({
      name: "anom_session",
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
    });
    await page.close();
  });

  it("creates a business and a source, receives events, and acknowledges the alert they raise", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    await page.screenshot({ path: `${shots}/dashboard-empty.png` });

    await page.getByRole("link", { name: "New business" }).click();
    await page.waitForURL(`${stack.ui}/businesses/new`);
    await page.getByLabel("Name", { exact: true }).fill("Camel routes (UI)");
    await page.getByLabel("Field 1 name").fill("routeId");
    await page.getByLabel("Field 1 required").check();
    await page.getByLabel("Field 2 name").fill("durationMs");
    await page.getByLabel("Field 2 type").selectOption("number");
    await page.getByRole("button", { name: "Create business" }).click();
    await page.waitForURL(/\/businesses\/bus_/);
    const businessId = page.url().match(/bus_[0-9a-z]+/)?.[0] ?? "";
    const tabs = page.getByRole("navigation", { name: "Camel routes (UI) sections" });

    await tabs.getByRole("link", { name: "Sources" }).click();
    await page.getByLabel("New source name").fill("camel-prod");
    await page.getByRole("button", { name: "Create source" }).click();
    const token = (await page.getByTestId("source-token").textContent()) ?? "";
    expect(token).toMatch(/^anom_/);
    // A first event to paste, with the real token and this business's own fields.
    const snippet = (await page.getByTestId("source-snippet").textContent()) ?? "";
    expect(snippet).toContain(`Bearer ${token}`);
    expect(snippet).toContain(`/v1/ingest/${businessId}`);
    expect(snippet).toContain('"routeId"');

    // The expression is checked against the server's validation as it is typed; the problem shows at the input.
    await tabs.getByRole("link", { name: "Rules" }).click();
    await page.waitForURL(`${stack.ui}/businesses/${businessId}/rules`);
    expect(await page.getByLabel("Condition (CEL)").getAttribute("placeholder")).toBe(
      "durationMs > 100",
    );
    await page.getByLabel("Condition (CEL)").fill("durationMs >");
    await expect
      .poll(() => page.locator("#new-condition-error").textContent())
      .toBe("is not finished: something is missing at the end");
    await page.getByLabel("Condition (CEL)").fill("amount > 3");
    await expect
      .poll(() => page.locator("#new-condition-error").textContent())
      .toBe("there is no field “amount” in this business (at character 1)");
    expect(await page.getByLabel("Condition (CEL)").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Condition (CEL)").fill("durationMs > 5000");
    await expect.poll(() => page.getByText("Looks good.").count()).toBe(1);
    await page.getByLabel("Name", { exact: true }).fill("Slow route");
    await page.getByLabel("Per value of (optional)").selectOption("routeId");
    await page.getByRole("button", { name: "Create rule" }).click();
    await expect.poll(() => page.getByText("Slow route").count()).toBeGreaterThan(0);

    // Watch the alerts page, then send the events: the alert must appear without a reload.
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Alerts" })
      .click();
    await page.waitForURL(`${stack.ui}/alerts`);
    await expect.poll(() => page.getByTestId("live").textContent()).toBe("Live");
    const sent = await fetch(`${stack.api}/v1/ingest/${businessId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify([
        { routeId: "SFTP-BANK-A", durationMs: 9100 },
        { routeId: "SFTP-BANK-B", durationMs: 80 },
      ]),
    });
    expect(sent.status).toBe(202);
    const sentAt = performance.now();
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));
    // The page lists every business's alerts, and other files share the stack: this business's rows.
    const ours = page
      .locator("tr[data-alert]")
      .filter({ has: page.locator(`a[href="/businesses/${businessId}"]`) });
    await expect
      .poll(() => ours.getByText("SFTP-BANK-A: durationMs > 5000").count(), { timeout: 10_000 })
      .toBe(1);
    expect(await ours.count()).toBe(1);
    expect(navigations).toEqual([]);
    // A figure for the notes, not an assertion (timed assertions flake on shared machines).
    console.info(
      `live: the alert was on screen ${Math.round(performance.now() - sentAt)} ms after ingest answered`,
    );
    await page.screenshot({ path: `${shots}/alerts.png`, fullPage: true });
    await ours.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(() => ours.locator("td:nth-child(4)").textContent()).toBe("acknowledged");
    await ours.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => ours.count()).toBe(0);
    // This business alone has no active alert left, and its list says so.
    await page.goto(`${stack.ui}/alerts?businessId=${businessId}`);
    await expect.poll(() => page.getByText("No alerts match.").count()).toBe(1);

    await page.goto(`${stack.ui}/businesses/${businessId}/events`);
    await expect.poll(() => page.getByRole("cell", { name: "9,100" }).count()).toBe(1);

    // Charts from the view: the default one counts events and averages durationMs; add one.
    await tabs.getByRole("link", { name: "Charts" }).click();
    await expect.poll(() => page.locator("figure.chart canvas").count()).toBeGreaterThan(0);
    await page.getByText("Edit charts").click();
    const add = page.getByRole("group", { name: "Add a chart" });
    await add.getByLabel("Title").fill("Slowest");
    await add.getByLabel("Function").selectOption("max");
    await add.getByLabel("Field").selectOption("durationMs");
    await page.getByRole("button", { name: "Save charts" }).click();
    await expect
      .poll(() =>
        page.locator("figure.chart figcaption").filter({ hasText: "Slowest" }).textContent(),
      )
      .toContain("highest 9,100");

    // Edit the rule in place.
    await tabs.getByRole("link", { name: "Rules" }).click();
    await page.getByText("Edit", { exact: true }).click();
    const edit = page.locator("details.edit form");
    await edit.getByLabel("Condition (CEL)").fill("durationMs > 4000");
    await edit.getByRole("button", { name: "Save rule" }).click();
    await expect.poll(() => page.getByText("durationMs > 4000", { exact: true }).count()).toBe(1);

    // Edit the business and its fields in place; a field a rule uses cannot go.
    await tabs.getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("Description").fill("Camel routes watched from the UI");
    await page.getByRole("button", { name: "Save business" }).click();
    await expect.poll(() => page.getByText("Camel routes watched from the UI").count()).toBe(1);
    await page.getByText("Edit fields").click();
    await page.getByLabel("New field name").fill("status");
    await page.getByLabel("New field type").selectOption("enum");
    await page.getByLabel("New field values (enum)").fill("OK, FAILED");
    await page.getByRole("button", { name: "Add field" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "OK, FAILED" }).count()).toBe(1);
    await page
      .locator("form.field-editor")
      .filter({ has: page.locator('input[name="field"][value="durationMs"]') })
      .getByRole("button", { name: "Remove" })
      .click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("Slow route");
    await page.screenshot({ path: `${shots}/business.png`, fullPage: true });

    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(`${stack.ui}/`);
    await expect
      .poll(() => page.getByRole("heading", { name: "Camel routes (UI)" }).count())
      .toBe(1);
    await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
    await page.close();
  });

  it("defaults a new business to the browser's time zone, and links the API docs from the navigation", async () => {
    const context = await browser.newContext({
      timezoneId: "America/Chicago",
      viewport: { width: 390, height: 844 },
    });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${stack.ui}/businesses/new`);
    await hydrated(page);
    await expect.poll(() => page.getByLabel("Time zone").inputValue()).toBe("America/Chicago");
    const docs = page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "API docs" });
    expect(await docs.getAttribute("href")).toBe("/docs");
    expect((await page.request.get(`${stack.ui}/docs`)).status()).toBe(200);
    // A refusal is said at its input in words, not as the schema's.
    await page.getByLabel("Name", { exact: true }).fill("Zones");
    await page.getByLabel("Time zone").fill("Mars/Olympus");
    await page.getByRole("button", { name: "Create business" }).click();
    await expect
      .poll(() => page.locator('input[name="timezone"] ~ .error').textContent())
      .toMatch(/time zone/i);
    await context.close();
  });

  it("shows the profile engine's suggestions with their evidence, and approves one into a rule", async () => {
    // A sensor reading between 18 and 26 °C every 10 min for six days, sent through the API.
    const c = client(stack.api, admin);
    const { business, token } = await c.business({
      name: "Greenhouse",
      timezone: "Europe/Berlin",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "temperature", type: "number", required: true, unit: "°C" },
      ],
    });
    const start = Date.now() - 6 * 86_400_000;
    let seed = 1;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    await c.ingest(
      business.id,
      token,
      Array.from({ length: 6 * 144 }, (_, i) => ({
        timestamp: start + i * 600_000,
        temperature: Math.round((18 + 8 * next()) * 10) / 10,
      })),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    await page.getByRole("link", { name: "Suggestions" }).click();
    await page.waitForURL(`${stack.ui}/suggestions`);
    const section = page.getByRole("region", { name: "Greenhouse", exact: true });
    await expect.poll(() => section.getByText("Not profiled yet.").count()).toBe(1);
    await section.getByRole("button", { name: "Run profile now" }).click();
    const card = section
      .locator("[data-suggestion]")
      .filter({ hasText: "temperature out of range" });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toMatch(
      /temperature is usually between 18(\.\d+)? and 2[56](\.\d+)? °C/,
    );
    expect(await card.textContent()).toContain(
      "Backtest over 6 days: 0 alerts — short history, low confidence.",
    );
    expect(await card.getByText("low confidence", { exact: true }).count()).toBe(1);
    await page.screenshot({ path: `${shots}/suggestions.png`, fullPage: true });

    await card.getByRole("button", { name: "Approve" }).click();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "created" }).textContent())
      .toBe("Rule “temperature out of range” created.");
    await expect.poll(() => card.count()).toBe(0);
    const rules = await c.json("GET", `/v1/businesses/${business.id}/rules`);
    expect(rules.items.map((r: { name: string }) => r.name)).toEqual(["temperature out of range"]);

    // The Charts tab draws an anomaly rule's normal band on the chart of its field.
    await c.json("POST", `/v1/businesses/${business.id}/rules`, {
      name: "Odd temperature",
      kind: "anomaly",
      field: "temperature",
    });
    for (const range of ["24h", "7d"]) {
      await page.goto(`${stack.ui}/businesses/${business.id}/charts?range=${range}`);
      await hydrated(page);
      const chart = page.locator("figure.chart").filter({ hasText: "avg of temperature" });
      await expect.poll(() => chart.locator("canvas").count()).toBeGreaterThan(0);
      expect(await chart.locator(".legend").textContent()).toContain(
        "normal band of “Odd temperature”",
      );
      expect(await chart.locator("figcaption").textContent()).toMatch(/°C/);
    }
    await page.screenshot({ path: `${shots}/charts-band.png`, fullPage: true });
    await page.close();
  });

  it("manages a business's channels and shows their delivery log", async () => {
    const c = client(stack.api, admin);
    const { business } = await c.business({
      name: "Channels (UI)",
      fields: [{ name: "timestamp", type: "timestamp" }],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    await page.goto(`${stack.ui}/businesses/${business.id}`);
    await page.getByRole("link", { name: "Channels", exact: true }).click();
    await page.waitForURL(`${stack.ui}/businesses/${business.id}/channels`);
    await expect.poll(() => page.getByText("No channels").count()).toBe(1);
    await expect.poll(() => page.getByText("No deliveries yet.").count()).toBe(1);
    // A refusal is said under the input it is about, not in a list under the form.
    await hydrated(page);
    await page.getByLabel("Channel name").fill("on-call");
    await page.getByLabel("URL").fill("http://127.0.0.1:9/hook");
    await page.getByLabel(/Remind while open/).fill("soon");
    await page.getByRole("button", { name: "Create channel" }).click();
    await expect
      .poll(() => page.locator("#channel-renotifyAfter-error").textContent())
      .not.toBe("");
    expect(await page.locator("#channel-name-error").textContent()).toBe("");
    await page.getByLabel(/Remind while open/).fill("");
    await page.getByLabel("Channel name").fill("on-call");
    await page.getByLabel("URL").fill("http://127.0.0.1:9/hook");
    await page.getByLabel("critical").uncheck();
    await page.getByRole("button", { name: "Create channel" }).click();
    await expect.poll(() => page.getByTestId("channel-secret").textContent()).toMatch(/^whsec_/);
    const row = page.getByRole("row").filter({ hasText: "on-call" });
    await expect.poll(() => row.textContent()).toContain("info, warning");
    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.getByText("disabled").count()).toBe(1);
    await page.screenshot({ path: `${shots}/channels.png`, fullPage: true });
    // The same on the settings tab: an enum field without its values is refused under "values".
    await page.goto(`${stack.ui}/businesses/${business.id}/settings`);
    await hydrated(page);
    await page.getByText("Edit fields").click();
    await page.getByLabel("New field name").fill("state");
    await page.getByLabel("New field type").selectOption("enum");
    await page.getByRole("button", { name: "Add field" }).click();
    await expect.poll(() => page.locator("#new-field-values-error").textContent()).not.toBe("");
    expect(await page.locator("#new-field-name-error").textContent()).toBe("");
    await page.close();
  });

  it("backtests a rule on the history from the rule form, at desktop and phone widths", async () => {
    const c = client(stack.api, admin);
    const { business, token } = await c.business({
      name: "Nightly jobs (backtest)",
      timezone: "Europe/Berlin",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "job", type: "string", required: true },
        { name: "durationMs", type: "number", required: true },
      ],
    });
    // Ten days of a nightly job; it ran long twice.
    const night = Date.now() - 10 * 86_400_000;
    await c.ingest(
      business.id,
      token,
      Array.from({ length: 10 }, (_, i) => ({
        timestamp: night + i * 86_400_000,
        job: "backup",
        durationMs: i === 3 || i === 7 ? 9000 : 1200,
      })),
    );
    for (const [width, height, name] of [
      [1366, 900, "backtest"],
      [390, 844, "backtest-phone"],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      await signIn(page);
      await page.goto(`${stack.ui}/businesses/${business.id}/rules`);
      const form = page.locator("form.rule-form").last();
      await form.getByLabel("Name").fill("Backup ran long");
      await form.getByLabel("Condition (CEL)").fill("durationMs > 5000");
      await form.getByRole("button", { name: "Backtest on history" }).click();
      await expect
        .poll(() => form.locator(".backtest").textContent())
        .toContain("(10 events) this rule would have opened 2 alerts");
      expect(await form.locator(".backtest svg.timeline rect").count()).toBe(2);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await form.screenshot({ path: `${shots}/${name}.png` });
      await page.close();
    }
  });

  it("snoozes an alert, and creates a recurring silence from it with a preview, at desktop and phone widths", async () => {
    const c = client(stack.api, admin);
    const { business, token } = await c.business({
      name: "Silences (UI)",
      timezone: "Europe/Berlin",
      fields: [
        { name: "routeId", type: "string", required: true },
        { name: "durationMs", type: "number", required: true },
      ],
    });
    const rule = await c.json("POST", `/v1/businesses/${business.id}/rules`, {
      name: "Slow route",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    await c.json(
      "POST",
      `/v1/ingest/${business.id}`,
      { routeId: "SFTP-BANK-A", durationMs: 9000 },
      token,
    );
    let alertId = "";
    await expect
      .poll(async () => {
        const { items } = await c.json("GET", `/v1/alerts?businessId=${business.id}`);
        alertId = items[0]?.id ?? "";
        return alertId;
      })
      .not.toBe("");

    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await signIn(page);
    await page.goto(`${stack.ui}/alerts/${alertId}`);
    await page.getByLabel("Snooze for").selectOption("4h");
    await page.getByRole("button", { name: "Snooze" }).click();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Snoozed" }).count())
      .toBe(1);
    await expect.poll(() => page.getByText("silenced", { exact: true }).count()).toBe(1);
    await page.screenshot({ path: `${shots}/alert-snoozed.png`, fullPage: true });

    await page.getByRole("link", { name: "Silence…" }).click();
    await page.waitForURL(/\/silences\?/);
    expect(await page.getByLabel("Rule").inputValue()).toBe(rule.id);
    expect(await page.getByLabel("Group key").inputValue()).toBe("SFTP-BANK-A");
    await expect.poll(() => page.locator("[data-silence]").count()).toBe(1);
    await page.getByLabel("Recurring (maintenance window)").check();
    await page.getByLabel("Repeats (RRULE)").fill("FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0");
    await page.getByLabel("For", { exact: true }).fill("2h");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByRole("status").filter({ hasText: "Next occurrences" }).locator("li");
    await expect.poll(() => preview.count()).toBe(5);
    expect(await preview.first().textContent()).toMatch(
      /^Sat \d\d \w{3}, 02:00 → Sat \d\d \w{3}, 04:00$/,
    );
    await page.getByLabel("Why").fill("bank maintenance");
    await page.getByLabel("Who").fill("ops@example.com");
    await page.getByRole("button", { name: "Create silence" }).click();
    await expect.poll(() => page.locator("[data-silence]").count()).toBe(2);
    await expect
      .poll(() =>
        page.locator("[data-silence]").filter({ hasText: "bank maintenance" }).textContent(),
      )
      .toContain("every FREQ=WEEKLY;BYDAY=SA;BYHOUR=2;BYMINUTE=0 for 2h");
    const silences = await c.json("GET", `/v1/businesses/${business.id}/silences`);
    expect(silences.items.map((s: { createdBy: string }) => s.createdBy).sort()).toEqual([
      "admin",
      "ops@example.com",
    ]);
    await page.screenshot({ path: `${shots}/silences.png`, fullPage: true });

    // A storm of one rule is one row in the alerts list, opening into its alerts.
    await c.json(
      "POST",
      `/v1/ingest/${business.id}`,
      ["R1", "R2", "R3", "R4", "R5"].map((routeId) => ({ routeId, durationMs: 9000 })),
      token,
    );
    await expect
      .poll(async () => (await c.json("GET", `/v1/alerts?businessId=${business.id}`)).items.length)
      .toBe(6);
    await page.goto(`${stack.ui}/alerts?businessId=${business.id}`);
    const group = page.getByRole("button", { name: "6 alerts: Slow route" });
    await expect.poll(() => group.count()).toBe(1);
    expect(await page.locator("[data-alert]").count()).toBe(0);
    await group.click();
    await expect.poll(() => page.locator("[data-alert]").count()).toBe(6);
    await page.screenshot({ path: `${shots}/alerts-grouped.png`, fullPage: true });
    await page.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone);
    for (const [path, shot] of [
      [`/businesses/${business.id}/silences`, "silences-phone"],
      [`/alerts/${alertId}`, "alert-phone"],
    ] as const) {
      await phone.goto(`${stack.ui}${path}`);
      await phone.screenshot({ path: `${shots}/${shot}.png`, fullPage: true });
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await phone.close();
  });

  it("follows a real webhook's link to the alert page, and shows a thousand groups worst first with search", async () => {
    const c = client(stack.api, admin);
    const { business, token } = await c.business({
      name: "Cold chain",
      timezone: "Europe/Berlin",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "device", type: "string", required: true },
        { name: "temperature", type: "number", required: true, unit: "°C" },
      ],
    });
    await c.json("POST", `/v1/businesses/${business.id}/rules`, {
      name: "Fridge silent",
      kind: "absence",
      window: "1h",
      groupBy: "device",
    });
    await c.json("POST", `/v1/businesses/${business.id}/rules`, {
      name: "Too warm",
      kind: "immediate",
      condition: "temperature > 8",
      groupBy: "device",
      severity: "critical",
    });
    await c.json("POST", `/v1/businesses/${business.id}/channels`, {
      type: "webhook",
      name: "pager",
      url: `http://127.0.0.1:${receiver.port}/ui-pager`,
    });
    // A thousand fridges reporting over the last 40 minutes; one of them too warm.
    const now = Date.now();
    const device = (i: number) => `fridge-${String(i).padStart(4, "0")}`;
    await c.ingest(
      business.id,
      token,
      Array.from({ length: 1000 }, (_, i) => ({
        timestamp: now - (i % 40) * 60_000,
        device: device(i),
        temperature: 4 + (i % 7) / 10,
      })),
    );
    await c.ingest(business.id, token, [{ timestamp: now, device: device(7), temperature: 12.5 }]);

    // The link in the webhook a pager would get.
    let link = "";
    await expect
      .poll(
        () => {
          const [hook] = receiver.received("/ui-pager");
          link = hook ? JSON.parse(hook.body).url : "";
          return link;
        },
        { timeout: 20_000 },
      )
      .toMatch(new RegExp(`^${stack.ui}/alerts/alt_`));
    const alertId = link.split("/").at(-1) ?? "";

    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const problems = watch(page);
    await signIn(page);
    await page.goto(link);
    await hydrated(page);
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toContain("fridge-0007: temperature > 8");
    // The series around the alert, with the alert's span and the rule's threshold marked.
    await expect.poll(() => page.locator("figure.chart canvas").count()).toBe(1);
    expect(await page.locator("figure.chart .legend").textContent()).toContain("alert open");
    expect(await page.locator("figure.chart .legend").textContent()).toContain("rule threshold");
    expect(await page.getByRole("row", { name: /temperature/ }).textContent()).toContain("12.5 °C");
    await expect.poll(() => page.locator("[data-delivery]").count()).toBeGreaterThan(0);
    expect(await page.locator("[data-delivery]").first().textContent()).toContain("pager");
    // Reachable by keyboard, with a visible focus ring.
    let focused = "";
    for (let i = 0; i < 40 && focused !== "Acknowledge"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    }
    expect(focused).toBe("Acknowledge");
    expect(
      await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return `${style.outlineStyle} ${style.outlineWidth}`;
      }),
    ).toBe("solid 2px");

    // The status page: a thousand groups, worst first, paged and searchable.
    await page.goto(`${stack.ui}/businesses/${business.id}`);
    await hydrated(page);
    const grid = page.getByTestId("group-grid").locator("li");
    expect(await grid.count()).toBe(60);
    expect(await grid.first().getAttribute("data-group")).toBe("fridge-0007");
    expect(await page.locator(".pager").textContent()).toContain("1–60 of 1,000");
    await page.getByRole("link", { name: "Next" }).click();
    await expect.poll(() => page.locator(".pager").textContent()).toContain("61–120 of 1,000");
    await page.getByLabel("Search").fill("fridge-0999");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => grid.count()).toBe(1);
    expect(await grid.first().getAttribute("data-group")).toBe("fridge-0999");

    // A chart per device draws the busiest seven and offers every other one: none silently dropped.
    await c.json("PUT", `/v1/businesses/${business.id}/view`, {
      range: "24h",
      charts: [{ fn: "max", field: "temperature", groupBy: "device", title: "Warmest per device" }],
    });
    await page.goto(`${stack.ui}/businesses/${business.id}/charts`);
    await hydrated(page);
    const picker = page.locator("figure.chart details.picker");
    expect(await picker.locator("summary").textContent()).toBe("Showing 7 of 1,000 — choose");
    await picker.locator("summary").click();
    await picker.getByLabel("Find").fill("0999");
    await picker.getByLabel("fridge-0999").check();
    await expect
      .poll(() => picker.locator("summary").textContent())
      .toBe("Showing 8 of 1,000 — choose");
    expect(problems).toEqual([]);
    await page.close();
    tour = { businessId: business.id, alertId };
  });

  for (const [width, height] of [
    [1366, 900],
    [390, 844],
  ] as const) {
    it(`every screen at ${width} px: a screenshot, no sideways scroll, no serious axe finding, zones named, no hydration error`, async () => {
      const { businessId, alertId } = tour;
      expect(alertId).not.toBe("");
      const screens: [string, string][] = [
        ["dashboard", "/"],
        ["alerts", "/alerts"],
        ["alert", `/alerts/${alertId}`],
        ["suggestions", "/suggestions"],
        ["business-new", "/businesses/new"],
        ["business-status", `/businesses/${businessId}`],
        ["business-charts", `/businesses/${businessId}/charts`],
        ["business-events", `/businesses/${businessId}/events`],
        ["business-rules", `/businesses/${businessId}/rules`],
        ["business-sources", `/businesses/${businessId}/sources`],
        ["business-channels", `/businesses/${businessId}/channels`],
        ["business-silences", `/businesses/${businessId}/silences`],
        ["business-settings", `/businesses/${businessId}/settings`],
      ];
      // The team pages of a workspace with a member, a key and an audit trail.
      const c = client(stack.api, admin);
      const ws = await c.json("POST", "/v1/workspaces", { name: `Field service ${width}` });
      await c.json("POST", `/v1/workspaces/${ws.id}/members`, {
        email: `oncall-${width}@example.com`,
        role: "editor",
      });
      await c.json("POST", `/v1/workspaces/${ws.id}/keys`, { name: "deploy", role: "viewer" });
      screens.push(
        ["team", "/team"],
        ["team-members", `/team/${ws.id}/members`],
        ["team-keys", `/team/${ws.id}/keys`],
        ["team-audit", `/team/${ws.id}/audit`],
      );
      const login = await browser.newPage({ viewport: { width, height } });
      const loginProblems = watch(login);
      await login.goto(`${stack.ui}/login`);
      await hydrated(login);
      await check(login, `login-${width}`);
      expect(loginProblems, "login").toEqual([]);
      await login.close();

      const tab = await browser.newPage({ viewport: { width, height } });
      const seen = watch(tab);
      await signIn(tab);
      for (const [name, path] of screens) {
        await tab.goto(`${stack.ui}${path}`);
        await hydrated(tab);
        await check(tab, `${name}-${width}`);
        if (name === "business-status") {
          // A thousand groups stay a page or two tall, even on a phone.
          const height = await tab.evaluate(() => document.documentElement.scrollHeight);
          expect(height, `status page height at ${width} px`).toBeLessThan(4000);
        }
        if (name === "dashboard") {
          // The newest open alerts are links to their alert, naming their business.
          const newest = tab.locator(".alert-cards li").filter({ hasText: "fridge-0007" });
          expect(await newest.getByRole("link").getAttribute("href")).toBe(`/alerts/${alertId}`);
          expect(await newest.textContent()).toContain("Cold chain");
        }
      }
      // A page that fails says what happened in words, never a bare status.
      const missing = await browser.newPage({ viewport: { width, height } });
      await missing.context().addCookies(await tab.context().cookies());
      await missing.goto(`${stack.ui}/alerts/alt_00000000000000000000000000`);
      await hydrated(missing);
      expect(await missing.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
      expect(await missing.locator("main").textContent()).toContain("This no longer exists");
      await check(missing, `not-found-${width}`);
      await missing.close();
      // On a phone the alerts are cards whose actions fit the screen without sideways scrolling.
      if (width === 390) {
        await tab.goto(`${stack.ui}/alerts?businessId=${businessId}`);
        await hydrated(tab);
        const ack = tab.getByRole("button", { name: "Acknowledge" }).first();
        const box = await ack.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
      }
      expect(seen, `console errors at ${width} px`).toEqual([]);
      await tab.close();
    }, 300_000);
  }
});

/** Console errors and uncaught page errors (hydration mismatches among them). */
function watch(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    // A WebSocket the page closes while navigating is not a fault of the page.
    if (m.type() === "error" && !/WebSocket/.test(m.text()))
      seen.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => seen.push(`${page.url()}: ${e.message}`));
  return seen;
}

/** Waits for React to have hydrated the page (the root marks <html data-hydrated>). */
async function hydrated(page: Page) {
  await page.waitForSelector("html[data-hydrated]", { timeout: 15_000 });
}

/**
 * One screen: a full-page screenshot kept in test-results/ui/screens, no
 * horizontal scrolling, no serious or critical axe-core violation, every time
 * on screen naming its zone or relative, and no raw epoch milliseconds.
 */
async function check(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/screens/${name}.png`, fullPage: true });
  const where = `${name} (${page.url()})`;
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow, `${where} scrolls sideways`).toBeLessThanOrEqual(0);
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<AxeResult> } }).axe;
    const result = await axe.run({ runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 5)
            .join(", ")}`,
      );
  });
  expect(violations, `${where}: axe`).toEqual([]);
  const times = await page.locator("time").allTextContents();
  for (const t of times)
    expect(t, `${where}: a time without its zone`).toMatch(
      /(UTC|GMT[+-]\d{1,2}(:\d\d)?)$|ago$|^just now$|^in /,
    );
  const text = await page.locator("main").innerText();
  expect(text, `${where}: raw epoch milliseconds`).not.toMatch(/\b1\d{12}\b/);
}

interface AxeResult {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}
