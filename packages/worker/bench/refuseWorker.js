// The flood's baseline: a Worker that reads the body and answers a fixed 429, the least
// any gateway does to refuse a request.
export default {
  async fetch(request) {
    await request.text()
    return new Response('{"success":false,"error":{"code":"RATE_LIMITED"}}', {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "60" },
    })
  },
}
