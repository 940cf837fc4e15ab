// The baseline of the latency benchmark: a Worker that only forwards the body to `TARGET`.
export default {
  async fetch(request, env) {
    return fetch(env.TARGET, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await request.text(),
    })
  },
}
