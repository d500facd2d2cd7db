// The baseline: the least a Worker can do for a POST on the same runtime.
export default {
  async fetch(request) {
    await request.text();
    return new Response('{"accepted":1,"rejected":[]}', {
      status: 202,
      headers: { "content-type": "application/json" },
    });
  },
};
