// While the isolate knows an endpoint's window is full, a keyless send with a Bearer token
// is answered its 429 before its body is read: whatever the body, it could not be admitted,
// and reading and judging it is what a flood costs. Everything else is judged as before.
import { describe, expect, it } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

/** The minute's five voicemail drops sent, and a sixth refused by the quota object. */
const exhaust = async () => {
  for (let i = 0; i < 5; i++) {
    const sent = await answer(
      await gateway("/v1/campaign/send", { token: TOKENS.alpha, json: dropBody("0612345678") }),
    )
    expect(sent.status).toBe(200)
  }
  const refused = await answer(
    await gateway("/v1/campaign/send", { token: TOKENS.alpha, json: dropBody("0612345678") }),
  )
  expect(refused.status).toBe(429)
  return refused
}

const raw = (body: string, headers: Record<string, string> = {}, token = TOKENS.beta) =>
  gateway("/v1/campaign/send", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
  })

describe("a send while its window is known full", () => {
  it("is refused before its body is read, with the full path's answer and fields", async () => {
    const full = await exhaust()
    // Not JSON at all: judged, it would be a 400; it cannot be admitted, so 429 at once.
    const early = await answer(await raw("{ not json"))
    expect(early.status).toBe(429)
    expect(early.json.error.code).toBe(full.json.error.code)
    expect(early.json.error.message).toBe(full.json.error.message)
    expect(early.headers.get("retry-after")).toBe(full.headers.get("retry-after"))
    expect(early.headers.get("ratelimit")).toBe(full.headers.get("ratelimit"))
    expect(early.headers.get("ratelimit-policy")).toBe(full.headers.get("ratelimit-policy"))
    // Another client of the account shares the window: it is refused the same way.
    expect(h.upstream.requests()).toHaveLength(5)
  })

  it("is still judged first with an Idempotency-Key, a bad token or a refused operation", async () => {
    await exhaust()
    // A key may be a replay, which answers what was sent: the body is read and judged.
    const keyed = await answer(await raw("{ not json", { "idempotency-key": "k-1" }))
    expect(keyed.status).toBe(400)
    expect(keyed.json.error.code).toBe("INVALID_JSON")
    const unknown = await answer(await raw(JSON.stringify(dropBody("0612345678")), {}, "nope"))
    expect(unknown.status).toBe(401)
    const reader = await answer(
      await raw(JSON.stringify(dropBody("0612345678")), {}, TOKENS.reader),
    )
    expect(reader.status).toBe(403)
    // Another endpoint's window is not full: judged (and sent).
    const tts = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.beta,
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(tts.status).toBe(200)
    expect(h.upstream.requests()).toHaveLength(6)
  })

  it("drop-in requests (the key in the body) are read and answered in the provider's format", async () => {
    await exhaust()
    const dropIn = await gateway("/v1/campaign/send", {
      method: "POST",
      body: JSON.stringify({ apiKey: TOKENS.beta, ...dropBody("0612345678") }),
      headers: { "content-type": "application/json" },
    })
    const read = await answer(dropIn)
    expect(read.status).toBe(429)
    // The provider's error shape (its code and message at the top), not only the gateway's.
    expect(read.json).toMatchObject({ success: false, code: 429 })
    expect(typeof read.json.message).toBe("string")
    // A drop-in body that is not JSON is the provider's code 90, whatever the quota.
    const unreadable = await answer(
      await gateway("/v1/campaign/send", {
        method: "POST",
        body: "{ not json",
        headers: { "content-type": "application/json" },
      }),
    )
    expect(unreadable.status).toBe(400)
    expect(unreadable.json).toMatchObject({ success: false, code: 90 })
  })
})
