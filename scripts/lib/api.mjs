// A small client for scripts (demo, benchmarks) against a running Anom API.
export function client(baseUrl, adminToken) {
  async function json(method, path, body, token = adminToken) {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
  return {
    json,
    async business(body) {
      const business = await json("POST", "/v1/businesses", body);
      const { token } = await json("POST", `/v1/businesses/${business.id}/sources`, {
        name: "bench",
      });
      return { business, token };
    },
    ingest(businessId, token, events) {
      return json("POST", `/v1/ingest/${businessId}`, events, token);
    },
  };
}
