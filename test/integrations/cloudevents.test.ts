import { SELF } from "cloudflare:test";
import type { Message } from "cloudevents";
import { CloudEvent, emitterFor, HTTP, Mode } from "cloudevents";
import { describe, expect, it } from "vitest";
import { ADMIN, businessWithSource, createBusiness, createSource, listEvents } from "../helpers";

/** The SDK's emitter, sending through the worker's own fetch with a source token. */
function emitter(businessId: string, token: string, mode: Mode) {
  const answers: { status: number; body: Record<string, unknown> }[] = [];
  const send = async (message: Message) => {
    const res = await SELF.fetch(`http://anom.test/v1/cloudevents/${businessId}`, {
      method: "POST",
      headers: { ...(message.headers as Record<string, string>), authorization: `Bearer ${token}` },
      body: message.body as string,
    });
    answers.push({ status: res.status, body: await res.json() });
  };
  return { emit: emitterFor(send, { binding: HTTP, mode }), answers };
}

const route = (i: number) =>
  new CloudEvent<Record<string, unknown>>({
    type: "com.example.route.finished",
    source: "/camel/prod",
    id: `run-${i}-${crypto.randomUUID()}`,
    time: new Date(Date.now() - 60_000 + i).toISOString(),
    datacontenttype: "application/json",
    data: { routeId: `SFTP-BANK-${i}`, durationMs: 100 + i, status: "OK" },
  });

describe("CloudEvents 1.0 over HTTP", () => {
  it("takes structured and binary mode from the SDK's emitter, time from the attribute", async () => {
    const { business, token } = await businessWithSource();
    const sent: CloudEvent<Record<string, unknown>>[] = [];
    for (const mode of [Mode.STRUCTURED, Mode.BINARY]) {
      const { emit, answers } = emitter(business.id, token, mode);
      const event = route(mode === Mode.STRUCTURED ? 1 : 2);
      sent.push(event);
      await emit(event);
      expect(answers).toEqual([{ status: 202, body: { accepted: 1, rejected: [] } }]);
    }
    const stored = (await listEvents(business.id)).items;
    expect(stored.map((e) => e.data)).toEqual([
      { routeId: "SFTP-BANK-2", durationMs: 102, status: "OK", timestamp: expect.any(String) },
      { routeId: "SFTP-BANK-1", durationMs: 101, status: "OK", timestamp: expect.any(String) },
    ]);
    expect(stored.map((e) => e.time)).toEqual(sent.reverse().map((e) => e.time));
  });

  it("takes a batch and reports each rejected event by index and attribute or field", async () => {
    const { business, token } = await businessWithSource();
    const good = route(1);
    const badField = route(2).cloneWith({ data: { routeId: "A", durationMs: "slow" } }, false);
    const message = HTTP.structured(good);
    const batch = [
      JSON.parse(message.body as string),
      { ...JSON.parse(HTTP.structured(badField).body as string) },
      { specversion: "0.3", id: "x", source: "/s", type: "t" },
      { specversion: "1.0", id: "y", source: "/s", type: "t", data: [1, 2] },
      { specversion: "1.0", source: "/s", type: "t", data: {} },
    ];
    const res = await SELF.fetch(`http://anom.test/v1/cloudevents/${business.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/cloudevents-batch+json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, errors: [{ path: "durationMs", message: expect.stringContaining("number") }] },
        { index: 2, errors: [{ path: "specversion", message: 'must be "1.0"' }] },
        { index: 3, errors: [{ path: "data", message: expect.stringContaining("object") }] },
        { index: 4, errors: [{ path: "id", message: "is a required CloudEvents attribute" }] },
      ],
    });
  });

  it("accepts one event once: the same source and id again is a replay", async () => {
    const { business, token } = await businessWithSource();
    const { emit, answers } = emitter(business.id, token, Mode.BINARY);
    const event = route(3);
    await emit(event);
    await emit(event);
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect((await listEvents(business.id)).items).toHaveLength(1);
  });

  it("fills declared fields named type, source and subject from the attributes", async () => {
    const business = await createBusiness({
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "type", type: "string" },
        { name: "subject", type: "string" },
        { name: "amount", type: "number", required: true },
      ],
    });
    const { token } = await createSource(business.id);
    const { emit, answers } = emitter(business.id, token, Mode.STRUCTURED);
    await emit(
      new CloudEvent({
        type: "com.example.expense",
        source: "/bank",
        subject: "groceries",
        data: { amount: 42.5 },
      }),
    );
    expect(answers[0]?.status).toBe(202);
    const [stored] = (await listEvents(business.id)).items;
    expect(stored?.data).toMatchObject({
      type: "com.example.expense",
      subject: "groceries",
      amount: 42.5,
    });
  });

  it("answers problem details for a body it cannot read, a content type it does not take, and tokens", async () => {
    const { business, token } = await businessWithSource();
    const post = (headers: Record<string, string>, body: string) =>
      SELF.fetch(`http://anom.test/v1/cloudevents/${business.id}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, ...headers },
        body,
      });
    const broken = await post({ "content-type": "application/cloudevents+json" }, "{");
    expect(broken.status).toBe(400);
    expect(broken.headers.get("content-type")).toBe("application/problem+json");
    const plain = await post({ "content-type": "text/plain" }, "hello");
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      "content-type",
    );
    const xml = await post(
      {
        "content-type": "application/xml",
        "ce-specversion": "1.0",
        "ce-id": "1",
        "ce-source": "/s",
        "ce-type": "t",
      },
      "<a/>",
    );
    expect(xml.status).toBe(415);
    const none = await post(
      { "content-type": "application/cloudevents+json" },
      JSON.stringify({ specversion: "1.0", id: "1", source: "/s", type: "t", data: { x: 1 } }),
    );
    expect(none.status).toBe(422);
    const other = await businessWithSource();
    const wrong = await SELF.fetch(`http://anom.test/v1/cloudevents/${business.id}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${other.token}`,
        "content-type": "application/cloudevents+json",
      },
      body: HTTP.structured(route(1)).body as string,
    });
    expect(wrong.status).toBe(403);
    const admin = await SELF.fetch(`http://anom.test/v1/cloudevents/${business.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
      body: "{}",
    });
    expect(admin.status).toBe(401);
    expect((await listEvents(business.id)).items).toEqual([]);
    expect((await listEvents(other.business.id)).items).toEqual([]);
  });
});
